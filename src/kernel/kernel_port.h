// Every change vfioctl makes to the system goes through this interface: sysfs writes, module
// loads, ownership changes, and the waits between them. The live implementation talks to the
// running kernel; the test suite's simulator implements the same calls with the binding rules
// of drivers/pci/pci-driver.c and drivers/base/, and injects faults. Reads are not here: they
// go through HostRoot like everything else, and the simulator keeps its fake sysfs tree true.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct ModuleLoad {
  enum class Outcome { kLoaded, kAlreadyLoaded, kBuiltin, kBlacklisted, kFailed };
  Outcome outcome = Outcome::kFailed;
  std::string message;  // for kFailed/kBlacklisted: what went wrong and what to do
  bool ok() const { return outcome != Outcome::kFailed && outcome != Outcome::kBlacklisted; }
};

class KernelPort {
 public:
  virtual ~KernelPort() = default;

  // Writes `value` to the sysfs attribute at the absolute host path `path` in one write(2).
  // Returns 0, or the errno the kernel answered with.
  virtual int write_attribute(const std::string& path, std::string_view value) = 0;

  // modprobe semantics: the module, its dependencies and soft dependencies. Built-in counts as
  // loaded. `apply_blacklist`: refuse a module blacklisted in modprobe.d (used when the module
  // was chosen through an alias, as modprobe does for aliases).
  virtual ModuleLoad load_module(const std::string& module, bool apply_blacklist) = 0;

  // chown(2) of a device node such as /dev/vfio/12 (absolute host path). Returns 0 or errno.
  virtual int change_owner(const std::string& path, uid_t uid, gid_t gid) = 0;

  // Lets time pass: the bounded wait for an asynchronous probe.
  virtual void wait(std::chrono::milliseconds duration) = 0;

  // Kernel log lines about `device` logged since the previous call (why a probe refused it).
  // May be empty: reading the log needs privileges and the log may be elsewhere.
  virtual std::vector<std::string> kernel_messages_about(const std::string& device) = 0;
};

}  // namespace vfioctl
