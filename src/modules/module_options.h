// Module options as modprobe passes them ("reset_required=0 foo=1", from modprobe.d through
// libkmod's kmod_module_get_options), read back for one boolean parameter.
#pragma once

#include <optional>
#include <string_view>

namespace vfioctl {

// Whether OPTIONS set the bool parameter NAME, in the kernel's spelling (kernel/params.c
// param_set_bool through kstrtobool: y/Y/1/on, n/N/0/off; a bare "name" means on); the last
// setting wins, as the kernel parses them in order. nullopt when OPTIONS do not set it.
std::optional<bool> bool_option(std::string_view options, std::string_view name);

}  // namespace vfioctl
