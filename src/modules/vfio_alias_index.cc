#include "modules/vfio_alias_index.h"

#include <algorithm>

#include "host/file_io.h"
#include "modules/module_name.h"
#include "resolve/alias_match.h"

namespace vfioctl {

namespace {
// Text sources are scanned for "vfio" and kept when the pattern's normal form starts with
// "vfio_": modules.alias and modules.builtin.modinfo carry the spelling MODULE_ALIAS() was given,
// and some vfio aliases are written with '-' ("vfio-reset:<compat>", include/linux/vfio.h
// module_vfio_reset_handler), which kmod normalises to "vfio_reset:" before comparing.
constexpr std::string_view kTextPrefix = "vfio";
constexpr std::string_view kVfioPrefix = "vfio_";

void keep_vfio_patterns(std::vector<AliasEntry>& entries) {
  std::erase_if(entries, [](const AliasEntry& e) {
    auto normal = normalize_alias(e.pattern);
    return !normal || normal->compare(0, kVfioPrefix.size(), kVfioPrefix) != 0;
  });
}
}

std::string_view to_string(AliasSource source) {
  switch (source) {
    case AliasSource::kModprobeConfig: return "modprobe.d";
    case AliasSource::kModulesAlias: return "modules.alias";
    case AliasSource::kBuiltin: return "builtin";
  }
  return "unknown";
}

VfioAliasIndex::VfioAliasIndex(std::vector<VfioAlias> aliases) : VfioAliasIndex(std::move(aliases), {}) {}

VfioAliasIndex::VfioAliasIndex(std::vector<VfioAlias> aliases, LoadInfo info)
    : aliases_(std::move(aliases)), info_(std::move(info)) {
  // Compared in kmod's normal form, as modprobe compares them (see match()).
  for (auto& a : aliases_) {
    if (auto normal = normalize_alias(a.pattern)) a.pattern = std::move(*normal);
  }
}

VfioAliasIndex VfioAliasIndex::load(const HostRoot& host, const KmodSession& kmod) {
  std::vector<VfioAlias> aliases;
  LoadInfo info;
  auto add = [&](std::vector<AliasEntry>& entries, AliasSource source) {
    for (auto& e : entries) {
      aliases.push_back(VfioAlias{std::move(e.pattern), normalize_module_name(e.module), source, e.line});
    }
  };

  auto config = kmod.config_aliases(kTextPrefix);
  keep_vfio_patterns(config);
  add(config, AliasSource::kModprobeConfig);

  if (!host.modules_dir()) {
    info.warnings.push_back("no module tree for kernel " + host.kernel_release() + " under " +
                            host.path("/lib/modules") + ": vfio drivers cannot be resolved");
    return VfioAliasIndex(std::move(aliases), std::move(info));
  }
  const std::string& dir = *host.modules_dir();

  ReadResult text = read_file(dir + "/modules.alias");
  if (text.ok()) {
    std::vector<AliasEntry> entries;
    info.modules_alias_lines = parse_alias_lines(text.value, kTextPrefix, entries).lines;
    keep_vfio_patterns(entries);
    info.modules_alias_read = true;
    add(entries, AliasSource::kModulesAlias);
  } else {
    info.warnings.push_back(dir + "/modules.alias: " + errno_text(text.error) +
                            " (run depmod to create it)");
  }

  if (auto builtin = kmod.builtin_aliases(kVfioPrefix)) {
    info.builtin_origin = "modules.builtin.alias.bin";
    add(*builtin, AliasSource::kBuiltin);
  } else {
    ReadResult modinfo = read_file(dir + "/modules.builtin.modinfo");
    if (modinfo.ok()) {
      std::vector<AliasEntry> entries;
      parse_builtin_modinfo(modinfo.value, kTextPrefix, entries);
      keep_vfio_patterns(entries);
      info.builtin_origin = "modules.builtin.modinfo";
      add(entries, AliasSource::kBuiltin);
    }
  }
  return VfioAliasIndex(std::move(aliases), std::move(info));
}

std::vector<const VfioAlias*> VfioAliasIndex::match(const std::string& key) const {
  std::vector<const VfioAlias*> out;
  // kmod_module_new_from_lookup() normalises the key first and gives up on one it rejects.
  auto normal_key = normalize_alias(key);
  if (!normal_key) return out;
  for (const auto& a : aliases_) {
    if (alias_matches(a.pattern, *normal_key)) out.push_back(&a);
  }
  return out;
}

std::vector<std::string> VfioAliasIndex::kmod_resolution(const std::string& key) const {
  auto matches = match(key);
  std::vector<std::string> modules;
  for (AliasSource source :
       {AliasSource::kModprobeConfig, AliasSource::kModulesAlias, AliasSource::kBuiltin}) {
    for (const VfioAlias* a : matches) {
      if (a->source != source) continue;
      if (std::find(modules.begin(), modules.end(), a->module) == modules.end()) {
        modules.push_back(a->module);
      }
    }
    if (!modules.empty()) break;
  }
  return modules;
}

}  // namespace vfioctl
