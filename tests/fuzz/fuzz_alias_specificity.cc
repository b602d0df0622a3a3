// alias_specificity over arbitrary patterns (no crash, counts within bounds) and over PCI
// aliases built like the kernel's file2alias.c, whose expected score is known exactly.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "pci/pci_bus.h"
#include "pci_alias_builder.h"
#include "resolve/alias_match.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto tags = vfioctl::PciBus().modalias_fields();

  if (in.ConsumeBool()) {
    auto id = fuzz::consume_identity(in);
    auto alias = fuzz::build_pci_alias(in, id);
    auto s = vfioctl::alias_specificity(alias.body, tags);
    FUZZ_CHECK(s.fields == 7);
    FUZZ_CHECK(s.wildcard_fields == alias.wildcard_fields);
    FUZZ_CHECK(s.literal_chars == alias.literal_chars);
    FUZZ_CHECK(s.score() == 7 - alias.wildcard_fields);
    return 0;
  }

  const std::string pattern = in.ConsumeRemainingBytesAsString();
  auto s = vfioctl::alias_specificity(pattern, tags);
  const int stars = static_cast<int>(std::count(pattern.begin(), pattern.end(), '*'));
  FUZZ_CHECK(s.fields == 0 || s.fields == 7);
  FUZZ_CHECK(s.literal_chars >= 0 && static_cast<std::size_t>(s.literal_chars) <= pattern.size());
  FUZZ_CHECK(s.wildcard_fields >= 0 && s.wildcard_fields <= stars);
  if (s.fields == 0) FUZZ_CHECK(s.wildcard_fields == stars);
  if (s.fields == 7) FUZZ_CHECK(s.wildcard_fields <= 7);
  if (pattern.find_first_of("*?[") == std::string::npos) {
    FUZZ_CHECK(static_cast<std::size_t>(s.literal_chars) == pattern.size());
  }
  // The score needs the PCI layout; with no tags every '*' counts.
  auto untagged = vfioctl::alias_specificity(pattern, {});
  FUZZ_CHECK(untagged.fields == 0 && untagged.wildcard_fields == stars);
  return 0;
}
