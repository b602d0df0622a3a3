// Processes that hold a device's VFIO nodes open (/dev/vfio/<group>, /dev/vfio/devices/vfioN).
// Unbinding a vfio driver from an open device blocks until the user lets go (vfio sends the
// user a request and waits: vfio_unregister_group_dev), so release refuses instead of hanging.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/host_root.h"

namespace vfioctl {

struct VfioUser {
  int pid = 0;
  std::string command;  // /proc/<pid>/comm
  std::string node;     // the node it holds
};

std::vector<VfioUser> vfio_users(const HostRoot& host, std::optional<int> group, const std::optional<std::string>& vfio_dev);

}  // namespace vfioctl
