// Module options as modprobe passes them ("reset_required=0 foo=1", from modprobe.d through
// libkmod's kmod_module_get_options), read back for one boolean parameter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "host/host_root.h"
#include "modules/kmod_session.h"

namespace vfioctl {

// Whether OPTIONS set the bool parameter NAME, in the kernel's spelling (kernel/params.c
// param_set_bool through kstrtobool: y/Y/1/on, n/N/0/off; a bare "name" means on); the last
// setting wins, as the kernel parses them in order. nullopt when OPTIONS do not set it.
std::optional<bool> bool_option(std::string_view options, std::string_view name);

// A module's bool parameter as its next user will find it: the loaded module's value
// (/sys/module/MODULE/parameters/PARAM, Y or 1 for on; `from` is empty), else what modprobe.d's
// options will set when it is loaded (`from` is "modprobe.d: options MODULE <options>"), else
// nullopt (the module's own default).
struct BoolParam {
  bool value = false;
  std::string from;
};
std::optional<BoolParam> module_bool_param(const HostRoot& host, const KmodSession& kmod, std::string_view module,
                                           std::string_view param);

}  // namespace vfioctl
