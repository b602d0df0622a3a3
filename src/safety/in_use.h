// Is the host using this device? A bind would pull it away from under the host, so these are
// refused unless --force:
//   network  an interface of the device that is administratively up and has a non-link-local
//            address or carries a route, directly or through the bridge/bond it is a port of
//            (dpdk-devbind.py refuses interfaces with routes; an address alone counts here too)
//   storage  a block device (or partition) of the device that is mounted, used as swap, or
//            held by another block device (device-mapper, md, bcache: holders/)
//   console  the boot VGA device while a framebuffer console runs on a framebuffer
// Each reason names the interface, mount point or holder.
#pragma once

#include <string>
#include <vector>

#include "bus/device.h"
#include "host/address_source.h"
#include "host/host_root.h"

namespace vfioctl {

std::vector<std::string> network_use(const HostRoot& host, const Device& device, const AddressSource& addresses);
std::vector<std::string> storage_use(const HostRoot& host, const Device& device);
std::vector<std::string> console_use(const HostRoot& host, const Device& device);

std::vector<std::string> in_use_reasons(const HostRoot& host, const Device& device, const AddressSource& addresses);

}  // namespace vfioctl
