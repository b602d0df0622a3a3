// Puts one device back to a recorded binding. Used by rollback when a multi-device operation
// fails half way, by `vfioctl recover`, and (with the recorded host driver) by release.
//
// It steers by driver_override rather than by the host driver's id table: writing the
// original driver's name into driver_override before probing makes exactly that driver match
// (pci_match_device() returns pci_device_id_any for the named driver), and a VF whose PF has
// sriov_drivers_autoprobe=0 may still probe because an override is set
// (pci_device_can_probe()). Afterwards the original override (usually none) is written back;
// that write never unbinds. Each step continues after a failed write, so a transient error
// does not leave the rest undone; the final state is re-read and compared.
#pragma once

#include <string>

#include "bind/binding_state.h"
#include "bind/override_binder.h"

namespace vfioctl {

struct RestoreResult {
  bool ok = false;
  BindingState final_state;
  std::string message;  // empty when ok
};

RestoreResult restore_binding(OverrideBinder& binder, const std::string& device, const BindingState& original);

}  // namespace vfioctl
