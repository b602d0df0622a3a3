#include "buses/msi_isolation.h"

#include "host/file_io.h"
#include "modules/module_options.h"

namespace vfioctl {

std::optional<std::string> msi_isolation_note(Session& session, const Device& device) {
  if (device.of_compatible.empty() || device.acpi_hid || device.of_msi_parent) return std::nullopt;
  bool allowed = false;
  std::string from;
  ReadResult param =
      read_attr_path(session.host().path("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"));
  if (param.ok()) {
    allowed = param.value == "Y" || param.value == "1";
    from = "vfio_iommu_type1's parameter";
  } else {
    std::string options = session.kmod().configured_options("vfio_iommu_type1");
    if (auto v = bool_option(options, "allow_unsafe_interrupts")) {
      allowed = *v;
      from = "modprobe.d: options vfio_iommu_type1 " + options;
    }
  }
  constexpr std::string_view kWhy =
      "interrupts: no MSI controller isolates this device (its device-tree node has no msi-parent)";
  if (allowed) {
    return std::string(kWhy) + "; vfio_iommu_type1 attaches its group only because allow_unsafe_interrupts=Y (" +
           from + ")";
  }
  return std::string(kWhy) +
         ", so vfio_iommu_type1 will refuse to attach its group (EPERM, \"No interrupt remapping support\") "
         "unless loaded with allow_unsafe_interrupts=1; allow that only where the VFIO user is trusted";
}

}  // namespace vfioctl
