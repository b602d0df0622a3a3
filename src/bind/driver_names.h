// Users write a driver or a module, with '-' or '_': vfio-pci, vfio_pci, xe-vfio-pci,
// xe_vfio_pci, mlx5_vfio_pci. driver_override needs the driver name, modprobe the module name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bus/bus.h"
#include "host/host_root.h"
#include "modules/module_catalog.h"

namespace vfioctl {

struct DriverSpelling {
  std::string module;                 // always known
  std::optional<std::string> driver;  // known once the module is loaded
};

// nullopt with `error` set when `text` is not a valid name, or names neither a driver on the
// bus nor a module in the tree.
std::optional<DriverSpelling> resolve_driver_spelling(const HostRoot& host, ModuleCatalog& modules, const Bus& bus,
                                                      std::string_view text, std::string* error);

// The driver a present (loaded or built-in) module registered on `bus`: from
// /sys/module/<m>/drivers/<bus>:<driver>. A kernel without module support has no such links;
// then a driver directory named like the module (with '_' or '-') is taken, and
// `by_name_only` says so.
std::optional<std::string> driver_of_module(const HostRoot& host, ModuleCatalog& modules, const Bus& bus,
                                            const std::string& module, bool* by_name_only = nullptr);

}  // namespace vfioctl
