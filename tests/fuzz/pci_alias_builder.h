// Builds PCI vfio alias patterns the way the kernel's file2alias.c does (do_pci_entry():
// each field is either '*' or the exact value in upper-case hex of the modalias width, and
// add_wildcard() appends '*' after a literal last field), from fuzzer bytes, together with
// what the pattern should score and match.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "pci/pci_modalias.h"

namespace fuzz {

struct PciAliasField {
  const char* tag;
  int digits;
};
inline constexpr std::array<PciAliasField, 7> kPciFields = {
    {{"v", 8}, {"d", 8}, {"sv", 8}, {"sd", 8}, {"bc", 2}, {"sc", 2}, {"i", 2}}};

inline std::array<std::uint32_t, 7> field_values(const vfioctl::PciIdentity& id) {
  return {id.vendor, id.device, id.subsystem_vendor, id.subsystem_device, id.base_class(),
          id.sub_class(), id.class_code & 0xffu};
}

struct PciAlias {
  std::string body;                                 // without "vfio_pci:"
  std::array<std::optional<std::uint32_t>, 7> value;  // nullopt: the field is '*'
  int wildcard_fields = 0;
  int literal_chars = 0;  // tags and digits
};

// `near` makes literal fields likely to equal the device's, so matches are common.
inline PciAlias build_pci_alias(FuzzedDataProvider& in, const vfioctl::PciIdentity& near) {
  PciAlias a;
  auto device_values = field_values(near);
  for (std::size_t k = 0; k < kPciFields.size(); ++k) {
    const auto& f = kPciFields[k];
    a.body += f.tag;
    a.literal_chars += static_cast<int>(std::char_traits<char>::length(f.tag));
    switch (in.ConsumeIntegralInRange<int>(0, 2)) {
      case 0:
        a.body += '*';
        ++a.wildcard_fields;
        break;
      case 1:
        a.value[k] = device_values[k];
        break;
      default: {
        std::uint32_t max = f.digits == 8 ? 0xffffu : 0xffu;
        a.value[k] = in.ConsumeIntegralInRange<std::uint32_t>(0, max);
        break;
      }
    }
    if (a.value[k]) {
      a.body += fmt::format("{:0{}X}", *a.value[k], f.digits);
      a.literal_chars += f.digits;
    }
  }
  if (a.value[6]) a.body += '*';  // add_wildcard()
  return a;
}

inline bool pci_alias_should_match(const PciAlias& a, const vfioctl::PciIdentity& id) {
  auto values = field_values(id);
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (a.value[k] && *a.value[k] != values[k]) return false;
  }
  return true;
}

inline vfioctl::PciIdentity consume_identity(FuzzedDataProvider& in) {
  vfioctl::PciIdentity id;
  id.vendor = in.ConsumeIntegral<std::uint16_t>();
  id.device = in.ConsumeIntegral<std::uint16_t>();
  id.subsystem_vendor = in.ConsumeIntegral<std::uint16_t>();
  id.subsystem_device = in.ConsumeIntegral<std::uint16_t>();
  id.class_code = in.ConsumeIntegral<std::uint32_t>() & 0xffffffu;
  return id;
}

}  // namespace fuzz
