#include "bind/driver_names.h"

#include "host/file_io.h"
#include "modules/module_name.h"

namespace vfioctl {

namespace {

bool driver_dir_exists(const HostRoot& host, const Bus& bus, const std::string& driver) {
  return path_exists(host.sys("bus/") + std::string(bus.name()) + "/drivers/" + driver);
}

}  // namespace

std::optional<std::string> driver_of_module(const HostRoot& host, ModuleCatalog& modules, const Bus& bus,
                                            const std::string& module, bool* by_name_only) {
  if (by_name_only) *by_name_only = false;
  auto drivers = modules.drivers_of(module, bus.name());
  if (!drivers.empty()) return drivers.front();
  std::string dashed = module;
  for (char& c : dashed) c = c == '_' ? '-' : c;
  for (const std::string& candidate : {module, dashed}) {
    if (driver_dir_exists(host, bus, candidate) && !modules.module_of_driver(bus.name(), candidate)) {
      if (by_name_only) *by_name_only = true;
      return candidate;
    }
  }
  return std::nullopt;
}

std::optional<DriverSpelling> resolve_driver_spelling(const HostRoot& host, ModuleCatalog& modules, const Bus& bus,
                                                      std::string_view text, std::string* error) {
  if (!is_valid_module_or_driver_name(text)) {
    if (error) *error = "'" + std::string(text) + "' is not a valid driver or module name";
    return std::nullopt;
  }
  std::string name(text);
  // A driver present on the bus under exactly this name.
  if (driver_dir_exists(host, bus, name)) {
    DriverSpelling s;
    s.driver = name;
    s.module = modules.module_of_driver(bus.name(), name).value_or(normalize_module_name(name));
    return s;
  }
  // Otherwise a module name, in either spelling.
  std::string module = normalize_module_name(name);
  if (modules.state(module) != ModuleState::kNotFound) {
    DriverSpelling s;
    s.module = module;
    if (is_present(modules.state(module))) s.driver = driver_of_module(host, modules, bus, module);
    return s;
  }
  if (error) {
    *error = "no driver or module named '" + name + "' (drivers on the bus are under " +
             host.sys("bus/") + std::string(bus.name()) + "/drivers; 'vfioctl explain DEVICE' lists the vfio drivers that match a device)";
  }
  return std::nullopt;
}

}  // namespace vfioctl
