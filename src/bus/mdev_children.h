// The mediated devices under a parent device's sysfs directory (Device::mdevs). The mdev core
// (drivers/vfio/mdev/mdev_core.c, mdev_device_create) adds each as a child device of the parent
// named by its UUID, and mdev_sysfs.c gives it the mdev_type link; a child without that link is
// something else (a ccw device under its subchannel).
#pragma once

#include <string_view>
#include <vector>

#include "bus/device.h"
#include "host/file_io.h"

namespace vfioctl {

// Whether a name is a UUID the way the mdev core prints one ("%pUl": 8-4-4-4-12 lower-case hex).
bool is_mdev_uuid(std::string_view name);

// The parent's mdevs, sorted by UUID.
std::vector<MediatedDevice> read_mdev_children(const Dir& parent);

}  // namespace vfioctl
