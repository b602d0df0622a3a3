#include "inventory/vfio_driver_check.h"

#include "modules/module_name.h"

namespace vfioctl {

namespace {

// Driver names of the generic vfio drivers of every bus; these are fixed in the kernel source
// (drivers/vfio/pci/vfio_pci.c "vfio-pci", platform/vfio_platform.c "vfio-platform",
// platform/vfio_amba.c "vfio-amba", fsl-mc/vfio_fsl_mc.c "vfio-fsl-mc", cdx/main.c "vfio-cdx",
// s390/cio/vfio_ccw_drv.c "vfio_ccw", s390/crypto/vfio_ap_drv.c "vfio_ap").
constexpr std::string_view kGenericVfioDrivers[] = {"vfio-pci", "vfio-platform", "vfio-amba",
                                                    "vfio-fsl-mc", "vfio-cdx", "vfio_ccw", "vfio_ap"};

}  // namespace

VfioDriverCheck::VfioDriverCheck(const VfioAliasIndex& index, ModuleCatalog& catalog) : catalog_(catalog) {
  // Reset helpers for vfio-platform ("vfio_reset:" aliases) bind no device: not vfio drivers.
  for (const auto& a : index.aliases()) {
    if (a.pattern.rfind("vfio_reset:", 0) != 0) vfio_modules_.insert(a.module);
  }
}

bool VfioDriverCheck::is_vfio(std::string_view bus, std::string_view driver, bool has_vfio_dev) {
  if (has_vfio_dev) return true;
  for (auto name : kGenericVfioDrivers) {
    if (driver == name) return true;
  }
  auto module = catalog_.module_of_driver(bus, driver);
  return module && vfio_modules_.count(*module) != 0;
}

bool VfioDriverCheck::names_vfio_driver(std::string_view bus, std::string_view override_name) {
  if (is_vfio(bus, override_name, false)) return true;
  return vfio_modules_.count(normalize_module_name(override_name)) != 0;
}

bool VfioDriverCheck::allows_group_ownership(std::string_view bus, std::string_view driver,
                                             bool has_vfio_dev) {
  if (bus == "pci" && (driver == "pci-stub" || driver == "pcieport")) return true;
  return is_vfio(bus, driver, has_vfio_dev);
}

}  // namespace vfioctl
