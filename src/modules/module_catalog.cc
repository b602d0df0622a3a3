#include "modules/module_catalog.h"

#include <algorithm>

#include "host/file_io.h"
#include "modules/module_name.h"

namespace vfioctl {

std::string_view to_string(ModuleState state) {
  switch (state) {
    case ModuleState::kLoaded: return "loaded";
    case ModuleState::kBuiltin: return "builtin";
    case ModuleState::kAvailable: return "available";
    case ModuleState::kNotFound: return "not-found";
  }
  return "unknown";
}

std::string module_name_from_path(std::string_view path) {
  std::string_view base = last_component(path);
  for (std::string_view ext : {".ko.xz", ".ko.zst", ".ko.gz", ".ko"}) {
    if (base.size() > ext.size() && base.substr(base.size() - ext.size()) == ext) {
      base.remove_suffix(ext.size());
      break;
    }
  }
  return normalize_module_name(base);
}

ModuleCatalog::ModuleCatalog(const HostRoot& host, const KmodSession& kmod)
    : host_(host), kmod_(kmod) {}

const std::set<std::string>& ModuleCatalog::builtin_modules() {
  if (!builtin_) {
    builtin_.emplace();
    if (host_.modules_dir()) {
      ReadResult r = read_file(*host_.modules_dir() + "/modules.builtin");
      std::string_view text = r.value;
      while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (!line.empty()) builtin_->insert(module_name_from_path(line));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
      }
    }
  }
  return *builtin_;
}

bool ModuleCatalog::in_text_dependency_list(const std::string& module) {
  if (!text_dep_) {
    text_dep_.emplace();
    if (host_.modules_dir()) {
      ReadResult r = read_file(*host_.modules_dir() + "/modules.dep");
      std::string_view text = r.value;
      while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        auto colon = line.find(':');
        if (colon != std::string_view::npos) text_dep_->insert(module_name_from_path(line.substr(0, colon)));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
      }
    }
  }
  return text_dep_->count(module) != 0;
}

ModuleState ModuleCatalog::state(std::string_view module_in) {
  std::string module = normalize_module_name(module_in);
  if (auto it = states_.find(module); it != states_.end()) return it->second;

  ModuleState state = ModuleState::kNotFound;
  std::string sys_module = host_.sys("module/") + module;
  ReadResult init = read_attr_path(sys_module + "/initstate");
  if (init.ok()) {
    // "going" means it is being removed; treat it as not usable rather than loaded.
    state = init.value == "going" ? ModuleState::kAvailable : ModuleState::kLoaded;
  } else if (path_exists(sys_module)) {
    // The kernel makes /sys/module/<m> for built-in code that has parameters or drivers, and
    // gives only loadable modules an initstate.
    state = ModuleState::kBuiltin;
  } else if (builtin_modules().count(module)) {
    state = ModuleState::kBuiltin;
  } else if (auto indexed = kmod_.in_dependency_index(module)) {
    state = *indexed ? ModuleState::kAvailable : ModuleState::kNotFound;
  } else if (in_text_dependency_list(module)) {
    state = ModuleState::kAvailable;
  }
  states_.emplace(module, state);
  return state;
}

bool ModuleCatalog::blacklisted(std::string_view module) {
  if (!blacklist_) {
    blacklist_.emplace();
    for (auto& m : kmod_.blacklisted_modules()) blacklist_->insert(normalize_module_name(m));
  }
  return blacklist_->count(normalize_module_name(module)) != 0;
}

std::vector<std::string> ModuleCatalog::drivers_of(std::string_view module_in, std::string_view bus) {
  std::string module = normalize_module_name(module_in);
  std::string key = module + '\n' + std::string(bus);
  if (auto it = drivers_.find(key); it != drivers_.end()) return it->second;
  std::vector<std::string> found;
  std::string prefix = std::string(bus) + ':';
  for (auto& entry : list_dir(host_.sys("module/") + module + "/drivers")) {
    if (entry.size() > prefix.size() && entry.compare(0, prefix.size(), prefix) == 0) {
      found.push_back(entry.substr(prefix.size()));
    }
  }
  std::sort(found.begin(), found.end());
  drivers_.emplace(key, found);
  return found;
}

std::optional<std::string> ModuleCatalog::module_of_driver(std::string_view bus, std::string_view driver) {
  std::string key = std::string(bus) + '\n' + std::string(driver);
  if (auto it = driver_modules_.find(key); it != driver_modules_.end()) return it->second;
  std::optional<std::string> module;
  ReadResult link = read_link_path(host_.sys("bus/") + std::string(bus) + "/drivers/" +
                                   std::string(driver) + "/module");
  if (link.ok()) module = std::string(last_component(link.value));
  driver_modules_.emplace(key, module);
  return module;
}

void ModuleCatalog::forget() {
  states_.clear();
  drivers_.clear();
  driver_modules_.clear();
}

}  // namespace vfioctl
