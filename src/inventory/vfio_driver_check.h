// "Is the bound driver a vfio driver?" libvirt asks the same question (driver name vfio-pci,
// or a vfio-dev directory); vfioctl adds a third test that also works for a variant on a
// kernel before 6.1 and for a device read through its IOMMU group: the driver's module
// carries a vfio alias ("vfio_pci:..."), which only vfio drivers declare
// (PCI_DRIVER_OVERRIDE_DEVICE_VFIO, commit cc6711b0bf36).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "modules/module_catalog.h"
#include "modules/vfio_alias_index.h"

namespace vfioctl {

class VfioDriverCheck {
 public:
  VfioDriverCheck(const VfioAliasIndex& index, ModuleCatalog& catalog);

  // `has_vfio_dev`: the device has a vfio-dev directory (kernel 6.1 and later).
  bool is_vfio(std::string_view bus, std::string_view driver, bool has_vfio_dev);

  // Whether a driver_override names a vfio driver. The driver need not be registered (its
  // module was unloaded, or never loaded), so a module name spelled either way counts too.
  bool names_vfio_driver(std::string_view bus, std::string_view override_name);

  // Drivers that may share an IOMMU group with a device VFIO owns: they set
  // driver_managed_dma (pci-stub: 18c7a349d072, pcieport: c7d469849747), plus vfio itself.
  bool allows_group_ownership(std::string_view bus, std::string_view driver, bool has_vfio_dev);

 private:
  std::set<std::string> vfio_modules_;
  ModuleCatalog& catalog_;
};

}  // namespace vfioctl
