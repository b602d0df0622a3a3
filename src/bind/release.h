// Giving devices back to the host.
//
// Only devices vfioctl bound (they have an ownership record) are released, unless --force.
// A device counts as held for vfio when it is on a vfio driver, or when its driver_override
// still names one after that driver went away: released, its override is cleared and the host
// driver probes it (a device already back on a host driver only loses the override).
// A device some process still holds through /dev/vfio is refused: unbinding it would block
// until that process lets go. The default sequence is the one the kernel documents: clear
// driver_override (write a newline), unbind, drivers_probe, and check that the host driver
// took it; when it was not the driver recorded at bind time (another driver matched first,
// or a VF whose PF has sriov_drivers_autoprobe=0), the recorded driver is steered in through
// driver_override and the override is cleared again. When the host driver's module is not
// loaded, it is loaded from the device's "pci:" modalias, as udev would.
// `--to DRIVER` names the driver instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bind/bind_plan.h"
#include "bind/operation.h"
#include "bind/ownership.h"

namespace vfioctl {

struct ReleaseOptions {
  std::vector<DeviceRef> devices;
  std::optional<std::string> to;  // --to DRIVER
  bool force = false;
};

struct PlannedRelease {
  DeviceRef ref;
  Device device;
  BindingState original;            // now (on the vfio driver)
  std::optional<OwnershipRecord> record;
  std::optional<std::string> expected_driver;  // the host driver to end on, when known
  std::optional<std::string> expected_module;
  bool already_done = false;
  // Held for vfio by its driver_override alone: the vfio driver it names is not bound (its
  // module was unloaded, or its probe refused the device), yet the override keeps every host
  // driver from matching (driver_match_device() honours only the named driver).
  bool override_only = false;
  std::string note;
};

struct ReleasePlan {
  std::vector<PlannedRelease> devices;
  std::vector<PlanProblem> bad_input;
  std::vector<PlanProblem> refusals;
  std::optional<DriverSpelling> to;
  BindPlan::Block block() const;
  bool nothing_to_do() const;
};

ReleasePlan plan_release(Session& session, const ReleaseOptions& options);
OperationResult execute_release(OperationContext& ctx, const ReleasePlan& plan);

}  // namespace vfioctl
