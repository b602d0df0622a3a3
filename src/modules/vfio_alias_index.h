// Every alias that names a vfio driver: patterns with a "vfio_" bus prefix ("vfio_pci:",
// "vfio_cdx:", ..., and vfio-platform's "vfio-reset:" helpers, which kmod spells "vfio_reset:")
// from the three places kmod looks, in kmod's order
// (libkmod-module.c kmod_module_new_from_lookup):
//   1. modprobe.d "alias" commands,
//   2. modules.alias (loadable modules; depmod's text twin of modules.alias.bin),
//   3. modules.builtin.alias.bin (built-in modules, through libkmod); when a tree has no such
//      index, modules.builtin.modinfo, the kernel's own text that depmod builds it from.
// kmod stops at the first source with a match; vfioctl keeps all of them, because a built-in
// vfio-pci stays the fallback when a loadable variant refuses a device.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "host/host_root.h"
#include "modules/alias_text.h"
#include "modules/kmod_session.h"

namespace vfioctl {

enum class AliasSource { kModprobeConfig, kModulesAlias, kBuiltin };
std::string_view to_string(AliasSource source);

struct VfioAlias {
  std::string pattern;  // in kmod's normal form ('-' -> '_' outside [...]; normalize_alias())
  std::string module;
  AliasSource source;
  std::size_t line = 0;  // position in its source, for messages and the stable tie-break
};

class VfioAliasIndex {
 public:
  struct LoadInfo {
    bool modules_alias_read = false;
    std::string builtin_origin;  // "modules.builtin.alias.bin", "modules.builtin.modinfo" or ""
    std::size_t modules_alias_lines = 0;
    std::vector<std::string> warnings;
  };

  static VfioAliasIndex load(const HostRoot& host, const KmodSession& kmod);
  // For tests and tools that already hold the aliases.
  explicit VfioAliasIndex(std::vector<VfioAlias> aliases);
  VfioAliasIndex(std::vector<VfioAlias> aliases, LoadInfo info);
  VfioAliasIndex() = default;

  const std::vector<VfioAlias>& aliases() const { return aliases_; }
  const LoadInfo& info() const { return info_; }

  // Every alias that matches `key` (e.g. "vfio_pci:v00008086d..."), in source order.
  std::vector<const VfioAlias*> match(const std::string& key) const;

  // What `modprobe -R key` prints: the modules matched by the first source that matches
  // anything, deduplicated, in source order.
  std::vector<std::string> kmod_resolution(const std::string& key) const;

 private:
  std::vector<VfioAlias> aliases_;
  LoadInfo info_;
};

}  // namespace vfioctl
