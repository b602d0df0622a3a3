// What every bus's device directory has in common (drivers/base/core.c and dd.c, the
// driver_override attribute of the buses that have one): the driver link and its module, the
// driver_override, the IOMMU group link and the vfio-dev node. Each bus reads its own identity
// (PCI ids, OF compatible strings, ...) and calls this for the rest.
#pragma once

#include "bus/device.h"
#include "host/file_io.h"

namespace vfioctl {

void read_binding_attributes(const Dir& dev, Device& d);

// A decimal integer, the whole text.
std::optional<int> parse_decimal(std::string_view text);

}  // namespace vfioctl
