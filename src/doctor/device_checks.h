// Per-device findings of `vfioctl doctor`, from one snapshot of every device: groups VFIO
// cannot open, host drivers that bind before any user-space rule can act, driver_override
// values nobody owns, devices an override holds for a vfio driver that does not have them, and
// an operation left half done.
#pragma once

#include "doctor/finding.h"
#include "inventory/snapshot.h"
#include "inventory/vfio_driver_check.h"

namespace vfioctl {

Finding check_group_viability(const Snapshot& snapshot);
Finding check_builtin_host_drivers(const Snapshot& snapshot, ModuleCatalog& modules);
Finding check_orphan_overrides(const Snapshot& snapshot, const HostRoot& host);
Finding check_stranded_devices(const Snapshot& snapshot, VfioDriverCheck& check);
Finding check_interrupted_operation(const HostRoot& host);

}  // namespace vfioctl
