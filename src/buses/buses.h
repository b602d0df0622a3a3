// The buses besides PCI whose devices vfio takes through driver_override, one file each. A
// new bus is one more BusSpec here and its file; BusRegistry lists them after PCI.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bus/override_bus.h"

namespace vfioctl {

BusSpec platform_bus_spec();
BusSpec amba_bus_spec();
BusSpec fsl_mc_bus_spec();
BusSpec cdx_bus_spec();
BusSpec css_bus_spec();
BusSpec ap_bus_spec();

// What the firmware says of a platform or amba device: the device-tree node's compatible list
// (NUL-terminated strings, in order) and whether it names an IOMMU and an MSI controller; the
// ACPI companion's hardware ID (firmware_node/hid).
void read_firmware_description(const Dir& dev, Device& d);

}  // namespace vfioctl
