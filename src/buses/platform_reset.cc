#include "buses/platform_reset.h"

#include "modules/module_options.h"

namespace vfioctl {

namespace {

constexpr std::string_view kIgnoredOn61 =
    "this 6.1 kernel's vfio-platform fails the probe of a device without a reset even with reset_required=0 "
    "(fixed in 6.2 by commit 168a9c91fe0a)";

std::string origin(const PlatformReset& r) {
  return r.reset_required_from.empty() ? std::string() : " (" + r.reset_required_from + ")";
}

}  // namespace

bool ignores_reset_required(std::string_view release) {
  // "6.1", "6.1.0-28-amd64", "6.1.192-vfioctl-test"; not "6.10" or "6.12".
  if (!release.starts_with("6.1")) return false;
  return release.size() == 3 || release[3] == '.' || release[3] == '-' || release[3] == '+';
}

PlatformReset find_platform_reset(Session& session, const Device& device) {
  PlatformReset r;
  if (device.bus != "platform" || (device.of_compatible.empty() && !device.acpi_hid)) return r;
  r.applies = true;
  const HostRoot& host = session.host();
  const VfioAliasIndex& aliases = session.aliases();
  if (auto param = module_bool_param(host, session.kmod(), "vfio_platform", "reset_required")) {
    r.reset_required = param->value;
    r.reset_required_from = param->from;
  }
  r.reset_param_ignored = ignores_reset_required(host.kernel_release());

  if (device.acpi_hid) {
    r.acpi = true;
    r.summary = "reset: an ACPI device (" + *device.acpi_hid +
                "), so vfio-platform resets it with the firmware's _RST method and uses no vfio-reset helper; "
                "sysfs does not show whether the firmware has _RST";
    if (r.reset_param_ignored) {
      r.summary += ": without it the probe fails, and " + std::string(kIgnoredOn61);
    } else {
      r.summary += r.reset_required ? ": without it the probe fails (\"No reset function found\"), unless "
                                      "vfio_platform is loaded with reset_required=0"
                                    : "; reset_required=0" + origin(r) +
                                          ": without _RST the device is used without a reset between users";
    }
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
    if (r.reset_param_ignored) {
      r.summary += "; its probe will fail: " + std::string(kIgnoredOn61) + "; use a 6.2 or later kernel";
    } else {
      r.summary += r.reset_required
                       ? "; with vfio_platform.reset_required=Y" +
                             (r.reset_required_from.empty() ? std::string(" (the default)") : origin(r)) +
                             " its probe will fail: load vfio_platform with reset_required=0 to use the device "
                             "without a reset between users"
                       : "; reset_required=0" + origin(r) + ": the device is used without a reset between users";
    }
  }
  return r;
}

}  // namespace vfioctl
