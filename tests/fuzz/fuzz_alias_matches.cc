// alias_matches (fnmatch(3), flags 0, as kmod calls it) against two references:
//   - a small dynamic-programming matcher for '*' and '?' (bracket expressions and '\' are
//     left out of these inputs: glibc's handling of them has more cases than a reference
//     worth writing here);
//   - for PCI aliases built like file2alias.c and a formatted modalias key: the alias matches
//     exactly when every literal field equals the device's value.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fuzz_check.h"
#include "pci_alias_builder.h"
#include "resolve/alias_match.h"

namespace {

// '*' matches any run of characters (including '/': no FNM_PATHNAME), '?' any one character.
bool glob_reference(const std::string& pattern_in, const std::string& key_in) {
  // fnmatch sees C strings: an embedded NUL ends them.
  const std::string pattern = pattern_in.c_str();
  const std::string key = key_in.c_str();
  const std::size_t p = pattern.size(), k = key.size();
  std::vector<std::vector<bool>> ok(p + 1, std::vector<bool>(k + 1, false));
  ok[p][k] = true;
  for (std::size_t i = p; i-- > 0;) {
    for (std::size_t j = k + 1; j-- > 0;) {
      char c = pattern[i];
      if (c == '*') ok[i][j] = ok[i + 1][j] || (j < k && ok[i][j + 1]);
      else if (j < k && (c == '?' || c == key[j])) ok[i][j] = ok[i + 1][j + 1];
    }
  }
  return ok[0][0];
}

std::string without_brackets(std::string s) {
  for (char& c : s) {
    if (c == '[' || c == '\\') c = '*';
  }
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  if (in.ConsumeBool()) {
    auto id = fuzz::consume_identity(in);
    auto alias = fuzz::build_pci_alias(in, id);
    std::string key = "vfio_" + vfioctl::format_pci_modalias(id);
    bool want = fuzz::pci_alias_should_match(alias, id);
    FUZZ_CHECK(vfioctl::alias_matches("vfio_pci:" + alias.body, key) == want);
    // Another bus prefix never matches a PCI key.
    FUZZ_CHECK(!vfioctl::alias_matches("vfio_cdx:" + alias.body, key));
    return 0;
  }
  // Both sides short: glibc's fnmatch backtracks on '*', and long star-heavy inputs only
  // measure that.
  std::string pattern = without_brackets(in.ConsumeRandomLengthString(48));
  std::string key = in.ConsumeRandomLengthString(64);
  FUZZ_CHECK(vfioctl::alias_matches(pattern, key) == glob_reference(pattern, key));
  // A pattern without wildcards matches itself.
  std::string literal = key.c_str();
  if (literal.find_first_of("*?[\\") == std::string::npos) {
    FUZZ_CHECK(vfioctl::alias_matches(literal, literal));
  }
  return 0;
}
