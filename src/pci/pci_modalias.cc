#include "pci/pci_modalias.h"

#include <fmt/format.h>

namespace vfioctl {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Consumes `tag` followed by exactly `digits` hex digits.
bool field(std::string_view& text, std::string_view tag, std::size_t digits, std::uint32_t& out) {
  if (text.size() < tag.size() + digits || text.substr(0, tag.size()) != tag) return false;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    int h = hex_value(text[tag.size() + i]);
    if (h < 0) return false;
    v = v * 16 + static_cast<std::uint32_t>(h);
  }
  text.remove_prefix(tag.size() + digits);
  out = v;
  return true;
}

}  // namespace

std::optional<PciIdentity> parse_pci_modalias(std::string_view text) {
  std::uint32_t v = 0, d = 0, sv = 0, sd = 0, bc = 0, sc = 0, pi = 0;
  if (!(field(text, "pci:v", 8, v) && field(text, "d", 8, d) && field(text, "sv", 8, sv) &&
        field(text, "sd", 8, sd) && field(text, "bc", 2, bc) && field(text, "sc", 2, sc) &&
        field(text, "i", 2, pi))) {
    return std::nullopt;
  }
  if (!text.empty() || v > 0xffff || d > 0xffff || sv > 0xffff || sd > 0xffff) return std::nullopt;
  PciIdentity id;
  id.vendor = static_cast<std::uint16_t>(v);
  id.device = static_cast<std::uint16_t>(d);
  id.subsystem_vendor = static_cast<std::uint16_t>(sv);
  id.subsystem_device = static_cast<std::uint16_t>(sd);
  id.class_code = bc << 16 | sc << 8 | pi;
  return id;
}

std::string format_pci_modalias(const PciIdentity& id) {
  return fmt::format("pci:v{:08X}d{:08X}sv{:08X}sd{:08X}bc{:02X}sc{:02X}i{:02X}", id.vendor,
                     id.device, id.subsystem_vendor, id.subsystem_device, id.base_class(),
                     id.sub_class(), id.class_code & 0xff);
}

}  // namespace vfioctl
