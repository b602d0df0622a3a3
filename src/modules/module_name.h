// Module names versus driver names. A module's name never contains '-' (kbuild turns it into
// '_', and kmod normalises user input the same way), while a driver's name is whatever its
// struct says: module vfio_pci registers driver "vfio-pci", xe_vfio_pci registers "xe-vfio-pci",
// mlx5_vfio_pci registers "mlx5_vfio_pci".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

// kmod's modname_normalize(): '-' becomes '_'.
std::string normalize_module_name(std::string_view name);

// kmod's alias_normalize() (kmod shared/util.c): '-' becomes '_' outside bracket expressions.
// depmod stores alias keys this way (modules.alias.bin, modules.builtin.alias.bin), libkmod
// stores modprobe.d aliases this way (underscores()), and modprobe normalises the alias it is
// asked for before matching; only the text modules.alias keeps the original spelling. nullopt
// for what kmod rejects: a ']' outside a bracket expression or an unterminated '['.
std::optional<std::string> normalize_alias(std::string_view alias);

// Whether `name` is an acceptable module or driver name: non-empty, at most 64 bytes
// (MODULE_NAME_LEN-1 is 55; driver names are similar), made of [A-Za-z0-9_.-] only. Used to
// reject user input before it reaches a sysfs path or a write.
bool is_valid_module_or_driver_name(std::string_view name);

}  // namespace vfioctl
