// The buses vfioctl knows, and the parsing of the DEVICE arguments users type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"

namespace vfioctl {

struct DeviceRef {
  const Bus* bus = nullptr;
  std::string name;  // canonical sysfs name
  std::string id() const;
  friend bool operator==(const DeviceRef& a, const DeviceRef& b) { return a.bus == b.bus && a.name == b.name; }
};

class BusRegistry {
 public:
  BusRegistry();  // every bus vfioctl supports
  const std::vector<std::unique_ptr<Bus>>& all() const { return buses_; }
  const Bus* find(std::string_view name) const;
  const Bus& pci() const { return *buses_.front(); }

  // "0000:01:00.0", "01:00.0" (PCI, domain 0000) or "BUS/NAME". The error names what is wrong
  // and what would be right.
  std::optional<DeviceRef> parse(std::string_view text, std::string* error) const;

 private:
  std::vector<std::unique_ptr<Bus>> buses_;
};

}  // namespace vfioctl
