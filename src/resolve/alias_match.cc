#include "resolve/alias_match.h"

#include <fnmatch.h>

#include <algorithm>

namespace vfioctl {

bool alias_matches(const std::string& pattern, const std::string& key) {
  return ::fnmatch(pattern.c_str(), key.c_str(), 0) == 0;
}

namespace {

int count_literals(std::string_view text) {
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '*' || c == '?') continue;
    if (c == '[') {
      // Skip the bracket expression; an unterminated '[' is a literal for fnmatch.
      auto close = text.find(']', i + 2);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    ++n;
  }
  return n;
}

// Finds `tag` at or after `from`, outside bracket expressions.
std::size_t find_tag(std::string_view text, std::string_view tag, std::size_t from) {
  bool in_bracket = false;
  for (std::size_t i = from; i < text.size(); ++i) {
    if (in_bracket) {
      if (text[i] == ']') in_bracket = false;
      continue;
    }
    if (text[i] == '[') {
      in_bracket = true;
      continue;
    }
    if (text.compare(i, tag.size(), tag) == 0) return i;
  }
  return std::string_view::npos;
}

}  // namespace

Specificity alias_specificity(std::string_view pattern, std::span<const std::string_view> tags) {
  Specificity s;
  s.literal_chars = count_literals(pattern);
  const int stars = static_cast<int>(std::count(pattern.begin(), pattern.end(), '*'));

  // Walk the fields: each value runs from its tag to the next tag.
  bool parsed = !tags.empty() && pattern.compare(0, tags[0].size(), tags[0]) == 0;
  int wildcards = 0;
  std::size_t pos = 0;
  for (std::size_t k = 0; parsed && k < tags.size(); ++k) {
    std::size_t value_start = pos + tags[k].size();
    std::size_t value_end = pattern.size();
    if (k + 1 < tags.size()) {
      value_end = find_tag(pattern, tags[k + 1], value_start);
      if (value_end == std::string_view::npos) {
        parsed = false;
        break;
      }
    }
    if (pattern.substr(value_start, value_end - value_start) == "*") ++wildcards;
    pos = value_end;
  }
  if (parsed) {
    s.fields = static_cast<int>(tags.size());
    s.wildcard_fields = wildcards;
  } else {
    s.fields = 0;
    s.wildcard_fields = stars;
  }
  return s;
}

}  // namespace vfioctl
