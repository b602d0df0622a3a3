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

// of_node/compatible of a device (platform, amba): the NUL-terminated strings, in order.
std::vector<std::string> read_of_compatible(const Dir& dev);
// The device's ACPI companion's hardware ID (firmware_node/hid), nullopt without one.
std::optional<std::string> read_acpi_hid(const Dir& dev);
// Both, and what the device-tree node says about the device's IOMMU and MSI controller.
void read_firmware_description(const Dir& dev, Device& d);

}  // namespace vfioctl
