#include "buses/platform_reset.h"

#include "host/file_io.h"

namespace vfioctl {

PlatformReset find_platform_reset(const HostRoot& host, const VfioAliasIndex& aliases, const Device& device) {
  PlatformReset r;
  if (device.bus != "platform" || (device.of_compatible.empty() && !device.acpi_hid)) return r;
  r.applies = true;
  ReadResult param = read_attr_path(host.path("/sys/module/vfio_platform/parameters/reset_required"));
  if (param.ok()) r.reset_required = param.value == "Y" || param.value == "1";

  if (device.acpi_hid) {
    r.acpi = true;
    r.summary = "reset: an ACPI device (" + *device.acpi_hid +
                "), so vfio-platform resets it with the firmware's _RST method and uses no vfio-reset helper; "
                "sysfs does not show whether the firmware has _RST";
    r.summary += r.reset_required ? ": without it the probe fails (\"No reset function found\"), unless "
                                    "vfio_platform is loaded with reset_required=0"
                                  : "; reset_required=0: without _RST the device is used without a reset between users";
    return r;
  }

  for (std::size_t i = 0; i < device.of_compatible.size() && !r.match; ++i) {
    const std::string key = "vfio-reset:" + device.of_compatible[i];
    auto modules = aliases.kmod_resolution(key);
    if (modules.empty()) continue;
    r.match = i;
    r.module = modules.front();
    for (const VfioAlias* a : aliases.match(key)) {
      if (a->module == *r.module && a->source == AliasSource::kBuiltin) r.built_in = true;
    }
  }
  const std::string& first = device.of_compatible.front();
  r.kernel_finds_it = r.match == 0u;
  if (r.kernel_finds_it) {
    r.summary = "reset: " + *r.module + (r.built_in ? " (built in)" : "") + " (for '" + first +
                "', the first compatible string, which vfio-platform looks up)";
  } else if (r.match) {
    r.summary = "reset: " + *r.module + " resets '" + device.of_compatible[*r.match] + "' (compatible string " +
                std::to_string(*r.match + 1) + " of " + std::to_string(device.of_compatible.size()) +
                "), but vfio-platform looks up only the first, '" + first + "', so it will not use it";
  } else {
    r.summary = "reset: no vfio-reset helper for any of its " + std::to_string(device.of_compatible.size()) +
                " compatible strings";
  }
  if (!r.kernel_finds_it) {
    r.summary += r.reset_required
                     ? "; with vfio_platform.reset_required=Y (the default) its probe will fail: load vfio_platform "
                       "with reset_required=0 to use the device without a reset between users"
                     : "; reset_required=0: the device is used without a reset between users";
  }
  return r;
}

}  // namespace vfioctl
