// The policy hook over alias ranking: what the user or the configuration pins or forbids.
// `--driver NAME` pins, `--generic` restricts to the bus's generic module, and the config file
// (persistence issue) fills the denied list. Names are module names, normalised ('-' -> '_');
// the resolver maps a driver-name spelling to its module before it builds a policy.
#pragma once

#include <optional>
#include <set>
#include <string>

namespace vfioctl {

struct DriverPolicy {
  std::optional<std::string> pinned_module;  // only this module; allowed even without an alias
  bool generic_only = false;                 // only the bus's generic vfio module
  std::set<std::string> denied_modules;      // never chosen (still listed, with the reason)
};

}  // namespace vfioctl
