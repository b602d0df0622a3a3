#include "policy/autoload_policy.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "bind/driver_names.h"
#include "config/rule_match.h"
#include "host/file_io.h"
#include "inventory/snapshot.h"
#include "modules/alias_text.h"
#include "modules/module_name.h"

namespace vfioctl {

namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Aliases that name a device node, not a device: the kernel requests "char-major-M-N" /
// "block-major-M-N" when such a node is opened (fs/char_dev.c, block/bdev.c), and kmod's
// static-nodes turns "devname:" into nodes that do the same.
bool is_node_alias(std::string_view pattern) {
  return starts_with(pattern, "devname:") || starts_with(pattern, "char-major-") || starts_with(pattern, "block-major-");
}

// "vfio_pci:", "vfio_cdx:": override-only names no uevent's MODALIAS carries.
bool is_override_only_alias(std::string_view pattern) { return starts_with(pattern, "vfio_"); }

std::string tree_file(const HostRoot& host, const char* name) {
  if (!host.modules_dir()) return {};
  ReadResult r = read_file(*host.modules_dir() + "/" + name);
  return r.ok() ? r.value : std::string();
}

// Modules of the tree whose name says vfio: loadable ones from modules.dep
// ("kernel/.../vfio_iommu_type1.ko.xz: ..."), built-in ones from modules.builtin.
std::set<std::string> vfio_named_modules(const HostRoot& host) {
  std::set<std::string> out;
  for (const char* index : {"modules.dep", "modules.builtin"}) {
    std::istringstream in(tree_file(host, index));
    std::string line;
    while (std::getline(in, line)) {
      std::string_view path = std::string_view(line).substr(0, line.find(':'));
      if (path.empty()) continue;
      std::string name = module_name_from_path(path);
      if (name.find("vfio") != std::string::npos) out.insert(name);
    }
  }
  return out;
}

// The modules a rule can end up loading for one device: a named driver's module, the generic
// one, or (auto) every usable candidate, since a refused variant falls back to the next.
void modules_for_device(Session& session, const DeviceReport& r, const DeviceRule& rule, std::set<std::string>& into) {
  const Bus* bus = session.buses().find(r.device.bus);
  if (!bus) return;
  switch (rule.driver) {
    case DriverKind::kNamed: {
      std::string error;
      auto spelling = resolve_driver_spelling(session.host(), session.modules(), *bus, rule.driver_name, &error);
      into.insert(spelling ? spelling->module : normalize_module_name(rule.driver_name));
      return;
    }
    case DriverKind::kGeneric:
      into.insert(std::string(bus->generic_vfio_module()));
      return;
    case DriverKind::kAuto:
      if (r.is_vfio && r.device.driver_module) into.insert(*r.device.driver_module);
      for (const auto& c : r.resolution->candidates) {
        if (c.rank > 0) into.insert(c.module);
      }
      return;
  }
}

}  // namespace

std::string_view to_string(AutoloadEntry::Decision d) {
  switch (d) {
    case AutoloadEntry::Decision::kNoDeviceAutoload: return "no-device-autoload";
    case AutoloadEntry::Decision::kNeeded: return "needed";
    case AutoloadEntry::Decision::kBlocked: return "blocked";
    case AutoloadEntry::Decision::kBuiltIn: return "builtin";
  }
  return "?";
}

std::vector<std::string> AutoloadPolicy::blocked() const {
  std::vector<std::string> out;
  for (const auto& m : modules) {
    if (m.decision == AutoloadEntry::Decision::kBlocked) out.push_back(m.module);
  }
  return out;
}

AutoloadPolicy compute_autoload_policy(Session& session, const Config& config) {
  const HostRoot& host = session.host();
  AutoloadPolicy policy;
  if (!host.modules_dir()) {
    policy.notes.push_back("no module tree for kernel " + host.kernel_release() + ": nothing can autoload");
    return policy;
  }

  // Loadable modules' aliases, then built-in ones' (modules.builtin.modinfo, the kernel's text:
  // only to show them, since built-in code cannot be kept from "loading").
  std::vector<AliasEntry> aliases;
  parse_alias_lines(tree_file(host, "modules.alias"), "", aliases);
  parse_builtin_modinfo(tree_file(host, "modules.builtin.modinfo"), "", aliases);
  std::set<std::string> vfio_modules = vfio_named_modules(host);
  for (const auto& a : aliases) {
    if (is_override_only_alias(a.pattern) || a.module.find("vfio") != std::string::npos) {
      vfio_modules.insert(normalize_module_name(a.module));
    }
  }
  std::map<std::string, AutoloadEntry> entries;
  for (const auto& m : vfio_modules) entries[m].module = m;
  for (const auto& a : aliases) {
    auto it = entries.find(normalize_module_name(a.module));
    if (it == entries.end() || is_override_only_alias(a.pattern)) continue;
    (is_node_alias(a.pattern) ? it->second.node_aliases : it->second.device_aliases).push_back(a.pattern);
  }

  // What the rules need, device by device; VFs a [[pf]] rule has still to create are not in
  // the snapshot, so a VF rule keeps every vfio module of the bus loadable.
  Snapshot snap = take_snapshot(session, {});
  std::map<std::string, const DeviceReport*> by_name;
  for (const auto& r : snap.devices) by_name[r.device.id()] = &r;
  for (const auto& rule : config.devices) {
    std::set<std::string> needed;
    for (const auto& name : select_devices(host, snap, rule.selector)) {
      auto it = by_name.find(name);
      if (it != by_name.end()) modules_for_device(session, *it->second, rule, needed);
    }
    if (rule.selector.pf) {
      for (const auto& a : aliases) {
        if (starts_with(a.pattern, "vfio_pci:")) needed.insert(normalize_module_name(a.module));
      }
    }
    for (const auto& m : needed) {
      auto it = entries.find(m);
      if (it != entries.end()) it->second.needed_by.push_back(rule.source.where());
    }
  }

  for (auto& [name, e] : entries) {
    e.state = session.modules().state(name);
    using D = AutoloadEntry::Decision;
    if (e.state == ModuleState::kBuiltin) e.decision = D::kBuiltIn;
    else if (e.device_aliases.empty()) e.decision = D::kNoDeviceAutoload;
    else if (!e.needed_by.empty()) e.decision = D::kNeeded;
    else e.decision = D::kBlocked;
    policy.modules.push_back(std::move(e));
  }
  return policy;
}

std::string autoload_policy_file(const AutoloadPolicy& policy, const std::vector<std::string>& config_files) {
  std::vector<std::string> blocked = policy.blocked();
  if (blocked.empty()) return {};
  std::string out =
      "# Written by `vfioctl policy --write`; rewritten or removed by the next run, do not edit.\n"
      "# vfio modules that udev would load for hardware and that no vfioctl rule needs. A blacklist\n"
      "# line stops alias loading only: `modprobe NAME` still loads one, and so does\n"
      "# `vfioctl bind --driver NAME`; a rule that needs one lifts its line at the next write.\n";
  out += "# Configuration:";
  if (config_files.empty()) out += " none";
  for (const auto& f : config_files) out += " " + f;
  out += "\n";
  for (const auto& m : blocked) out += "blacklist " + m + "\n";
  return out;
}

}  // namespace vfioctl
