// parse_builtin_modinfo (modules.builtin.modinfo: NUL-separated "<module>.<key>=<value>")
// against an independent reference, with the same filter and round-trip properties as the
// modules.alias target.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "modules/alias_text.h"

namespace {

using vfioctl::AliasEntry;

std::vector<AliasEntry> reference(std::string_view text, std::string_view prefix, std::size_t* records,
                                  std::size_t* malformed) {
  std::vector<AliasEntry> out;
  *records = 0;
  *malformed = 0;
  std::string record;
  auto finish = [&] {
    if (record.empty()) return;
    ++*records;
    std::size_t dot = record.find('.');
    if (dot != std::string::npos && dot > 0 && record.compare(dot + 1, 6, "alias=") == 0) {
      std::string pattern = record.substr(dot + 7);
      if (pattern.empty()) {
        ++*malformed;
      } else if (pattern.compare(0, prefix.size(), prefix) == 0 && pattern.size() >= prefix.size()) {
        out.push_back(AliasEntry{pattern, record.substr(0, dot), *records});
      }
    }
    record.clear();
  };
  for (char c : text) {
    if (c == '\0') finish();
    else record += c;
  }
  finish();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  std::string prefix;
  switch (in.ConsumeIntegralInRange<int>(0, 2)) {
    case 0: prefix = "vfio_"; break;
    case 1: prefix = ""; break;
    default: prefix = in.ConsumeRandomLengthString(12); break;
  }
  const std::string text = in.ConsumeRemainingBytesAsString();

  std::vector<AliasEntry> got;
  auto stats = vfioctl::parse_builtin_modinfo(text, prefix, got);
  std::size_t records = 0, malformed = 0;
  auto want = reference(text, prefix, &records, &malformed);
  FUZZ_CHECK(got == want);
  FUZZ_CHECK(stats.lines == records);
  FUZZ_CHECK(stats.malformed == malformed);
  FUZZ_CHECK(stats.kept == got.size());

  std::vector<AliasEntry> all;
  vfioctl::parse_builtin_modinfo(text, "", all);
  std::vector<AliasEntry> filtered;
  for (const auto& e : all) {
    if (std::string_view(e.pattern).substr(0, prefix.size()) == prefix) filtered.push_back(e);
  }
  FUZZ_CHECK(got == filtered);

  // Round trip through the kernel's record format.
  std::string written;
  for (const auto& e : got) {
    FUZZ_CHECK(!e.module.empty() && e.module.find('.') == std::string::npos);
    written += e.module + ".alias=" + e.pattern;
    written += '\0';
  }
  std::vector<AliasEntry> again;
  vfioctl::parse_builtin_modinfo(written, prefix, again);
  FUZZ_CHECK(again.size() == got.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    FUZZ_CHECK(again[i].pattern == got[i].pattern && again[i].module == got[i].module);
  }
  return 0;
}
