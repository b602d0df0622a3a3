#include "modules/module_options.h"

#include "host/file_io.h"

namespace vfioctl {

std::optional<bool> bool_option(std::string_view options, std::string_view name) {
  std::optional<bool> out;
  while (!options.empty()) {
    auto space = options.find_first_of(" \t");
    std::string_view word = options.substr(0, space);
    options = space == std::string_view::npos ? std::string_view() : options.substr(space + 1);
    if (!word.starts_with(name)) continue;
    std::string_view rest = word.substr(name.size());
    if (rest.empty()) {
      out = true;
      continue;
    }
    if (rest.front() != '=') continue;  // name_x=...
    std::string_view v = rest.substr(1);
    if (v == "1" || v == "y" || v == "Y" || v == "on") out = true;
    else if (v == "0" || v == "n" || v == "N" || v == "off") out = false;
  }
  return out;
}

std::optional<BoolParam> module_bool_param(const HostRoot& host, const KmodSession& kmod, std::string_view module,
                                           std::string_view param) {
  ReadResult loaded = read_attr_path(host.path("/sys/module/" + std::string(module) + "/parameters/" + std::string(param)));
  if (loaded.ok()) return BoolParam{loaded.value == "Y" || loaded.value == "1", ""};
  std::string options = kmod.configured_options(module);
  if (auto v = bool_option(options, param)) {
    return BoolParam{*v, "modprobe.d: options " + std::string(module) + " " + options};
  }
  return std::nullopt;
}

}  // namespace vfioctl
