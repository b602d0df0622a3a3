// Per-device findings of `vfioctl doctor`, from one snapshot of every device: groups VFIO
// cannot open, host drivers that bind before any user-space rule can act, driver_override
// values nobody owns, and an operation left half done.
#pragma once

#include "doctor/finding.h"
#include "inventory/snapshot.h"

namespace vfioctl {

Finding check_group_viability(const Snapshot& snapshot);
Finding check_builtin_host_drivers(const Snapshot& snapshot, ModuleCatalog& modules);
Finding check_orphan_overrides(const Snapshot& snapshot, const HostRoot& host);
Finding check_interrupted_operation(const HostRoot& host);

}  // namespace vfioctl
