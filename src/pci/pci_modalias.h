// The PCI modalias the kernel exports in /sys/bus/pci/devices/*/modalias:
//   pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X        (drivers/pci/pci-sysfs.c, modalias_show)
// It carries the whole identity vfioctl needs, so one read per device is enough.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

struct PciIdentity {
  std::uint16_t vendor = 0;
  std::uint16_t device = 0;
  std::uint16_t subsystem_vendor = 0;
  std::uint16_t subsystem_device = 0;
  std::uint32_t class_code = 0;  // base class << 16 | subclass << 8 | prog-if

  std::uint8_t base_class() const { return static_cast<std::uint8_t>(class_code >> 16); }
  std::uint8_t sub_class() const { return static_cast<std::uint8_t>(class_code >> 8); }
  friend bool operator==(const PciIdentity&, const PciIdentity&) = default;
};

// Strict parse: the "pci:" prefix, the seven fields in order with the exact digit counts.
// vendor/device/subsystem ids are 32-bit fields in the modalias but always hold 16-bit values.
std::optional<PciIdentity> parse_pci_modalias(std::string_view modalias);

// The kernel's formatting of an identity, for tests and synthetic devices.
std::string format_pci_modalias(const PciIdentity& id);

}  // namespace vfioctl
