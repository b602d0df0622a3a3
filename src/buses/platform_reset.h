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
// reset_required=0 does not work on 6.1 kernels: vfio_platform_init_common returns the -ENOENT of
// vfio_platform_get_reset whatever the parameter says, so the probe fails for every device
// without a reset (brought in by 5f6c7e0831a1, "Use the new device life cycle helpers", in 6.1;
// fixed by 168a9c91fe0a, "ignore missing reset if disabled at module init", in 6.2; Debian's
// 6.1.192 source still has it, and the real-kernel scenario 95 shows it).
//
// The helper is looked up as request_module() would have modprobe look it up: through the vfio
// alias index (modprobe.d aliases, then modules.alias, then the built-in index), taking the first
// source that answers, so a helper built into the kernel or aliased in modprobe.d is found too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/device.h"
#include "inventory/session.h"

namespace vfioctl {

struct PlatformReset {
  bool applies = false;                 // a platform device with an OF compatible list or ACPI
  bool acpi = false;                    // reset is the ACPI companion's _RST: not visible here
  std::optional<std::size_t> match;     // index of the first string that has a helper
  std::optional<std::string> module;    // that helper
  bool built_in = false;                // the helper is built into the kernel (nothing to load)
  bool kernel_finds_it = false;         // match == 0: vfio-platform will load and use it
  bool reset_required = true;           // vfio_platform's reset_required (default Y)
  // Where reset_required comes from when not the default: "" (the loaded module's parameter, or
  // the default), or the modprobe.d options vfio_platform will be loaded with.
  std::string reset_required_from;
  bool reset_param_ignored = false;     // a 6.1 kernel: reset_required=0 does not spare the probe
  std::string summary;                  // one sentence for explain and bind
  // Binding will fail in vfio-platform's probe ("no reset function found for device").
  bool probe_will_fail() const {
    return applies && !acpi && !kernel_finds_it && (reset_required || reset_param_ignored);
  }
};

// Whether this kernel release's vfio-platform fails a device without a reset even with
// reset_required=0 (6.1.x, see above).
bool ignores_reset_required(std::string_view kernel_release);

// Reads reset_required from the loaded vfio_platform's parameter; before it is loaded, from the
// options modprobe.d gives it through libkmod (the options the bind's load will use).
PlatformReset find_platform_reset(Session& session, const Device& device);

}  // namespace vfioctl
