// Whether vfio_iommu_type1 will attach a device-tree device's IOMMU group. It attaches a group only
// when every device in it has isolated MSIs, or when loaded with allow_unsafe_interrupts
// (drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_attach_group -> iommu_group_has_isolated_msi;
// otherwise -EPERM and "No interrupt remapping support" in the kernel log). A device's MSIs are
// isolated when its MSI domain, or a parent of it, carries IRQ_DOMAIN_FLAG_ISOLATED_MSI (the
// GICv3 ITS sets it), and otherwise only where arch_is_isolated_msi() is true, which it is not on
// arm or arm64 (kernel/irq/msi.c msi_device_has_isolated_msi; include/linux/msi.h). A device-tree
// device gets an MSI domain only from its node's msi-parent (drivers/of/irq.c of_msi_configure),
// so a platform or AMBA device without one (a UART, an RTC with a wired interrupt) is refused by
// type1 unless the admin allows unsafe interrupts. A CDX function gets its controller's MSI domain,
// which the controller's node gives with msi-map (drivers/cdx/cdx_msi.c cdx_msi_domain_init). The
// real-kernel scenarios 97 (amba) and 99 (cdx) show both sides.
//
// ACPI devices are left alone: their MSI domain comes from the IORT table, which sysfs does not
// show.
#pragma once

#include <optional>
#include <string>

#include "bus/device.h"
#include "inventory/session.h"

namespace vfioctl {

// One sentence for a device no MSI controller isolates: `lacking` (what its device tree does not
// say), then that type1 will refuse the group, or attaches it only because of
// allow_unsafe_interrupts (the loaded module's parameter, else modprobe.d's options).
std::string type1_msi_note(Session& session, std::string_view lacking);

// A platform or amba device: nullopt when isolation is not in question (not a device-tree
// device, or its node has msi-parent), else type1_msi_note.
std::optional<std::string> msi_isolation_note(Session& session, const Device& device);

}  // namespace vfioctl
