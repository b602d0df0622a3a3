#include "support/override_bus_fake_kernel.h"

#include <cerrno>

namespace vfioctl::testing {

namespace {

struct VfioDriver {
  const char* module;
  const char* bus;
  const char* driver;
};
// The generic vfio driver of each bus and its module (drivers/vfio/platform/vfio_platform.c,
// vfio_amba.c, fsl-mc/vfio_fsl_mc.c, cdx/main.c, drivers/s390/cio/vfio_ccw_drv.c).
constexpr VfioDriver kVfioDrivers[] = {{"vfio_platform", "platform", "vfio-platform"},
                                       {"vfio_amba", "amba", "vfio-amba"},
                                       {"vfio_fsl_mc", "fsl-mc", "vfio-fsl-mc"},
                                       {"vfio_cdx", "cdx", "vfio-cdx"},
                                       {"vfio_ccw", "css", "vfio_ccw"}};

const VfioDriver* vfio_driver(const std::string& bus, const std::string& driver) {
  for (const auto& v : kVfioDrivers) {
    if (bus == v.bus && driver == v.driver) return &v;
  }
  return nullptr;
}

std::string key(const std::string& bus, const std::string& name) { return bus + '/' + name; }

bool is_dprc(const std::string& name) { return name.rfind("dprc.", 0) == 0; }

// "/sys/bus/<bus>/..." -> {bus, rest}
bool split_bus_path(const std::string& path, std::string& bus, std::string& rest) {
  static const std::string prefix = "/sys/bus/";
  if (path.rfind(prefix, 0) != 0) return false;
  auto slash = path.find('/', prefix.size());
  if (slash == std::string::npos) return false;
  bus = path.substr(prefix.size(), slash - prefix.size());
  rest = path.substr(slash + 1);
  return true;
}

}  // namespace

void OverrideBusFakeKernel::add_device(DeviceSpec spec) {
  Dev d{spec, std::nullopt, std::nullopt, {}};
  if (spec.bus == "fsl-mc" && spec.container) mc_objects_[key(spec.bus, spec.name)] = d;
  auto& placed = devices_[key(spec.bus, spec.name)] = d;
  attach(placed);
  render();
}

OverrideBusFakeKernel::Dev* OverrideBusFakeKernel::find(const std::string& bus, const std::string& name) {
  auto it = devices_.find(key(bus, name));
  return it == devices_.end() ? nullptr : &it->second;
}

const OverrideBusFakeKernel::Dev* OverrideBusFakeKernel::find(const std::string& bus, const std::string& name) const {
  auto it = devices_.find(key(bus, name));
  return it == devices_.end() ? nullptr : &it->second;
}

bool OverrideBusFakeKernel::registered(const std::string& bus, const std::string& driver) const {
  if (const VfioDriver* v = vfio_driver(bus, driver)) return loaded_.count(v->module) != 0;
  for (const auto& [k, d] : devices_) {
    if (d.spec.bus == bus && d.spec.host_driver == driver) return true;  // host drivers are loaded
  }
  for (const auto& [k, d] : mc_objects_) {
    if (d.spec.bus == bus && d.spec.host_driver == driver) return true;
  }
  return false;
}

bool OverrideBusFakeKernel::matches(const Dev& d, const std::string& driver) const {
  if (!registered(d.spec.bus, driver)) return false;
  if (d.override_) {
    if (*d.override_ != driver) return false;
    // css_bus_match: the override narrows, the id table still decides (vfio_ccw: I/O only).
    if (d.spec.bus == "css" && driver == "vfio_ccw") return d.spec.css_type == 0;
    return true;
  }
  return !d.spec.host_driver.empty() && driver == d.spec.host_driver;
}

void OverrideBusFakeKernel::attach(Dev& d) {
  if (d.driver) return;
  if (d.override_) {
    if (matches(d, *d.override_)) probe(d, *d.override_);
  } else if (!d.spec.host_driver.empty() && matches(d, d.spec.host_driver)) {
    probe(d, d.spec.host_driver);
  }
}

int OverrideBusFakeKernel::probe(Dev& d, const std::string& driver) {
  const std::string bus = d.spec.bus, name = d.spec.name;
  int refusal = 0;
  if (auto r = refusals_.find(driver); r != refusals_.end()) refusal = r->second;
  if (auto once = once_per_load_.find(driver); once != once_per_load_.end() && once->second) refusal = EBUSY;
  if (refusal) {
    if (auto why = refusal_reasons_.find(driver); why != refusal_reasons_.end() && !why->second.empty() && refusal != EBUSY) {
      messages_.push_back(driver + " " + name + ": " + why->second);
    }
    messages_.push_back(driver + " " + name + ": probe with driver " + driver + " failed with error -" +
                        std::to_string(refusal));
    return refusal;
  }
  if (!d.spec.group && d.spec.group_at_probe) d.spec.group = d.spec.group_at_probe;
  const bool mdev_parent = bus == "css" && driver == "vfio_ccw";
  if (vfio_driver(bus, driver) && !mdev_parent && !d.spec.group) {
    messages_.push_back(driver + " " + name + ": No IOMMU group");
    return EINVAL;
  }
  d.driver = driver;
  if (bus == "fsl-mc" && is_dprc(name)) scan_container(name, vfio_driver(bus, driver) != nullptr);
  return 0;
}

void OverrideBusFakeKernel::detach(Dev& d) {
  const std::string bus = d.spec.bus, name = d.spec.name;
  if (auto once = once_per_load_.find(*d.driver); once != once_per_load_.end()) once->second = true;
  d.driver.reset();
  d.mdevs.clear();
  if (bus == "fsl-mc" && is_dprc(name)) remove_objects_of(name);
}

void OverrideBusFakeKernel::remove_objects_of(const std::string& container) {
  for (auto it = devices_.begin(); it != devices_.end();) {
    if (it->second.spec.bus == "fsl-mc" && it->second.spec.container == container) {
      sysfs_.remove_other("fsl-mc", it->second.spec.name);
      it = devices_.erase(it);
    } else {
      ++it;
    }
  }
}

void OverrideBusFakeKernel::scan_container(const std::string& container, bool vfio) {
  for (const auto& [k, obj] : mc_objects_) {
    if (obj.spec.container != container || devices_.count(k)) continue;
    Dev& added = devices_[k] = Dev{obj.spec, std::nullopt, std::nullopt, {}};
    if (vfio) added.override_ = "vfio-fsl-mc";  // vfio_fsl_mc_bus_notifier, BUS_NOTIFY_ADD_DEVICE
    attach(added);
  }
}

int OverrideBusFakeKernel::write_attribute(const std::string& path, std::string_view value) {
  const std::size_t index = writes_.size();
  writes_.push_back(path + " <- " + std::string(value));
  if (auto f = failures_.find(index); f != failures_.end()) return f->second;
  std::string bus, rest;
  if (!split_bus_path(path, bus, rest)) return EACCES;
  std::string text(value);
  if (auto nl = text.find('\n'); nl != std::string::npos) text.erase(nl);

  int result = 0;
  if (rest == "drivers_probe") {
    Dev* d = find(bus, text);
    if (!d) return ENODEV;  // bus_find_device_by_name finds nothing
    attach(*d);
  } else if (rest.rfind("devices/", 0) == 0 && rest.size() > 8 &&
             rest.substr(rest.size() - std::string("/driver_override").size()) == "/driver_override") {
    std::string name = rest.substr(8, rest.size() - 8 - std::string("/driver_override").size());
    Dev* d = find(bus, name);
    if (!d) return ENOENT;
    if (text.empty()) d->override_.reset();
    else d->override_ = text;
  } else if (rest.rfind("drivers/", 0) == 0) {
    std::string tail = rest.substr(8);
    auto slash = tail.find('/');
    if (slash == std::string::npos) return EACCES;
    std::string driver = tail.substr(0, slash), attr = tail.substr(slash + 1);
    if (!registered(bus, driver)) return ENOENT;
    Dev* d = find(bus, text);
    if (attr == "unbind") {
      if (!d || !d->driver || *d->driver != driver) return ENODEV;
      detach(*d);
    } else if (attr == "bind") {
      if (!d || d->driver) return d ? EBUSY : ENODEV;
      if (!matches(*d, driver)) return ENODEV;
      result = probe(*d, driver);
    } else {
      return EACCES;
    }
  } else {
    return EACCES;
  }
  render();
  return result;
}

ModuleLoad OverrideBusFakeKernel::load_module(const std::string& module, bool) {
  ModuleLoad r;
  const VfioDriver* v = nullptr;
  for (const auto& each : kVfioDrivers) {
    if (module == each.module) v = &each;
  }
  if (!v) {
    r.message = "cannot load " + module + ": not in this fake";
    return r;
  }
  r.outcome = loaded_.count(module) ? ModuleLoad::Outcome::kAlreadyLoaded : ModuleLoad::Outcome::kLoaded;
  loaded_.insert(module);
  sysfs_.bus_driver(v->bus, v->driver, v->module, ModuleKind::kLoadable);
  // driver_register -> driver_attach: every unbound device that matches probes now.
  for (auto& [k, d] : devices_) {
    if (!d.driver && d.spec.bus == v->bus && d.override_ && matches(d, v->driver)) probe(d, v->driver);
  }
  render();
  return r;
}

std::vector<std::string> OverrideBusFakeKernel::kernel_messages_about(const std::string& device) {
  std::vector<std::string> out;
  for (const auto& m : messages_) {
    if (m.find(" " + device + ":") != std::string::npos) out.push_back(m);
  }
  return out;
}

std::string OverrideBusFakeKernel::driver_of(const std::string& bus, const std::string& name) const {
  const Dev* d = find(bus, name);
  if (!d) return "gone";
  return d->driver.value_or("none");
}

bool OverrideBusFakeKernel::create_mdev(const std::string& bus, const std::string& name, const std::string& uuid,
                                       int group) {
  Dev* d = find(bus, name);
  if (!d || d->driver != std::optional<std::string>("vfio_ccw")) return false;
  d->mdevs.emplace_back(uuid, group);
  render();
  return true;
}

std::optional<std::string> OverrideBusFakeKernel::override_of(const std::string& bus, const std::string& name) const {
  const Dev* d = find(bus, name);
  return d ? d->override_ : std::nullopt;
}

void OverrideBusFakeKernel::render() {
  for (auto& [k, d] : devices_) {
    FakeOtherDevice& o = sysfs_.other(d.spec.bus, d.spec.name);
    if (d.driver) {
      const VfioDriver* v = vfio_driver(d.spec.bus, *d.driver);
      o.driver(*d.driver, v ? v->module : d.spec.host_module, ModuleKind::kLoadable);
    } else {
      o.no_driver();
    }
    if (d.override_) o.override_driver(*d.override_);
    else o.no_override();
    if (d.spec.group) o.group(*d.spec.group);
    o.no_mdevs();
    if (d.driver && d.spec.bus == "css" && *d.driver == "vfio_ccw") {
      o.mdev_type("vfio_ccw-io");
      for (const auto& [uuid, group] : d.mdevs) o.mdev(uuid, "vfio_ccw-io", group);
    }
    if (!d.spec.modalias.empty()) o.modalias(d.spec.modalias);
    if (d.spec.css_type) o.attr("type", std::to_string(*d.spec.css_type));
    if (d.spec.container) o.parent(*d.spec.container);
  }
  sysfs_.write();
}

}  // namespace vfioctl::testing
