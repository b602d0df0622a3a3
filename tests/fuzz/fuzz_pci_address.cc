// PciAddress::parse against a regular expression of the grammar it documents
// ("DDDD:BB:DD.F" with 4 to 8 domain digits, or "BB:DD.F"; device <= 0x1f, function <= 7),
// and the to_string() round trip: the kernel's spelling parses back to the same address and
// is a fixed point.
#include <fuzzer/FuzzedDataProvider.h>

#include <regex>
#include <string>

#include "fuzz_check.h"
#include "pci/pci_address.h"

namespace {

const std::regex& grammar() {
  static const std::regex re(
      "(?:([0-9A-Fa-f]{4,8}):)?([0-9A-Fa-f]{2}):([0-9A-Fa-f]{2})\\.([0-7])", std::regex::ECMAScript);
  return re;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64) return 0;  // addresses are short; long inputs only slow the regex down
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = vfioctl::PciAddress::parse(text);

  std::smatch m;
  bool matches = std::regex_match(text, m, grammar());
  if (matches && std::stoul(m[3].str(), nullptr, 16) > 0x1f) matches = false;
  FUZZ_CHECK(parsed.has_value() == matches);
  if (!parsed) return 0;

  FUZZ_CHECK(parsed->domain == (m[1].matched ? std::stoul(m[1].str(), nullptr, 16) : 0));
  FUZZ_CHECK(parsed->bus == std::stoul(m[2].str(), nullptr, 16));
  FUZZ_CHECK(parsed->device == std::stoul(m[3].str(), nullptr, 16));
  FUZZ_CHECK(parsed->function == std::stoul(m[4].str(), nullptr, 16));

  const std::string canonical = parsed->to_string();
  auto again = vfioctl::PciAddress::parse(canonical);
  FUZZ_CHECK(again && *again == *parsed);
  FUZZ_CHECK(again->to_string() == canonical);
  return 0;
}
