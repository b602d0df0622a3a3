#include "buses/msi_isolation.h"

#include "modules/module_options.h"

namespace vfioctl {

std::string type1_msi_note(Session& session, std::string_view lacking) {
  auto param = module_bool_param(session.host(), session.kmod(), "vfio_iommu_type1", "allow_unsafe_interrupts");
  const bool allowed = param && param->value;
  const std::string from = param && !param->from.empty() ? param->from : "vfio_iommu_type1's parameter";
  const std::string why = "interrupts: no MSI controller isolates this device (" + std::string(lacking) + ")";
  if (allowed) {
    return why + "; vfio_iommu_type1 attaches its group only because allow_unsafe_interrupts=Y (" +
           from + ")";
  }
  return why +
         ", so vfio_iommu_type1 will refuse to attach its group (EPERM, \"No interrupt remapping support\") "
         "unless loaded with allow_unsafe_interrupts=1; allow that only where the VFIO user is trusted";
}

std::optional<std::string> msi_isolation_note(Session& session, const Device& device) {
  if (device.of_compatible.empty() || device.acpi_hid || device.of_msi_parent) return std::nullopt;
  return type1_msi_note(session, "its device-tree node has no msi-parent");
}

}  // namespace vfioctl
