#include "support/sim_kernel.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "pci/pci_address.h"

namespace vfioctl::testing {

namespace fs = std::filesystem;

const char* to_string(SimFault fault) {
  switch (fault) {
    case SimFault::kEbusy: return "EBUSY";
    case SimFault::kEnodev: return "ENODEV";
    case SimFault::kEio: return "EIO";
    case SimFault::kRemoveDevice: return "device removed";
    case SimFault::kRefuseProbe: return "probe refused";
    case SimFault::kCrash: return "crash";
  }
  return "?";
}

namespace {

constexpr std::size_t kPageSize = 4096;

// sysfs_streq() (lib/string.c), as bus_find_device_by_name() -> device_match_name() uses it:
// equal, ignoring one trailing newline on the written side.
std::string_view strip_one_newline(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

// kstrtobool() (lib/kstrtox.c): decided by the first character(s); anything else is -EINVAL.
std::optional<bool> parse_kstrtobool(std::string_view s) {
  if (s.empty()) return std::nullopt;
  switch (s[0]) {
    case 'y': case 'Y': case 't': case 'T': case '1': return true;
    case 'n': case 'N': case 'f': case 'F': case '0': return false;
    case 'o': case 'O':
      if (s.size() > 1 && (s[1] == 'n' || s[1] == 'N')) return true;
      if (s.size() > 1 && (s[1] == 'f' || s[1] == 'F')) return false;
      return std::nullopt;
    default: return std::nullopt;
  }
}

// kstrtou16(buf, 0, ...) (lib/kstrtox.c): base prefix allowed, one trailing newline allowed,
// no sign but '+', nothing else.
std::optional<unsigned> parse_kstrtou16(std::string_view s) {
  s = strip_one_newline(s);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s[0] == '-' || s[0] == ' ') return std::nullopt;
  std::string text(s);
  char* end = nullptr;
  errno = 0;
  unsigned long v = std::strtoul(text.c_str(), &end, 0);
  if (errno != 0 || end != text.c_str() + text.size() || v > 0xffff) return std::nullopt;
  return static_cast<unsigned>(v);
}

// "/sys/bus/pci/devices/<dev>/<attr>" -> {dev, attr}
std::optional<std::pair<std::string, std::string>> split_device_attr(const std::string& path) {
  static const std::string prefix = "/sys/bus/pci/devices/";
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  return std::make_pair(rest.substr(0, slash), rest.substr(slash + 1));
}

// "/sys/bus/pci/drivers/<drv>/<attr>" -> {drv, attr}
std::optional<std::pair<std::string, std::string>> split_driver_attr(const std::string& path) {
  static const std::string prefix = "/sys/bus/pci/drivers/";
  if (path.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string rest = path.substr(prefix.size());
  auto slash = rest.find('/');
  if (slash == std::string::npos) return std::nullopt;
  return std::make_pair(rest.substr(0, slash), rest.substr(slash + 1));
}

std::string normalize_module(std::string name) {
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

constexpr const char* kNoiommuParam = "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode";

}  // namespace

SimKernel::SimKernel(FakeSysfs& sysfs) : sysfs_(sysfs) {}

// ---- the model ----------------------------------------------------------------------------

SimKernel& SimKernel::module(const std::string& name_in, SimModuleState state, bool blacklisted) {
  std::string name = normalize_module(name_in);
  Module& m = modules_[name];
  SimModuleState before = m.state;
  if (before != SimModuleState::kNotLoaded && state == SimModuleState::kNotLoaded) {
    throw std::logic_error("SimKernel: " + name + " is loaded; unload() it instead");
  }
  m.state = state;
  m.blacklisted = blacklisted;
  if (before == SimModuleState::kNotLoaded && state != SimModuleState::kNotLoaded) {
    // Present at boot: the drivers are registered; the description already says what they bound.
    for (const auto& d : m.drivers) register_driver(d, /*attach=*/false);
    if (m.drivers.empty() && !name.empty()) {
      sysfs_.module(name, state == SimModuleState::kBuiltin ? ModuleKind::kBuiltin : ModuleKind::kLoadable);
    }
    if (name == "vfio") set_noiommu_param();
  }
  std::string conf;
  for (const auto& [n, mod] : modules_) {
    if (mod.blacklisted) conf += "blacklist " + n + "\n";
  }
  sysfs_.root().write("/etc/modprobe.d/sim-blacklist.conf", conf);
  return *this;
}

SimKernel& SimKernel::driver(SimDriver d) {
  if (drivers_.count(d.name)) throw std::logic_error("SimKernel: driver " + d.name + " declared twice");
  d.module = normalize_module(d.module);
  std::string name = d.name;
  std::string module_name = d.module;
  drivers_.emplace(name, std::move(d));
  if (module_name.empty()) {
    // Built into the kernel with no /sys/module entry: registered from the start.
    register_driver(name, /*attach=*/false);
  } else {
    Module& m = modules_[module_name];
    m.drivers.push_back(name);
    if (m.state != SimModuleState::kNotLoaded) register_driver(name, /*attach=*/false);
  }
  return *this;
}

SimKernel& SimKernel::depends(const std::string& module, const std::string& on) {
  modules_[normalize_module(module)].depends.push_back(normalize_module(on));
  modules_[normalize_module(on)];
  return *this;
}

SimKernel& SimKernel::vf_device(const std::string& pf, std::uint16_t device) {
  pfs_[pf].vf_device = device;
  return *this;
}

SimKernel& SimKernel::inject(std::size_t write_index, SimFault fault, std::string device) {
  faults_.emplace(write_index, std::make_pair(fault, std::move(device)));
  return *this;
}

const SimDriver* SimKernel::find_driver(const std::string& name) const {
  auto it = drivers_.find(name);
  return it == drivers_.end() ? nullptr : &it->second;
}

std::optional<std::string> SimKernel::driver_of(const std::string& device) const {
  if (!sysfs_.has_pci(device)) return std::nullopt;
  return sysfs_.pci_at(device).bound_driver();
}

std::optional<std::string> SimKernel::override_of(const std::string& device) const {
  if (!sysfs_.has_pci(device)) return std::nullopt;
  return sysfs_.pci_at(device).current_override();
}

bool SimKernel::module_loaded(const std::string& module) const {
  auto it = modules_.find(normalize_module(module));
  return it != modules_.end() && it->second.state != SimModuleState::kNotLoaded;
}

void SimKernel::check_model() {
  for (const auto& address : sysfs_.pci_addresses()) {
    const auto& drv = sysfs_.pci_at(address).bound_driver();
    if (!drv) continue;
    auto it = drivers_.find(*drv);
    if (it == drivers_.end()) {
      throw std::logic_error("SimKernel: " + address + " is bound to " + *drv + ", which was not declared with driver()");
    }
    if (std::find(registered_.begin(), registered_.end(), *drv) == registered_.end()) {
      throw std::logic_error("SimKernel: " + address + " is bound to " + *drv + ", whose module is not loaded");
    }
  }
  render();  // declarations made since the last call
  if (booted_) return;
  booted_ = true;
  // vfio made the group nodes of the devices that were bound at boot.
  for (const auto& address : sysfs_.pci_addresses()) {
    const FakePci& d = sysfs_.pci_at(address);
    if (!d.bound_driver() || !d.iommu_group_number()) continue;
    if (drivers_.at(*d.bound_driver()).vfio_pci_core) sysfs_.root().write(group_node(*d.iommu_group_number()), "");
  }
}

void SimKernel::render() { sysfs_.write(); }

void SimKernel::logk(const std::string& device, const std::string& message) {
  log_.push_back(message);
  unread_messages_[device].push_back(message);
}

std::optional<std::string> SimKernel::find_device(std::string_view sysfs_name) const {
  std::string name(strip_one_newline(sysfs_name));
  if (!sysfs_.has_pci(name)) return std::nullopt;
  return name;
}

std::vector<std::string> SimKernel::vfs_of(const std::string& pf) const {
  std::vector<std::string> out;
  for (const auto& address : sysfs_.pci_addresses()) {
    if (sysfs_.pci_at(address).physfn_address() == pf) out.push_back(address);
  }
  return out;
}

int SimKernel::next_free_group() const {
  int highest = 99;
  for (const auto& address : sysfs_.pci_addresses()) {
    if (auto g = sysfs_.pci_at(address).iommu_group_number()) highest = std::max(highest, *g);
  }
  return highest + 1;
}

std::string SimKernel::group_node(int group) const {
  return noiommu_groups_.count(group) ? "/dev/vfio/noiommu-" + std::to_string(group) : "/dev/vfio/" + std::to_string(group);
}

// ---- KernelPort ---------------------------------------------------------------------------

int SimKernel::write_attribute(const std::string& path, std::string_view value) {
  check_model();
  const std::size_t index = write_count_++;
  auto [first, last] = faults_.equal_range(index);
  std::optional<int> fail_with;
  bool refuse = false;
  for (auto it = first; it != last; ++it) {
    switch (it->second.first) {
      case SimFault::kCrash:
        fault_fired_ = true;
        throw SimulatedCrash{index, path};
      case SimFault::kRemoveDevice: {
        std::optional<std::string> target = it->second.second.empty() ? device_of_write(path, value)
                                                                      : std::optional<std::string>(it->second.second);
        if (target && sysfs_.has_pci(*target)) {
          remove_device(*target);
          fault_fired_ = true;
          render();
        }
        break;
      }
      case SimFault::kEbusy: fail_with = EBUSY; break;
      case SimFault::kEnodev: fail_with = ENODEV; break;
      case SimFault::kEio: fail_with = EIO; break;
      case SimFault::kRefuseProbe: refuse = true; break;
    }
  }
  if (fail_with) {
    fault_fired_ = true;
    writes_.push_back(SimWrite{path, std::string(value), *fail_with});
    return *fail_with;
  }
  refuse_probes_now_ = refuse;
  int error = dispatch(path, value);
  refuse_probes_now_ = false;
  writes_.push_back(SimWrite{path, std::string(value), error});
  render();
  return error;
}

std::optional<std::string> SimKernel::device_of_write(const std::string& path, std::string_view value) const {
  if (auto da = split_device_attr(path)) return da->first;
  if (auto dr = split_driver_attr(path)) return std::string(strip_one_newline(value));
  if (path == "/sys/bus/pci/drivers_probe") return std::string(strip_one_newline(value));
  return std::nullopt;
}

int SimKernel::dispatch(const std::string& path, std::string_view value) {
  if (auto da = split_device_attr(path)) {
    const auto& [device, attr] = *da;
    if (!sysfs_.has_pci(device)) return ENOENT;  // open() of a path that is not there
    if (attr == "driver_override") return store_driver_override(device, value);
    if (attr == "sriov_numvfs" || attr == "sriov_drivers_autoprobe") {
      // drivers/pci/iov.c sriov_pf_attrs_are_visible(): only PFs have them.
      if (!sysfs_.pci_at(device).sriov_settings() || sysfs_.pci_at(device).physfn_address()) return ENOENT;
      return attr == "sriov_numvfs" ? store_sriov_numvfs(device, value) : store_sriov_autoprobe(device, value);
    }
  } else if (auto dr = split_driver_attr(path)) {
    const auto& [driver, attr] = *dr;
    bool registered = std::find(registered_.begin(), registered_.end(), driver) != registered_.end();
    if (!registered) return ENOENT;
    if (attr == "bind") return store_bind(driver, value);
    if (attr == "unbind") return store_unbind(driver, value);
  } else if (path == "/sys/bus/pci/drivers_probe") {
    return store_drivers_probe(value);
  } else if (path == kNoiommuParam) {
    if (!module_loaded("vfio") || !noiommu_config_) return ENOENT;
    return store_noiommu(value);
  }
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(sysfs_.root().at(path), ec))) return ENOENT;
  throw std::logic_error("SimKernel: writing " + path + " is not modelled");
}

// drivers/base/driver.c driver_set_override(): -EINVAL from PAGE_SIZE - 1 bytes on; the length
// is recomputed with strlen() (a written NUL ends the name); the name ends at the first
// newline; an empty name clears the override. Writing it never probes or unbinds.
int SimKernel::store_driver_override(const std::string& device, std::string_view value) {
  if (value.size() >= kPageSize - 1) return EINVAL;
  std::string_view s = value.substr(0, value.find('\0'));
  s = s.substr(0, s.find('\n'));
  if (s.empty()) sysfs_.pci(device).no_override();
  else sysfs_.pci(device).override_driver(s);
  return 0;
}

// drivers/base/bus.c bind_store(): -ENODEV unless the device exists and the driver matches it
// (driver_match_device -> pci_bus_match -> pci_match_device); then device_driver_attach()
// (drivers/base/dd.c): -EBUSY when the device has a driver, else the probe's own error.
int SimKernel::store_bind(const std::string& driver, std::string_view value) {
  auto device = find_device(value);
  const SimDriver& drv = drivers_.at(driver);
  if (!device || !match(drv, sysfs_.pci_at(*device))) return ENODEV;
  if (sysfs_.pci_at(*device).bound_driver()) return EBUSY;
  int rc = probe(drv, *device);
  return rc < 0 ? -rc : 0;
}

// drivers/base/bus.c unbind_store(): -ENODEV unless the device is bound to exactly this driver.
int SimKernel::store_unbind(const std::string& driver, std::string_view value) {
  auto device = find_device(value);
  if (!device || sysfs_.pci_at(*device).bound_driver() != driver) return ENODEV;
  release_driver(*device);
  return 0;
}

// drivers/base/bus.c drivers_probe_store(): -ENODEV for an unknown device; otherwise
// bus_rescan_devices_helper() attaches an unbound device (device_attach) and the write
// succeeds whether or not a driver took it.
int SimKernel::store_drivers_probe(std::string_view value) {
  auto device = find_device(value);
  if (!device) return ENODEV;
  if (!sysfs_.pci_at(*device).bound_driver()) attach(*device);
  return 0;
}

// drivers/pci/iov.c sriov_numvfs_store(): kstrtou16 or -EINVAL; above sriov_totalvfs -ERANGE;
// the current count is a no-op; no driver or no sriov_configure -ENOENT; 0 disables; a
// different non-zero count while VFs are enabled -EBUSY.
int SimKernel::store_sriov_numvfs(const std::string& pf, std::string_view value) {
  auto n = parse_kstrtou16(value);
  if (!n) return EINVAL;
  auto s = *sysfs_.pci_at(pf).sriov_settings();
  if (static_cast<int>(*n) > s.totalvfs) return ERANGE;
  if (static_cast<int>(*n) == s.numvfs) return 0;
  const auto& drv = sysfs_.pci_at(pf).bound_driver();
  if (!drv || !drivers_.at(*drv).sriov_configure) {
    logk(pf, fmt::format("{} {}: Driver doesn't support SRIOV configuration via sysfs", drv.value_or("pci"), pf));
    return ENOENT;
  }
  if (*n == 0) {
    remove_vfs(pf);
    return 0;
  }
  if (s.numvfs > 0) {
    logk(pf, fmt::format("{} {}: {} VFs already enabled. Disable before enabling {} VFs", *drv, pf, s.numvfs, *n));
    return EBUSY;
  }
  add_vfs(pf, static_cast<int>(*n));
  return 0;
}

// drivers/pci/iov.c sriov_drivers_autoprobe_store(): kstrtobool or -EINVAL.
int SimKernel::store_sriov_autoprobe(const std::string& pf, std::string_view value) {
  auto on = parse_kstrtobool(value);
  if (!on) return EINVAL;
  auto s = *sysfs_.pci_at(pf).sriov_settings();
  sysfs_.pci(pf).sriov(s.totalvfs, s.numvfs, *on);
  return 0;
}

// module_param_named(enable_unsafe_noiommu_mode, ..., bool, ...) in drivers/vfio/vfio_main.c:
// param_set_bool() -> kstrtobool().
int SimKernel::store_noiommu(std::string_view value) {
  auto on = parse_kstrtobool(value);
  if (!on) return EINVAL;
  noiommu_ = *on;
  set_noiommu_param();
  return 0;
}

void SimKernel::set_noiommu_param() {
  if (noiommu_config_) sysfs_.file(kNoiommuParam, noiommu_ ? "Y\n" : "N\n");
}

ModuleLoad SimKernel::load_module(const std::string& module_in, bool apply_blacklist) {
  check_model();
  ModuleLoad result;
  std::string name = normalize_module(module_in);
  auto it = modules_.find(name);
  if (it == modules_.end() || name.empty()) {
    result.message = "cannot load " + module_in + ": not found in the module tree";
    return result;
  }
  Module& m = it->second;
  if (m.state == SimModuleState::kBuiltin) {
    result.outcome = ModuleLoad::Outcome::kBuiltin;
    return result;
  }
  if (m.state == SimModuleState::kLoaded) {
    result.outcome = ModuleLoad::Outcome::kAlreadyLoaded;
    return result;
  }
  if (m.blacklisted && apply_blacklist) {
    result.outcome = ModuleLoad::Outcome::kBlacklisted;
    result.message = name + " is blacklisted in modprobe.d; remove the blacklist line or choose another driver";
    return result;
  }
  for (const auto& dep : std::vector<std::string>(m.depends)) {
    ModuleLoad d = load_module(dep, false);
    if (!d.ok()) return d;
  }
  Module& loaded = modules_.at(name);
  loaded.state = SimModuleState::kLoaded;
  module_loads_.push_back(name);
  if (loaded.drivers.empty()) sysfs_.module(name, ModuleKind::kLoadable);
  if (name == "vfio") set_noiommu_param();
  // do_init_module -> the module's init -> pci_register_driver -> driver_register ->
  // bus_add_driver -> driver_attach (drivers/base/bus.c, dd.c __driver_attach).
  for (const auto& d : std::vector<std::string>(loaded.drivers)) register_driver(d, /*attach=*/true);
  render();
  result.outcome = ModuleLoad::Outcome::kLoaded;
  return result;
}

int SimKernel::change_owner(const std::string& path, uid_t uid, gid_t gid) {
  check_model();
  std::error_code ec;
  if (!fs::exists(sysfs_.root().at(path), ec)) return ENOENT;
  chowns_.push_back(SimChown{path, uid, gid});
  return 0;
}

void SimKernel::wait(std::chrono::milliseconds duration) { waited_ += duration; }

std::vector<std::string> SimKernel::kernel_messages_about(const std::string& device) {
  std::vector<std::string> out;
  out.swap(unread_messages_[device]);
  return out;
}

// ---- the driver core ----------------------------------------------------------------------

// drivers/pci/pci-driver.c pci_match_device(): an override naming another driver is no match
// at all; dynamic ids (not modelled) come first; a static entry with override_only matches only
// when the override names this driver; and an override naming this driver matches even when
// no entry does (pci_device_id_any). pci_match_one_device() (drivers/pci/pci.h) compares each
// field unless it is PCI_ANY_ID, and the class under class_mask.
const SimIdEntry* SimKernel::match(const SimDriver& drv, const FakePci& dev) const {
  static const SimIdEntry kAny;  // pci_device_id_any
  const auto& override_name = dev.current_override();
  int ret = !override_name ? -1 : (*override_name == drv.name ? 1 : 0);
  if (ret == 0) return nullptr;
  for (const auto& e : drv.ids) {
    bool hit = (e.vendor == kPciAnyId || e.vendor == dev.vendor_id()) &&
               (e.device == kPciAnyId || e.device == dev.device_id()) &&
               (e.subvendor == kPciAnyId || e.subvendor == dev.subsystem_vendor_id()) &&
               (e.subdevice == kPciAnyId || e.subdevice == dev.subsystem_device_id()) &&
               ((e.cls ^ dev.class_code_value()) & e.class_mask) == 0;
    if (!hit) continue;
    if (!e.override_only || ret > 0) return &e;
  }
  return ret > 0 ? &kAny : nullptr;
}

// drivers/pci/pci-driver.c pci_device_can_probe() (CONFIG_PCI_IOV): a VF probes only when its
// PF has sriov_drivers_autoprobe set or the VF has a driver_override.
bool SimKernel::can_probe(const FakePci& dev) const {
  if (!dev.physfn_address()) return true;
  if (dev.current_override()) return true;
  auto pf = sysfs_.pci_at(*dev.physfn_address()).sriov_settings();
  return pf && pf->drivers_autoprobe;
}

// drivers/pci/pci-driver.c pci_device_probe(): -ENODEV when the device may not probe, or when
// pci_match_device() finds no id (__pci_device_probe); then the driver's probe(). For a
// vfio_pci_core driver the variant's own checks come first (pds_vfio_pci refuses non-VFs in
// its init), then vfio_pci_core_register_device(): a header type other than normal -EINVAL,
// a PF with VFs enabled -EBUSY ("Cannot bind to PF with SR-IOV enabled"), no IOMMU group
// -EINVAL (unless vfio's no-IOMMU mode makes one). drivers/base/dd.c call_driver_probe() logs
// a failure except -ENODEV/-ENXIO, which are debug messages ("rejects match").
int SimKernel::probe(const SimDriver& drv, const std::string& device) {
  const FakePci& dev = sysfs_.pci_at(device);
  if (!can_probe(dev)) return -ENODEV;
  if (!match(drv, dev)) return -ENODEV;
  int err = 0;
  if (refuse_probes_now_) {
    fault_fired_ = true;
    err = EINVAL;
  } else {
    switch (drv.probe.kind) {
      case SimProbePolicy::Kind::kAccept: break;
      case SimProbePolicy::Kind::kRefuseUnlessVf:
        if (!dev.physfn_address()) err = drv.probe.error;
        break;
      case SimProbePolicy::Kind::kRefuse: err = drv.probe.error; break;
      case SimProbePolicy::Kind::kRefuseTimes:
        if (probe_refusals_[drv.name] < drv.probe.times) {
          ++probe_refusals_[drv.name];
          err = drv.probe.error;
        }
        break;
    }
  }
  if (!err && drv.vfio_pci_core) {
    auto sriov = dev.sriov_settings();
    if ((dev.header_type_value() & 0x7f) != 0) {
      err = EINVAL;
    } else if (sriov && sriov->numvfs > 0 && !dev.physfn_address()) {
      logk(device, fmt::format("{} {}: Cannot bind to PF with SR-IOV enabled", drv.name, device));
      err = EBUSY;
    } else if (!dev.iommu_group_number() && !noiommu_) {
      err = EINVAL;
    }
  }
  if (err) {
    if (err != ENODEV && err != ENXIO) logk(device, fmt::format("{}: probe of {} failed with error -{}", drv.name, device, err));
    return -err;
  }
  bind_to(drv, device);
  return 0;
}

void SimKernel::bind_to(const SimDriver& drv, const std::string& device) {
  ModuleKind kind = ModuleKind::kNone;
  if (!drv.module.empty()) {
    kind = modules_.at(drv.module).state == SimModuleState::kBuiltin ? ModuleKind::kBuiltin : ModuleKind::kLoadable;
  }
  FakePci& dev = sysfs_.pci(device);
  dev.driver(drv.name, drv.module, kind);
  if (!drv.vfio_pci_core) return;
  if (!dev.iommu_group_number()) {
    // vfio_iommu_group_get() in no-IOMMU mode: a group of its own (vfio_noiommu_group_alloc).
    int g = next_free_group();
    noiommu_groups_.insert(g);
    dev.group(g);
  }
  // drivers/vfio/vfio_main.c: the vfio-dev/vfioN class device, and the group's character
  // device /dev/vfio/<group> (noiommu-<group> in no-IOMMU mode) while the group has a device.
  const int number = next_vfio_dev_++;
  dev.vfio_dev(number);
  vfio_dev_numbers_[device] = number;
  if (dev_nodes_) sysfs_.root().write(group_node(*dev.iommu_group_number()), "");
  if (device_cdev_ && dev_nodes_) sysfs_.root().write("/dev/vfio/devices/vfio" + std::to_string(number), "");
}

// drivers/base/dd.c __device_attach(): a bound device stays; otherwise every registered driver
// in registration order (bus_for_each_drv), first match that probes wins; a probe error lets
// the next driver try (__device_attach_driver: "Ignore errors returned by ->probe").
bool SimKernel::attach(const std::string& device) {
  if (sysfs_.pci_at(device).bound_driver()) return true;
  for (const auto& name : std::vector<std::string>(registered_)) {
    const SimDriver& drv = drivers_.at(name);
    if (!match(drv, sysfs_.pci_at(device))) continue;
    if (probe(drv, device) == 0) return true;
  }
  return false;
}

// drivers/base/dd.c device_release_driver(): the driver's remove(); vfio removes the vfio-dev
// node and, with the group's last device, /dev/vfio/<group>; a no-IOMMU group goes away.
// A PF driver's remove leaves VFs enabled (nvme: "driver left SR-IOV enabled after remove").
void SimKernel::release_driver(const std::string& device) {
  FakePci& dev = sysfs_.pci(device);
  const auto drv_name = dev.bound_driver();
  if (!drv_name) return;
  const SimDriver& drv = drivers_.at(*drv_name);
  dev.no_driver();
  if (!drv.vfio_pci_core) return;
  if (auto n = vfio_dev_numbers_.find(device); n != vfio_dev_numbers_.end()) {
    std::error_code ec;
    fs::remove(sysfs_.root().at("/dev/vfio/devices/vfio" + std::to_string(n->second)), ec);
    vfio_dev_numbers_.erase(n);
  }
  if (auto g = dev.iommu_group_number()) {
    bool others = false;
    for (const auto& address : sysfs_.pci_addresses()) {
      const FakePci& o = sysfs_.pci_at(address);
      if (address != device && o.iommu_group_number() == g && o.bound_driver() && drivers_.at(*o.bound_driver()).vfio_pci_core) {
        others = true;
      }
    }
    if (!others) {
      std::error_code ec;
      fs::remove(sysfs_.root().at(group_node(*g)), ec);
    }
    if (noiommu_groups_.count(*g)) {
      noiommu_groups_.erase(*g);
      dev.no_group();
    }
  }
}

// drivers/base/bus.c bus_add_driver() -> driver_attach() -> __driver_attach(): every device
// the new driver matches and that has no driver gets a probe; errors are dropped.
void SimKernel::register_driver(const std::string& name, bool attach_devices) {
  if (std::find(registered_.begin(), registered_.end(), name) != registered_.end()) return;
  registered_.push_back(name);
  const SimDriver& drv = drivers_.at(name);
  ModuleKind kind = ModuleKind::kNone;
  if (!drv.module.empty()) {
    kind = modules_.at(drv.module).state == SimModuleState::kBuiltin ? ModuleKind::kBuiltin : ModuleKind::kLoadable;
  }
  sysfs_.driver(drv.name, drv.module, kind);
  if (!attach_devices) return;
  for (const auto& address : sysfs_.pci_addresses()) {
    if (!sysfs_.has_pci(address) || sysfs_.pci_at(address).bound_driver()) continue;
    if (match(drv, sysfs_.pci_at(address))) probe(drv, address);
  }
}

// drivers/pci/iov.c sriov_add_vfs() -> pci_iov_add_virtfn(): VF i has routing ID
// PF + sriov_offset + i * sriov_stride (FakeSysfs shows offset 2, stride 1), the PF's vendor,
// subsystem and class, the PF's sriov_vf_device, physfn/virtfnN links, its own IOMMU group;
// pci_bus_add_device() -> device_attach() probes it (pci_device_can_probe decides).
void SimKernel::add_vfs(const std::string& pf, int count) {
  auto pf_addr = PciAddress::parse(pf);
  if (!pf_addr) throw std::logic_error("SimKernel: bad PF address " + pf);
  const FakePci& p = sysfs_.pci_at(pf);
  const std::uint16_t vendor = p.vendor_id(), sv = p.subsystem_vendor_id(), sd = p.subsystem_device_id();
  const std::uint32_t cls = p.class_code_value();
  const std::uint16_t vf_dev = pfs_[pf].vf_device.value_or(p.device_id());
  auto s = *p.sriov_settings();
  unsigned rid = (static_cast<unsigned>(pf_addr->bus) << 8) | (static_cast<unsigned>(pf_addr->device) << 3) | pf_addr->function;
  std::vector<std::string> created;
  for (int i = 0; i < count; ++i) {
    unsigned vf_rid = rid + 2 + static_cast<unsigned>(i);
    std::string vf = fmt::format("{:04x}:{:02x}:{:02x}.{:x}", pf_addr->domain, (vf_rid >> 8) & 0xff, (vf_rid >> 3) & 0x1f, vf_rid & 7);
    if (sysfs_.has_pci(vf)) throw std::logic_error("SimKernel: VF address " + vf + " is taken");
    int group = next_free_group();
    sysfs_.pci(vf).ids(vendor, vf_dev, sv, sd).cls(cls).vf_of(pf).group(group);
    created.push_back(vf);
  }
  sysfs_.pci(pf).sriov(s.totalvfs, count, s.drivers_autoprobe);
  for (const auto& vf : created) attach(vf);
}

// drivers/pci/iov.c sriov_del_vfs() -> pci_iov_remove_virtfn(): each VF is unbound and removed.
void SimKernel::remove_vfs(const std::string& pf) {
  for (const auto& vf : vfs_of(pf)) {
    release_driver(vf);
    sysfs_.remove_pci(vf);
  }
  auto s = *sysfs_.pci_at(pf).sriov_settings();
  sysfs_.pci(pf).sriov(s.totalvfs, 0, s.drivers_autoprobe);
}

// drivers/pci/remove.c pci_stop_and_remove_bus_device(): the driver lets go, the device
// disappears; a PF takes its VFs with it.
void SimKernel::remove_device(const std::string& device) {
  for (const auto& vf : vfs_of(device)) {
    release_driver(vf);
    sysfs_.remove_pci(vf);
    removed_.push_back(vf);
  }
  release_driver(device);
  sysfs_.remove_pci(device);
  removed_.push_back(device);
}

void SimKernel::unplug(const std::string& device) {
  check_model();
  remove_device(device);
  render();
}

void SimKernel::unload(const std::string& module_in) {
  check_model();
  std::string name = normalize_module(module_in);
  Module& m = modules_.at(name);
  if (m.state != SimModuleState::kLoaded) throw std::logic_error("SimKernel: " + name + " is not a loaded module");
  for (const auto& d : m.drivers) {
    for (const auto& address : sysfs_.pci_addresses()) {
      if (sysfs_.pci_at(address).bound_driver() == d) release_driver(address);
    }
    registered_.erase(std::remove(registered_.begin(), registered_.end(), d), registered_.end());
    sysfs_.unregister_driver(d);
  }
  sysfs_.remove_module(name);
  if (name == "vfio") sysfs_.remove_file(kNoiommuParam);
  m.state = SimModuleState::kNotLoaded;
  render();
}

}  // namespace vfioctl::testing
