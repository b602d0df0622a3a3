#include "modules/alias_text.h"

#include <cstring>

namespace vfioctl {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view next_word(std::string_view& rest) {
  std::size_t i = 0;
  while (i < rest.size() && is_blank(rest[i])) ++i;
  std::size_t j = i;
  while (j < rest.size() && !is_blank(rest[j])) ++j;
  std::string_view word = rest.substr(i, j - i);
  rest.remove_prefix(j);
  return word;
}

// Lines of "[KEYWORD] PATTERN MODULE"; `keyword` empty when the lines have none.
AliasParseStats parse_pattern_module_lines(std::string_view text, std::string_view keyword,
                                           std::string_view prefix, std::vector<AliasEntry>& out) {
  AliasParseStats stats;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data())
                         : text.size();
    std::string_view rest = text.substr(pos, end - pos);
    pos = end + 1;
    ++stats.lines;

    if (!keyword.empty() && next_word(rest) != keyword) continue;  // comments, blank lines, other commands
    // depmod writes "alias %s %s\n" with the alias exactly as MODULE_ALIAS() gave it, blanks
    // included (arm64 6.12: "alias mt8188 mt6359 soc card mt8188_mt6359"), while a module name
    // never holds one. So the module is the last word and the pattern is all before it.
    while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
    while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
    std::size_t split = rest.size();
    while (split > 0 && !is_blank(rest[split - 1])) --split;
    std::string_view module = rest.substr(split);
    std::string_view pattern = rest.substr(0, split);
    while (!pattern.empty() && is_blank(pattern.back())) pattern.remove_suffix(1);
    if (pattern.empty() || module.empty()) {
      ++stats.malformed;
      continue;
    }
    if (pattern.substr(0, prefix.size()) != prefix) continue;
    out.push_back(AliasEntry{std::string(pattern), std::string(module), stats.lines});
    ++stats.kept;
  }
  return stats;
}

}  // namespace

AliasParseStats parse_alias_lines(std::string_view text, std::string_view prefix,
                                  std::vector<AliasEntry>& out) {
  return parse_pattern_module_lines(text, "alias", prefix, out);
}

AliasParseStats parse_index_dump_lines(std::string_view text, std::string_view prefix,
                                       std::vector<AliasEntry>& out) {
  return parse_pattern_module_lines(text, "", prefix, out);
}

AliasParseStats parse_builtin_modinfo(std::string_view text, std::string_view prefix,
                                      std::vector<AliasEntry>& out) {
  AliasParseStats stats;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const void* nul = std::memchr(text.data() + pos, '\0', text.size() - pos);
    std::size_t end = nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - text.data())
                          : text.size();
    std::string_view record = text.substr(pos, end - pos);
    pos = end + 1;
    if (record.empty()) continue;
    ++stats.lines;
    // "<module>.alias=<pattern>": the module name has no '.', the key is the word after it.
    std::size_t dot = record.find('.');
    if (dot == std::string_view::npos || dot == 0) continue;
    std::string_view after = record.substr(dot + 1);
    if (after.substr(0, 6) != "alias=") continue;
    std::string_view pattern = after.substr(6);
    if (pattern.empty()) {
      ++stats.malformed;
      continue;
    }
    if (pattern.substr(0, prefix.size()) != prefix) continue;
    out.push_back(AliasEntry{std::string(pattern), std::string(record.substr(0, dot)), stats.lines});
    ++stats.kept;
  }
  return stats;
}

}  // namespace vfioctl
