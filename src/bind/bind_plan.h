// Planning a bind: everything is checked before anything is written. The plan lists each
// device with the vfio drivers to try, in order, and the problems that stop the whole
// operation, sorted by the exit status they lead to:
//   bad input (2):  unknown device or driver, a bridge (vfio-pci takes only type 0 endpoints)
//   refused (3):    a safety check: no IOMMU without --noiommu, no IOMMU group, a PF with VFs
//                   enabled, a group that would not be viable, the host using the device
//   cannot (1):     no usable vfio driver on this host
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bind/binding_state.h"
#include "bind/driver_names.h"
#include "bind/owner_spec.h"
#include "bus/bus_registry.h"
#include "host/address_source.h"
#include "inventory/session.h"
#include "inventory/snapshot.h"

namespace vfioctl {

struct BindOptions {
  std::vector<DeviceRef> devices;
  std::optional<std::string> driver;  // --driver, as typed
  bool generic = false;               // --generic
  bool group = false;                 // --group
  bool force = false;                 // --force: take devices the host is using
  bool noiommu = false;               // --noiommu
};

struct PlannedBind {
  DeviceRef ref;
  Device device;
  BindingState original;
  std::vector<Candidate> candidates;  // usable vfio drivers, best first
  bool already_done = false;
  std::string note;                   // why it is in the plan, or why nothing is to do
  std::optional<OwnerSpec> owner;     // this device's owner (apply); else the operation's
};

struct PlanProblem {
  std::string device;  // "" for the operation as a whole
  std::string message;
};

struct BindPlan {
  std::vector<PlannedBind> devices;
  std::vector<PlanProblem> bad_input;
  std::vector<PlanProblem> refusals;
  std::vector<PlanProblem> cannot;
  std::vector<std::string> notes;
  bool noiommu = false;  // relies on vfio's unsafe no-IOMMU mode
  std::optional<DriverSpelling> pinned;

  enum class Block { kNone, kBadInput, kRefused, kCannot };
  // What stops the plan, most serious first (bad input, then refusals, then "cannot").
  Block block() const;
  bool nothing_to_do() const;
};

BindPlan plan_bind(Session& session, const BindOptions& options, const AddressSource& addresses);

}  // namespace vfioctl
