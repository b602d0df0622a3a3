// The PCI bus: /sys/bus/pci. Reads a device with one directory open and a handful of
// openat/readlinkat calls relative to it (see file_io.h for why).
#pragma once

#include "bus/bus.h"

namespace vfioctl {

class PciBus final : public Bus {
 public:
  std::string_view name() const override { return "pci"; }
  std::string_view vfio_alias_prefix() const override { return "vfio_pci:"; }
  std::span<const std::string_view> modalias_fields() const override;
  std::string_view generic_vfio_module() const override { return "vfio_pci"; }
  std::optional<std::string> canonical_name(std::string_view user_text) const override;
  std::vector<std::string> list(const HostRoot& host) const override;
  std::optional<Device> read(const HostRoot& host, const std::string& name) const override;
  std::optional<std::string> vfio_alias_key(const Device& device) const override;

  std::vector<Device> read_many(const HostRoot& host, const std::vector<std::string>& names) const override;
  std::string_view without_group() const override {
    return "vfio-pci refuses such a device (vfio_pci_core_register_device: -EINVAL); check the firmware's "
           "DMAR/IVRS tables";
  }
};

}  // namespace vfioctl
