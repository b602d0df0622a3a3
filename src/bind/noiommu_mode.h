// vfio's enable_unsafe_noiommu_mode as vfioctl changes it. A --noiommu bind turns it on; once no
// device is left in a no-IOMMU group, release, recover and a rolled-back bind turn it off again,
// but only when vfioctl was the one that turned it on: the marker /run/vfioctl/noiommu records
// that (tmpfs, like the parameter: both end with the boot). While the mode is on, any vfio driver
// gives every device outside an IOMMU group a no-IOMMU group without being asked
// (vfio_group_find_or_alloc in drivers/vfio/vfio_main.c), so leaving it on is not harmless.
// The kernel stays tainted (TAINT_USER) either way.
#pragma once

#include "bind/operation.h"

namespace vfioctl {

inline constexpr const char* kNoiommuParam = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode";

// Whether the mode is on now (the parameter reads Y).
bool noiommu_mode_on(const HostRoot& host);

// Loads vfio and turns the mode on (a note says so); false with an error when it cannot.
bool enable_noiommu_mode(OperationContext& ctx, OperationResult& out);

// Whether a device is still in a no-IOMMU group: vfio names such a group "vfio-noiommu"
// (vfio_noiommu_group_alloc: iommu_group_set_name) and its node /dev/vfio/noiommu-N.
bool noiommu_devices_remain(const HostRoot& host);

// Whether vfioctl turned the mode on (its marker is there).
bool vfioctl_turned_noiommu_on(const HostRoot& host);

// Turns the mode off when vfioctl turned it on and no device needs it any more (a note says so).
void settle_noiommu_mode(OperationContext& ctx, OperationResult& out);

}  // namespace vfioctl
