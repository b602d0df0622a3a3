// Parsers for the two text forms that carry module aliases:
//   modules.alias (and kmod's index dumps; modprobe.d is left to libkmod): "alias <fnmatch pattern> <module>"
//   modules.builtin.modinfo: NUL-separated "<module>.<key>=<value>" records, key "alias".
// Only aliases whose pattern starts with a given prefix are kept ("vfio_" for every vfio bus),
// so scanning a distribution's 30,000-line modules.alias costs one pass with no allocation
// for the lines that are skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

struct AliasEntry {
  std::string pattern;  // as written, e.g. "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*"
  std::string module;   // module name as written (depmod already uses '_')
  std::size_t line = 0; // 1-based line (or record) number in its source, for messages
  friend bool operator==(const AliasEntry&, const AliasEntry&) = default;
};

struct AliasParseStats {
  std::size_t lines = 0;      // lines (or records) looked at
  std::size_t kept = 0;       // aliases with the prefix
  std::size_t malformed = 0;  // "alias" lines without both a pattern and a module
};

// "alias PATTERN MODULE" as depmod writes it: the module is the last blank-separated word and
// the pattern is everything between "alias" and it (MODULE_ALIAS() strings may contain blanks).
// Lines that do not start with the word "alias" are ignored, as are comments. Never throws on
// bad input.
AliasParseStats parse_alias_lines(std::string_view text, std::string_view prefix,
                                  std::vector<AliasEntry>& out);

// kmod_dump_index() of modules.builtin.alias.bin: "PATTERN MODULE" lines with no keyword
// (libkmod.c index_files[] gives that index the dump prefix "", unlike modules.alias.bin's
// "alias "). Same splitting rule as parse_alias_lines().
AliasParseStats parse_index_dump_lines(std::string_view text, std::string_view prefix,
                                       std::vector<AliasEntry>& out);

// modules.builtin.modinfo: records separated by NUL; only "<module>.alias=<pattern>" is used.
AliasParseStats parse_builtin_modinfo(std::string_view text, std::string_view prefix,
                                      std::vector<AliasEntry>& out);

}  // namespace vfioctl
