// Vendor and device names from pci.ids through libpci, the library lspci uses. Loading the
// name list costs a parse of pci.ids, so it happens on the first lookup only, and only where
// names are shown (tables and explain), never for --json listings.
#pragma once

#include <cstdint>
#include <string>

struct pci_access;

namespace vfioctl {

class HostRoot;

class PciNames {
 public:
  // Looks for pci.ids under the root first (so fixtures are self-contained), then the host's.
  explicit PciNames(const HostRoot& host);
  ~PciNames();
  PciNames(const PciNames&) = delete;
  PciNames& operator=(const PciNames&) = delete;

  // "Mellanox Technologies MT2894 Family [ConnectX-6 Lx]"; "" when unknown or no pci.ids.
  std::string device_name(std::uint16_t vendor, std::uint16_t device);
  // "Ethernet controller"; "" when unknown.
  std::string class_name(std::uint32_t class_code);

 private:
  bool ready();
  pci_access* pacc_ = nullptr;
  std::string ids_path_;
  bool tried_ = false;
  bool ok_ = false;
};

}  // namespace vfioctl
