// PCI addresses as the kernel names them in /sys/bus/pci/devices: DDDD:BB:DD.F.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

struct PciAddress {
  std::uint32_t domain = 0;  // 16 bits normally; VMD and some hosts use wider domains (10000:)
  std::uint8_t bus = 0;
  std::uint8_t device = 0;    // 0..31
  std::uint8_t function = 0;  // 0..7

  // Accepts "DDDD:BB:DD.F" (4 to 8 domain digits) and the short "BB:DD.F" (domain 0000), hex in
  // either case. Anything else, including trailing text, is rejected: these strings end up in
  // sysfs writes, so nothing loose gets through.
  static std::optional<PciAddress> parse(std::string_view text);
  // The kernel's spelling: lower-case hex, at least four domain digits.
  std::string to_string() const;

  friend bool operator==(const PciAddress&, const PciAddress&) = default;
  friend auto operator<=>(const PciAddress&, const PciAddress&) = default;
};

}  // namespace vfioctl
