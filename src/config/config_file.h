// The configuration vfioctl apply brings the host to (docs/vfioctl.toml.5): one main file,
// /etc/vfioctl/vfioctl.toml, then every /etc/vfioctl/vfioctl.d/*.toml in name order, each a
// list of [[device]] and [[pf]] rules. Parsing is strict: a syntax error, an unknown key, a
// wrong type or a bad value is an error "FILE:LINE:COL: message", and the whole configuration
// is rejected, so a typo never turns into a silently ignored rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bind/owner_spec.h"
#include "host/host_root.h"

namespace vfioctl {

struct RuleSource {
  std::string file;  // as shown to users: the host path (/etc/vfioctl/vfioctl.toml) or FILE as given
  int line = 0;
  int column = 0;
  std::string where() const { return file + ":" + std::to_string(line); }
};

struct IdSelector {
  std::uint16_t vendor = 0;
  std::uint16_t device = 0;
  std::optional<std::uint16_t> subsystem_vendor;  // both or neither
  std::optional<std::uint16_t> subsystem_device;
};

// Exactly one of the selectors is set (the parser enforces it).
struct DeviceSelector {
  std::optional<std::string> address;  // canonical: 0000:01:00.0
  std::optional<IdSelector> ids;
  std::optional<std::string> pf;       // with vfs / all_vfs
  std::vector<int> vfs;                // VF indexes (virtfnN), sorted, unique
  bool all_vfs = false;
  std::optional<std::string> serial;   // NVMe serial number
  std::optional<std::string> mac;      // permanent MAC, lower case, colon separated
  std::string describe() const;        // "address 0000:01:00.0", "ids 8086:10d3", ...
};

enum class DriverKind { kAuto, kGeneric, kNamed };

struct DeviceRule {
  RuleSource source;
  DeviceSelector selector;
  DriverKind driver = DriverKind::kAuto;
  std::string driver_name;  // kNamed: as written (a driver or a module name)
  bool group = false;
  std::optional<OwnerSpec> owner;
};

struct PfRule {
  RuleSource source;
  std::string address;  // canonical
  int num_vfs = 0;
};

struct Config {
  std::vector<std::string> files;  // read, in order
  std::vector<DeviceRule> devices;
  std::vector<PfRule> pfs;
};

struct ConfigResult {
  std::optional<Config> config;      // set when there are no errors
  std::vector<std::string> errors;   // "FILE:LINE:COL: message", in file order
};

// One TOML document. `shown_name` names it in errors and rule sources.
void parse_config_text(const std::string& text, const std::string& shown_name, Config& into,
                       std::vector<std::string>& errors);

// FILE given on the command line (a path of the machine vfioctl runs on, not under --root).
ConfigResult load_config_file(const std::string& path);

// The main file and the drop-ins, under the host root. Neither existing is not an error: the
// result is an empty configuration with no files.
ConfigResult load_default_config(const HostRoot& host);

inline constexpr const char* kMainConfigPath = "/etc/vfioctl/vfioctl.toml";
inline constexpr const char* kDropInDir = "/etc/vfioctl/vfioctl.d";

}  // namespace vfioctl
