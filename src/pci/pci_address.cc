#include "pci/pci_address.h"

#include <fmt/format.h>

#include "host/hex_digit.h"

namespace vfioctl {

namespace {

// Parses exactly `digits` hex digits (or between min and max) from the front of `text`.
std::optional<std::uint32_t> take_hex(std::string_view& text, std::size_t min, std::size_t max) {
  std::size_t n = 0;
  std::uint32_t value = 0;
  while (n < text.size() && n < max && hex_digit_value(text[n]) >= 0) {
    value = value * 16 + static_cast<std::uint32_t>(hex_digit_value(text[n]));
    ++n;
  }
  if (n < min) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

bool take_char(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<PciAddress> PciAddress::parse(std::string_view text) {
  // Decide between the long and short form by the number of colons.
  std::size_t colons = 0;
  for (char c : text) colons += c == ':';
  PciAddress a;
  std::string_view rest = text;
  if (colons == 2) {
    auto domain = take_hex(rest, 4, 8);
    if (!domain || !take_char(rest, ':')) return std::nullopt;
    a.domain = *domain;
  } else if (colons != 1) {
    return std::nullopt;
  }
  auto bus = take_hex(rest, 2, 2);
  if (!bus || !take_char(rest, ':')) return std::nullopt;
  auto dev = take_hex(rest, 2, 2);
  if (!dev || *dev > 0x1f || !take_char(rest, '.')) return std::nullopt;
  if (rest.size() != 1 || rest[0] < '0' || rest[0] > '7') return std::nullopt;
  a.bus = static_cast<std::uint8_t>(*bus);
  a.device = static_cast<std::uint8_t>(*dev);
  a.function = static_cast<std::uint8_t>(rest[0] - '0');
  return a;
}

std::string PciAddress::to_string() const {
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", domain, bus, device, function);
}

}  // namespace vfioctl
