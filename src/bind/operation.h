// What a state-changing operation (bind, release, vfs, recover) needs and reports.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bind/binding_state.h"
#include "bind/owner_spec.h"
#include "bind/state_files.h"
#include "bus/bus_registry.h"
#include "inventory/session.h"
#include "kernel/kernel_port.h"

namespace vfioctl {

struct Attempt {
  std::string module;
  std::optional<std::string> driver;
  std::string outcome;  // "bound", or why not
};

struct DeviceResult {
  std::string device;   // id as shown to users
  BindingState before;
  BindingState after;
  std::optional<std::string> module;  // the module of the driver it ended on (vfioctl's doing)
  std::optional<std::string> driver;
  std::vector<Attempt> attempts;
  bool changed = false;  // vfioctl moved it (and, on failure, moved it back)
  bool ok = false;
  std::string message;
};

struct OperationResult {
  std::vector<DeviceResult> devices;
  bool ok = true;
  bool rolled_back = false;      // a failure happened and devices were put back
  bool rollback_complete = true; // every device is where it started
  std::vector<std::string> errors;
  std::vector<std::string> notes;
};

// Progress for multi-device work: the CLI prints it on a terminal.
struct ProgressSink {
  std::function<void(std::size_t index, std::size_t total, const std::string& device, const std::string& what)> step;
};

struct OperationContext {
  Session& session;
  KernelPort& kernel;
  StateDir state_dir;
  ProgressSink progress;
  std::optional<OwnerSpec> owner;

  OperationContext(Session& s, KernelPort& k) : session(s), kernel(k), state_dir(s.host()) {}
};

}  // namespace vfioctl
