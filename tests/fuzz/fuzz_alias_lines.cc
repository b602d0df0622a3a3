// parse_alias_lines (modules.alias and kmod's index dumps) against a line-by-line reference
// written independently of the parser, plus three properties:
//   - a prefix only filters: parsing with prefix P keeps exactly the entries of prefix ""
//     whose pattern starts with P;
//   - what was kept survives a round trip through "alias PATTERN MODULE" lines;
//   - the statistics add up (one line per '\n', plus an unterminated last line).
// The grammar is depmod's output (alias_text.h): "alias", then the pattern, which may hold
// blanks, then the module as the last blank-separated word.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "modules/alias_text.h"

namespace {

using vfioctl::AliasEntry;

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string trim(std::string s) {
  while (!s.empty() && blank(s.front())) s.erase(s.begin());
  while (!s.empty() && blank(s.back())) s.pop_back();
  return s;
}

// What the parser should return, one line at a time.
std::vector<AliasEntry> reference(std::string_view text, std::string_view prefix,
                                  std::size_t* lines, std::size_t* malformed) {
  std::vector<AliasEntry> out;
  *lines = 0;
  *malformed = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++*lines;
    std::string line = trim(std::string(text.substr(start, end - start)));
    start = end + 1;
    // The first word must be exactly "alias".
    if (line.compare(0, 5, "alias") != 0 || (line.size() > 5 && !blank(line[5]))) continue;
    std::string rest = trim(line.substr(5));
    std::size_t last_blank = rest.find_last_of(" \t\r\v\f");
    std::string module = last_blank == std::string::npos ? rest : rest.substr(last_blank + 1);
    std::string pattern = last_blank == std::string::npos ? "" : trim(rest.substr(0, last_blank));
    if (pattern.empty() || module.empty()) {
      ++*malformed;
      continue;
    }
    if (pattern.compare(0, prefix.size(), prefix) != 0 || pattern.size() < prefix.size()) continue;
    out.push_back(AliasEntry{pattern, module, *lines});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  // Mostly the prefixes vfioctl uses; sometimes an arbitrary one.
  std::string prefix;
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0: prefix = "vfio"; break;  // the vfio alias index's scan (vfio_ and vfio-reset: lines)
    case 1: prefix = ""; break;
    case 2: prefix = "vfio_pci:"; break;
    case 3: prefix = "vfio_"; break;
    default: prefix = in.ConsumeRandomLengthString(12); break;
  }
  const std::string text = in.ConsumeRemainingBytesAsString();

  std::vector<AliasEntry> got;
  auto stats = vfioctl::parse_alias_lines(text, prefix, got);

  std::size_t ref_lines = 0, ref_malformed = 0;
  auto want = reference(text, prefix, &ref_lines, &ref_malformed);
  FUZZ_CHECK(got == want);
  FUZZ_CHECK(stats.lines == ref_lines);
  FUZZ_CHECK(stats.malformed == ref_malformed);
  FUZZ_CHECK(stats.kept == got.size());

  std::size_t newlines = 0;
  for (char c : text) newlines += c == '\n';
  FUZZ_CHECK(stats.lines == newlines + (!text.empty() && text.back() != '\n' ? 1 : 0));

  // A prefix only filters.
  std::vector<AliasEntry> all;
  vfioctl::parse_alias_lines(text, "", all);
  std::vector<AliasEntry> filtered;
  for (const auto& e : all) {
    if (std::string_view(e.pattern).substr(0, prefix.size()) == prefix) filtered.push_back(e);
  }
  FUZZ_CHECK(got == filtered);

  // Round trip: every kept entry written back as a line parses to itself.
  std::string written;
  for (const auto& e : got) {
    FUZZ_CHECK(!e.pattern.empty() && !e.module.empty());
    written += "alias " + e.pattern + "\t" + e.module + "\n";
  }
  std::vector<AliasEntry> again;
  auto again_stats = vfioctl::parse_alias_lines(written, prefix, again);
  FUZZ_CHECK(again.size() == got.size() && again_stats.malformed == 0);
  for (std::size_t i = 0; i < got.size(); ++i) {
    FUZZ_CHECK(again[i].pattern == got[i].pattern && again[i].module == got[i].module);
    FUZZ_CHECK(again[i].line == i + 1);
  }
  return 0;
}
