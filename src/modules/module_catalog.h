// What the host knows about a kernel module: is it loaded, built in, installable or absent,
// is it blacklisted, and which drivers did it register on which bus. Answers are cached for the
// life of the catalog; call forget() after loading a module.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "host/host_root.h"
#include "modules/kmod_session.h"

namespace vfioctl {

enum class ModuleState {
  kLoaded,     // /sys/module/<m>/initstate says live (or coming)
  kBuiltin,    // in modules.builtin, or /sys/module/<m> without initstate: counts as loaded
  kAvailable,  // in modules.dep: can be loaded
  kNotFound,   // named by an alias but neither built in nor installed (a stale index)
};
std::string_view to_string(ModuleState state);
inline bool is_present(ModuleState s) { return s == ModuleState::kLoaded || s == ModuleState::kBuiltin; }

class ModuleCatalog {
 public:
  ModuleCatalog(const HostRoot& host, const KmodSession& kmod);

  ModuleState state(std::string_view module);
  bool blacklisted(std::string_view module);

  // Drivers the module registered on `bus`, from /sys/module/<module>/drivers/<bus>:<driver>
  // (the kernel creates these links for loaded and built-in modules alike). Empty when the
  // module is not loaded, or when the kernel was built without module support.
  std::vector<std::string> drivers_of(std::string_view module, std::string_view bus);

  // The module behind a driver, from /sys/bus/<bus>/drivers/<driver>/module; nullopt for a
  // built-in driver on a kernel without /sys/module entries for it.
  std::optional<std::string> module_of_driver(std::string_view bus, std::string_view driver);

  // Drop cached /sys/module answers (after a module was loaded or removed).
  void forget();

 private:
  const std::set<std::string>& builtin_modules();
  bool in_text_dependency_list(const std::string& module);

  const HostRoot& host_;
  const KmodSession& kmod_;
  std::map<std::string, ModuleState, std::less<>> states_;
  std::map<std::string, std::vector<std::string>, std::less<>> drivers_;
  std::map<std::string, std::optional<std::string>, std::less<>> driver_modules_;
  std::optional<std::set<std::string>> builtin_;
  std::optional<std::set<std::string>> text_dep_;
  std::optional<std::set<std::string>> blacklist_;
};

// "kernel/drivers/vfio/pci/vfio-pci.ko.xz" -> "vfio_pci"
std::string module_name_from_path(std::string_view path);

}  // namespace vfioctl
