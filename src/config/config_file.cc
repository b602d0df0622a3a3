#include "config/config_file.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <toml++/toml.h>

#include "host/file_io.h"
#include "modules/module_name.h"
#include "bus/bus_registry.h"
#include "pci/pci_address.h"

namespace vfioctl {

namespace {

// Errors of one document, positioned.
class Reporter {
 public:
  Reporter(const std::string& file, std::vector<std::string>& errors) : file_(file), errors_(errors) {}
  void at(const toml::source_region& where, const std::string& message) {
    errors_.push_back(file_ + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column) + ": " +
                      message);
  }
  RuleSource source(const toml::source_region& where) const {
    return RuleSource{file_, static_cast<int>(where.begin.line), static_cast<int>(where.begin.column)};
  }
  std::size_t count() const { return errors_.size(); }

 private:
  const std::string& file_;
  std::vector<std::string>& errors_;
};

std::optional<std::uint16_t> hex4(std::string_view s) {
  if (s.size() != 4) return std::nullopt;
  std::uint16_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

std::optional<IdSelector> parse_ids(std::string_view s) {
  auto parts = split(s, ':');
  if (parts.size() != 2 && parts.size() != 4) return std::nullopt;
  std::vector<std::uint16_t> v;
  for (auto p : parts) {
    auto x = hex4(p);
    if (!x) return std::nullopt;
    v.push_back(*x);
  }
  IdSelector ids{v[0], v[1], std::nullopt, std::nullopt};
  if (v.size() == 4) {
    ids.subsystem_vendor = v[2];
    ids.subsystem_device = v[3];
  }
  return ids;
}

std::optional<std::string> parse_mac(std::string_view s) {
  auto parts = split(s, ':');
  if (parts.size() != 6) return std::nullopt;
  std::string out;
  for (auto p : parts) {
    if (p.size() != 2 || !std::all_of(p.begin(), p.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
      return std::nullopt;
    }
    if (!out.empty()) out += ':';
    for (char c : p) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\n");
  return std::string(s.substr(b, e - b + 1));
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date or time";
  }
}

// The value of `key` as a string, or an error for another type.
std::optional<std::string> string_of(Reporter& r, const std::string& key, const toml::node& n) {
  if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
  r.at(n.source(), "'" + key + "' must be a string, not " + type_name(n));
  return std::nullopt;
}

std::optional<std::string> address_of(Reporter& r, const std::string& key, const toml::node& n) {
  auto s = string_of(r, key, n);
  if (!s) return std::nullopt;
  auto a = PciAddress::parse(*s);
  if (!a) {
    r.at(n.source(), "'" + key + "': '" + *s + "' is not a PCI address (DDDD:BB:DD.F, like 0000:01:00.0)");
    return std::nullopt;
  }
  return a->to_string();
}

// A [[device]] address: a PCI address, or BUS/NAME for the other buses ("platform/fff51000.ethernet"),
// as a DEVICE argument is written; canonical as DeviceRef::id() spells it.
std::optional<std::string> device_of(Reporter& r, const std::string& key, const toml::node& n) {
  auto s = string_of(r, key, n);
  if (!s) return std::nullopt;
  if (s->find('/') == std::string::npos) return address_of(r, key, n);
  std::string error;
  const BusRegistry buses;  // outlives ref, which points into it
  auto ref = buses.parse(*s, &error);
  if (!ref) {
    r.at(n.source(), "'" + key + "': " + error);
    return std::nullopt;
  }
  return ref->id();
}

void parse_device(Reporter& r, const toml::table& t, Config& into) {
  const std::size_t errors_before = r.count();
  DeviceRule rule;
  rule.source = r.source(t.source());
  std::vector<std::string> selectors;
  const toml::node* vfs_node = nullptr;
  const toml::source_region* vfs_key = nullptr;
  for (auto&& [key, node] : t) {
    const std::string k(key.str());
    // clang before 16 cannot capture a structured binding, so name the region first.
    const toml::source_region& key_source = key.source();
    auto selector = [&] {
      if (!selectors.empty()) {
        r.at(key_source, "conflicting selectors: '" + selectors.front() + "' and '" + k +
                               "' (a [[device]] rule selects by exactly one of address, ids, pf, serial, mac)");
      }
      selectors.push_back(k);
    };
    if (k == "address") {
      selector();
      rule.selector.address = device_of(r, k, node);
    } else if (k == "ids") {
      selector();
      if (auto s = string_of(r, k, node)) {
        rule.selector.ids = parse_ids(*s);
        if (!rule.selector.ids) {
          r.at(node.source(), "'ids': '" + *s + "' is not VENDOR:DEVICE or VENDOR:DEVICE:SUBVENDOR:SUBDEVICE "
                              "(four hex digits each, like 8086:10d3)");
        }
      }
    } else if (k == "pf") {
      selector();
      rule.selector.pf = address_of(r, k, node);
    } else if (k == "vfs") {
      vfs_node = &node;
      vfs_key = &key.source();
    } else if (k == "serial") {
      selector();
      if (auto s = string_of(r, k, node)) {
        rule.selector.serial = trim(*s);
        if (rule.selector.serial->empty()) r.at(node.source(), "'serial' is empty");
      }
    } else if (k == "mac") {
      selector();
      if (auto s = string_of(r, k, node)) {
        rule.selector.mac = parse_mac(*s);
        if (!rule.selector.mac) r.at(node.source(), "'mac': '" + *s + "' is not a MAC address (like 00:1b:21:0a:8b:2c)");
      }
    } else if (k == "driver") {
      if (auto s = string_of(r, k, node)) {
        if (*s == "auto") {
          rule.driver = DriverKind::kAuto;
        } else if (*s == "generic") {
          rule.driver = DriverKind::kGeneric;
        } else if (is_valid_module_or_driver_name(*s)) {
          rule.driver = DriverKind::kNamed;
          rule.driver_name = *s;
        } else {
          r.at(node.source(), "'driver': '" + *s + "' is not \"auto\", \"generic\" or a driver or module name");
        }
      }
    } else if (k == "group") {
      if (node.is_boolean()) rule.group = *node.value<bool>();
      else r.at(node.source(), "'group' must be true or false, not " + std::string(type_name(node)));
    } else if (k == "owner") {
      if (auto s = string_of(r, k, node)) {
        std::string error;
        rule.owner = parse_owner(*s, &error);
        if (!rule.owner) {
          if (error.rfind("--owner", 0) == 0) error.erase(0, 2);
          r.at(node.source(), error);
        }
      }
    } else {
      r.at(key.source(), "unknown key '" + k + "' in [[device]] (known: address, ids, pf, vfs, serial, mac, driver, group, owner)");
    }
  }

  if (vfs_node) {
    if (!rule.selector.pf) {
      if (std::find(selectors.begin(), selectors.end(), "pf") == selectors.end()) {
        r.at(*vfs_key, "'vfs' needs 'pf' (the physical function whose VFs are meant)");
      }
    } else if (vfs_node->is_string()) {
      if (*vfs_node->value<std::string>() == "all") rule.selector.all_vfs = true;
      else r.at(vfs_node->source(), "'vfs' must be \"all\" or a list of VF indexes like [0, 1]");
    } else if (const toml::array* a = vfs_node->as_array()) {
      std::set<int> indexes;
      for (const auto& e : *a) {
        auto v = e.value<std::int64_t>();
        if (!e.is_integer() || *v < 0 || *v > 65535) {
          r.at(e.source(), "a VF index is an integer from 0 to 65535");
          continue;
        }
        indexes.insert(static_cast<int>(*v));
      }
      if (a->empty()) r.at(vfs_node->source(), "'vfs' is empty");
      rule.selector.vfs.assign(indexes.begin(), indexes.end());
    } else {
      r.at(vfs_node->source(), "'vfs' must be \"all\" or a list of VF indexes like [0, 1], not " + std::string(type_name(*vfs_node)));
    }
  } else if (std::find(selectors.begin(), selectors.end(), "pf") != selectors.end()) {
    r.at(t.source(), "a rule with 'pf' needs 'vfs' (a list of VF indexes, or \"all\")");
  }
  if (selectors.empty() && !vfs_node) {  // with vfs, the missing pf was reported above
    r.at(t.source(), "[[device]] needs a selector: address, ids, pf (with vfs), serial or mac");
  }
  if (r.count() == errors_before) into.devices.push_back(std::move(rule));
}

void parse_pf(Reporter& r, const toml::table& t, Config& into) {
  const std::size_t errors_before = r.count();
  PfRule rule;
  rule.source = r.source(t.source());
  bool has_address = false, has_count = false;
  for (auto&& [key, node] : t) {
    const std::string k(key.str());
    if (k == "address") {
      has_address = true;
      if (auto a = address_of(r, k, node)) rule.address = *a;
    } else if (k == "num_vfs") {
      has_count = true;
      auto v = node.value<std::int64_t>();
      if (!node.is_integer() || *v < 0 || *v > 65535) r.at(node.source(), "'num_vfs' is an integer from 0 to 65535");
      else rule.num_vfs = static_cast<int>(*v);
    } else {
      r.at(key.source(), "unknown key '" + k + "' in [[pf]] (known: address, num_vfs)");
    }
  }
  if (!has_address) r.at(t.source(), "[[pf]] needs 'address'");
  if (!has_count) r.at(t.source(), "[[pf]] needs 'num_vfs'");
  if (r.count() == errors_before) into.pfs.push_back(std::move(rule));
}

template <typename Each>
void parse_rule_list(Reporter& r, const std::string& k, const toml::node& node, Each each) {
  const toml::array* a = node.as_array();
  if (!a || !a->is_array_of_tables()) {
    r.at(node.source(), "'" + k + "' must be a list of tables: write each rule under its own [[" + k + "]] header");
    return;
  }
  for (const auto& e : *a) each(*e.as_table());
}

ConfigResult finish(Config config, std::vector<std::string> errors) {
  ConfigResult out;
  if (errors.empty()) out.config = std::move(config);
  out.errors = std::move(errors);
  return out;
}

bool read_into(const std::string& real_path, const std::string& shown, Config& config, std::vector<std::string>& errors) {
  ReadResult text = read_file(real_path, 1u << 20);
  if (!text.ok()) {
    errors.push_back(shown + ": " + errno_text(text.error));
    return false;
  }
  config.files.push_back(shown);
  parse_config_text(text.value, shown, config, errors);
  return true;
}

}  // namespace

std::string DeviceSelector::describe() const {
  if (address) return "address " + *address;
  if (ids) {
    char buf[32];
    if (ids->subsystem_vendor) {
      std::snprintf(buf, sizeof buf, "%04x:%04x:%04x:%04x", ids->vendor, ids->device, *ids->subsystem_vendor,
                    *ids->subsystem_device);
    } else {
      std::snprintf(buf, sizeof buf, "%04x:%04x", ids->vendor, ids->device);
    }
    return std::string("ids ") + buf;
  }
  if (pf) {
    if (all_vfs) return "every VF of " + *pf;
    std::string s = "VF";
    s += vfs.size() > 1 ? "s " : " ";
    for (std::size_t i = 0; i < vfs.size(); ++i) s += (i ? "," : "") + std::to_string(vfs[i]);
    return s + " of " + *pf;
  }
  if (serial) return "serial " + *serial;
  if (mac) return "mac " + *mac;
  return "nothing";
}

void parse_config_text(const std::string& text, const std::string& shown_name, Config& into,
                       std::vector<std::string>& errors) {
  Reporter r(shown_name, errors);
  toml::table root;
  try {
    root = toml::parse(text, shown_name);
  } catch (const toml::parse_error& e) {
    r.at(e.source(), std::string(e.description()));
    return;
  }
  for (auto&& [key, node] : root) {
    const std::string k(key.str());
    if (k == "device") {
      parse_rule_list(r, k, node, [&](const toml::table& t) { parse_device(r, t, into); });
    } else if (k == "pf") {
      parse_rule_list(r, k, node, [&](const toml::table& t) { parse_pf(r, t, into); });
    } else {
      r.at(key.source(), "unknown key '" + k + "' (a configuration holds [[device]] and [[pf]] rules)");
    }
  }
}

ConfigResult load_config_file(const std::string& path) {
  Config config;
  std::vector<std::string> errors;
  read_into(path, path, config, errors);
  return finish(std::move(config), std::move(errors));
}

ConfigResult load_default_config(const HostRoot& host) {
  Config config;
  std::vector<std::string> errors;
  if (path_exists(host.path(kMainConfigPath))) read_into(host.path(kMainConfigPath), kMainConfigPath, config, errors);
  int dir_error = 0;
  auto names = list_dir(host.path(kDropInDir), &dir_error);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    // Editors and package managers leave *.toml~, *.dpkg-old and dot files: only *.toml counts.
    if (name.size() <= 5 || name.front() == '.' || name.compare(name.size() - 5, 5, ".toml") != 0) continue;
    const std::string shown = std::string(kDropInDir) + "/" + name;
    read_into(host.path(shown), shown, config, errors);
  }
  return finish(std::move(config), std::move(errors));
}

}  // namespace vfioctl
