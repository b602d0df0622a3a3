// IOMMU groups and whether VFIO can claim them.
//
// The kernel rule since v5.19 (1ea2a07a532b "iommu: Add DMA ownership management interfaces",
// 70693f470848 "vfio: Set DMA ownership for VFIO devices"): a group can be used by VFIO only
// when every device in /sys/kernel/iommu_groups/N/devices is unbound or bound to a driver that
// sets driver_managed_dma (every vfio driver, pci-stub, pcieport). QEMU's "group N is not
// viable" is what a user sees otherwise.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bus/device.h"
#include "host/host_root.h"
#include "inventory/vfio_driver_check.h"

namespace vfioctl {

struct GroupMember {
  std::string bus;   // "pci", or the bus read from the member's subsystem link
  std::string name;  // sysfs device name
  std::optional<std::string> driver;
  bool is_vfio = false;
  bool allows_ownership = true;  // unbound, vfio, pci-stub or pcieport
  bool is_bridge = false;        // not an endpoint vfio can take (PCI bridges)
};

struct IommuGroup {
  int number = -1;
  std::vector<GroupMember> members;  // in PCI order
  bool viable() const;
  std::vector<const GroupMember*> blockers() const;
};

class GroupTable {
 public:
  // Reads the member list of every group any of `devices` is in. Members that are in
  // `devices` reuse what was read; others (another bus, or not listed) are read from the group.
  static GroupTable build(const HostRoot& host, const std::vector<Device>& devices,
                          VfioDriverCheck& check);

  const IommuGroup* find(int number) const;
  const std::map<int, IommuGroup>& groups() const { return groups_; }

 private:
  std::map<int, IommuGroup> groups_;
};

}  // namespace vfioctl
