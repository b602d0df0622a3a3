// parse_pci_modalias against the kernel's format (drivers/pci/pci-sysfs.c modalias_show:
// "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X"):
//   - whatever it accepts is 53 characters, and formatting the result gives the input back
//     with its hex digits in upper case (the parser also takes lower case);
//   - every identity, formatted, parses back to itself.
#include <fuzzer/FuzzedDataProvider.h>

#include <cctype>
#include <string>

#include "fuzz_check.h"
#include "pci/pci_modalias.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);

  vfioctl::PciIdentity id;
  id.vendor = in.ConsumeIntegral<std::uint16_t>();
  id.device = in.ConsumeIntegral<std::uint16_t>();
  id.subsystem_vendor = in.ConsumeIntegral<std::uint16_t>();
  id.subsystem_device = in.ConsumeIntegral<std::uint16_t>();
  id.class_code = in.ConsumeIntegral<std::uint32_t>() & 0xffffff;
  const std::string formatted = vfioctl::format_pci_modalias(id);
  FUZZ_CHECK(formatted.size() == 53);
  auto back = vfioctl::parse_pci_modalias(formatted);
  FUZZ_CHECK(back && *back == id);

  const std::string text = in.ConsumeRemainingBytesAsString();
  auto parsed = vfioctl::parse_pci_modalias(text);
  if (!parsed) return 0;
  FUZZ_CHECK(text.size() == 53);
  std::string upper = text;
  // Upper-case the digit positions only: the tags ("sv", "bc", ...) must stay as written.
  static constexpr int kDigitStart[] = {5, 14, 24, 34, 44, 48, 51};
  static constexpr int kDigits[] = {8, 8, 8, 8, 2, 2, 2};
  for (int f = 0; f < 7; ++f) {
    for (int i = 0; i < kDigits[f]; ++i) {
      char& c = upper[static_cast<std::size_t>(kDigitStart[f] + i)];
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  FUZZ_CHECK(vfioctl::format_pci_modalias(*parsed) == upper);
  return 0;
}
