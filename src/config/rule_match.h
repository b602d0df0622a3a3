// Which devices a [[device]] rule selects on this host, from a Snapshot and a few sysfs reads.
//
// Stable identities come from sysfs only:
//   serial: /sys/bus/pci/devices/<dev>/nvme/<ctrl>/serial (drivers/nvme/host/sysfs.c,
//           serial_show; the kernel already drops the space padding of the Identify field).
//           Readable only while the nvme driver has the controller.
//   mac:    /sys/bus/pci/devices/<dev>/net/<if>/address, taken only when addr_assign_type is 0
//           (NET_ADDR_PERM, include/uapi/linux/netdevice.h; Documentation/ABI/testing/
//           sysfs-class-net): then the address is the one the driver read from the device. An
//           address set by the user (NET_ADDR_SET) or random (NET_ADDR_RANDOM) is not the
//           permanent one, and the permanent one is only reachable through ethtool's
//           ETHTOOL_GPERMADDR ioctl, which vfioctl does not use. Readable only while a network
//           driver has the device.
// So once such a device is on a vfio driver, its rule selects nothing: apply then has nothing
// to do for it, which is the idempotent answer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config_file.h"
#include "host/host_root.h"
#include "inventory/snapshot.h"

namespace vfioctl {

// Devices the selector picks among the snapshot's devices, as DeviceRef::id() names them (a PCI
// address, or BUS/NAME for an address rule on another bus), in snapshot
// order. A pf selector picks the PF's virtfnN links that exist, whether or not the snapshot
// holds them.
std::vector<std::string> select_devices(const HostRoot& host, const Snapshot& snap, const DeviceSelector& selector);

// The identities, exposed for tests and for `explain`-style reporting.
std::vector<std::string> nvme_serials(const HostRoot& host, const std::string& device);
std::vector<std::string> permanent_macs(const HostRoot& host, const std::string& device);

// The address of virtfn<index> of `pf`, when that VF exists.
std::optional<std::string> vf_address(const HostRoot& host, const std::string& pf, int index);

}  // namespace vfioctl
