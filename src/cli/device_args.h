// Turns DEVICE arguments into device references, or a message for exit status 2.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "bus/bus_registry.h"

namespace vfioctl {

std::optional<std::vector<DeviceRef>> parse_device_args(const BusRegistry& buses,
                                                        const std::vector<std::string>& args,
                                                        std::string* error);

// The same, printing the message ("vfioctl: ...") to `err` when an argument is bad; the caller
// then exits with status 2.
std::optional<std::vector<DeviceRef>> parse_device_args(const BusRegistry& buses,
                                                        const std::vector<std::string>& args, std::ostream& err);

}  // namespace vfioctl
