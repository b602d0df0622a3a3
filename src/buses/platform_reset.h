// vfio-platform needs a reset function for each device (unless its reset_required parameter is
// off). Reset functions live in helper modules that declare MODULE_ALIAS("vfio-reset:<compat>"),
// and vfio-platform asks for exactly one: request_module("vfio-reset:%s", compat) with compat
// the FIRST string of the device's OF compatible list (drivers/vfio/platform/
// vfio_platform_common.c, vfio_platform_get_reset), although a compatible list runs from the
// most specific string to the most generic and a helper may be written for any of them.
//
// vfioctl evaluates the whole list, in order, against the helpers' aliases, and reports where
// a helper exists and whether vfio-platform itself will find it: only when it matches the first
// string. A helper for a later string exists, but vfio-platform will not use it.
//
// A device with an ACPI companion is different: vfio-platform takes the ACPI path first
// (vfio_platform_acpi_probe) and then resets through the firmware's _RST method only
// (vfio_platform_get_reset -> vfio_platform_acpi_has_reset), never through a helper. Whether
// the firmware has _RST is not in sysfs, so vfioctl says what it cannot know instead of guessing.
//
// The helper is looked up as request_module() would have modprobe look it up: through the vfio
// alias index (modprobe.d aliases, then modules.alias, then the built-in index), taking the first
// source that answers, so a helper built into the kernel or aliased in modprobe.d is found too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bus/device.h"
#include "host/host_root.h"
#include "modules/vfio_alias_index.h"

namespace vfioctl {

struct PlatformReset {
  bool applies = false;                 // a platform device with an OF compatible list or ACPI
  bool acpi = false;                    // reset is the ACPI companion's _RST: not visible here
  std::optional<std::size_t> match;     // index of the first string that has a helper
  std::optional<std::string> module;    // that helper
  bool built_in = false;                // the helper is built into the kernel (nothing to load)
  bool kernel_finds_it = false;         // match == 0: vfio-platform will load and use it
  bool reset_required = true;           // vfio_platform's reset_required (default Y)
  std::string summary;                  // one sentence for explain and bind
  // Binding will fail in vfio-platform's probe ("no reset function found for device").
  bool probe_will_fail() const { return applies && !acpi && reset_required && !kernel_finds_it; }
};

PlatformReset find_platform_reset(const HostRoot& host, const VfioAliasIndex& aliases, const Device& device);

}  // namespace vfioctl
