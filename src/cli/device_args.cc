#include "cli/device_args.h"

namespace vfioctl {

std::optional<std::vector<DeviceRef>> parse_device_args(const BusRegistry& buses,
                                                        const std::vector<std::string>& args,
                                                        std::string* error) {
  std::vector<DeviceRef> refs;
  for (const auto& a : args) {
    auto ref = buses.parse(a, error);
    if (!ref) return std::nullopt;
    refs.push_back(*ref);
  }
  return refs;
}

std::optional<std::vector<DeviceRef>> parse_device_args(const BusRegistry& buses,
                                                        const std::vector<std::string>& args, std::ostream& err) {
  std::string error;
  auto refs = parse_device_args(buses, args, &error);
  if (!refs) err << "vfioctl: " << error << "\n";
  return refs;
}

}  // namespace vfioctl
