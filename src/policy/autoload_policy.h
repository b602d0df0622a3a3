// Whether vfio modules autoload at all is a user-space decision (the vfio_ap and vfio_ccw
// threads on the kernel lists; vfio-landscape.md a10). vfioctl's policy: a vfio module loads
// only when a rule of the configuration needs it, and vfioctl loads it then.
//
// What can autoload a module is its aliases in modules.alias: udev runs `modprobe -b
// $MODALIAS` for each device (Debian's 80-drivers.rules), and the kernel asks modprobe for
// "char-major-M-N" when a device node without a driver is opened. The "vfio_<bus>:" aliases of
// vfio-pci and its variants are override-only (file2alias.c writes them for
// PCI_DRIVER_OVERRIDE_DEVICE_VFIO), a name no uevent carries, so they never autoload; vfio's
// "devname:vfio/vfio" and "char-major-10-196" load the core, which binds no device, when the
// container node is opened. What remains is a vfio module with a bus alias a uevent does carry
// ("css:t0", "ap:t0a", "pci:v..."): udev would load it for hardware and its driver would take
// devices on its own. Such a module that no rule needs gets a `blacklist` line in
// /etc/modprobe.d/vfioctl-autoload.conf: modprobe.d(5) blacklist ignores the module's own
// aliases, so udev no longer loads it, while a load by name (modprobe NAME, vfioctl bind
// --driver NAME) still works. A module a rule needs never gets a line, so apply is unaffected.
#pragma once

#include <string>
#include <vector>

#include "config/config_file.h"
#include "inventory/session.h"

namespace vfioctl {

inline constexpr const char* kAutoloadPolicyPath = "/etc/modprobe.d/vfioctl-autoload.conf";

struct AutoloadEntry {
  std::string module;
  ModuleState state = ModuleState::kNotFound;
  std::vector<std::string> device_aliases;  // bus aliases a uevent carries: what udev autoloads
  std::vector<std::string> node_aliases;    // devname:, char-major-, block-major-
  std::vector<std::string> needed_by;       // FILE:LINE of the rules that need it
  enum class Decision {
    kNoDeviceAutoload,  // nothing but override-only or node aliases: loads only when asked
    kNeeded,            // a rule needs it: left loadable
    kBlocked,           // autoloads for hardware, no rule needs it: blacklisted
    kBuiltIn,           // built into the kernel: nothing to block
  } decision = Decision::kNoDeviceAutoload;
};
std::string_view to_string(AutoloadEntry::Decision d);

struct AutoloadPolicy {
  std::vector<AutoloadEntry> modules;  // by module name
  std::vector<std::string> notes;
  std::vector<std::string> blocked() const;
};

// The vfio modules of the session's module tree (a name containing "vfio", or a module with a
// "vfio_" alias), with the policy for each under `config`.
AutoloadPolicy compute_autoload_policy(Session& session, const Config& config);

// The text of kAutoloadPolicyPath for the policy; empty when nothing is blocked.
std::string autoload_policy_file(const AutoloadPolicy& policy, const std::vector<std::string>& config_files);

}  // namespace vfioctl
