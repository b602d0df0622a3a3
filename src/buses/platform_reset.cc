#include "buses/platform_reset.h"

#include "host/file_io.h"
#include "modules/alias_text.h"
#include "modules/module_name.h"
#include "resolve/alias_match.h"

namespace vfioctl {

namespace {

// "vfio-reset:" aliases of the module tree, in kmod's normal form ('-' -> '_', so both the
// spelling modinfo carries and the one depmod may write compare alike).
std::vector<AliasEntry> reset_aliases(const HostRoot& host) {
  std::vector<AliasEntry> out;
  if (!host.modules_dir()) return out;
  ReadResult text = read_file(*host.modules_dir() + "/modules.alias");
  if (!text.ok()) return out;
  std::vector<AliasEntry> all;
  parse_alias_lines(text.value, "vfio", all);
  for (auto& a : all) {
    auto normal = normalize_alias(a.pattern);
    if (normal && normal->rfind("vfio_reset:", 0) == 0) {
      a.pattern = *normal;
      out.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace

PlatformReset find_platform_reset(const HostRoot& host, const Device& device) {
  PlatformReset r;
  if (device.bus != "platform" || device.of_compatible.empty()) return r;
  r.applies = true;
  ReadResult param = read_attr_path(host.path("/sys/module/vfio_platform/parameters/reset_required"));
  if (param.ok()) r.reset_required = param.value == "Y" || param.value == "1";

  const auto aliases = reset_aliases(host);
  for (std::size_t i = 0; i < device.of_compatible.size() && !r.match; ++i) {
    auto key = normalize_alias("vfio-reset:" + device.of_compatible[i]);
    if (!key) continue;
    for (const auto& a : aliases) {
      if (alias_matches(a.pattern, *key)) {
        r.match = i;
        r.module = normalize_module_name(a.module);
        break;
      }
    }
  }
  const std::string& first = device.of_compatible.front();
  r.kernel_finds_it = r.match == 0u;
  if (r.kernel_finds_it) {
    r.summary = "reset: " + *r.module + " (for '" + first + "', the first compatible string, which vfio-platform looks up)";
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
