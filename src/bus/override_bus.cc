#include "bus/override_bus.h"

#include <algorithm>

#include "bus/sysfs_device.h"

namespace vfioctl {

std::optional<std::string> plain_device_name(std::string_view text) {
  if (text.empty() || text.size() > 255 || text == "." || text == "..") return std::nullopt;
  for (char c : text) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == ',' || c == '+' || c == '@' || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string(text);
}

std::optional<std::string> OverrideBus::canonical_name(std::string_view user_text) const {
  return spec_.canonical_name ? spec_.canonical_name(user_text) : plain_device_name(user_text);
}

std::vector<std::string> OverrideBus::list(const HostRoot& host) const {
  std::vector<std::string> names = list_dir(host.sys("bus/" + spec_.name + "/devices"));
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<Device> OverrideBus::read(const HostRoot& host, const std::string& name) const {
  Dir devices = Dir::open(host.sys("bus/" + spec_.name + "/devices"));
  Dir dev = Dir::open_at(devices, name.c_str());
  if (!dev.valid()) return std::nullopt;
  Device d;
  d.bus = spec_.name;
  d.name = name;
  ReadResult modalias = read_attr(dev, "modalias");
  if (modalias.ok()) d.modalias = modalias.value;
  else if (!modalias.missing()) d.warnings.push_back("modalias: " + errno_text(modalias.error));
  read_binding_attributes(dev, d);
  if (spec_.steered_by_override && !d.has_driver_override_attr) {
    d.warnings.push_back("no driver_override attribute: this kernel's " + spec_.name + " bus cannot steer the device to vfio");
  }
  if (spec_.read_extra) spec_.read_extra(host, dev, d);
  return d;
}

// "cdx:v..." -> "vfio_cdx:v...": file2alias.c writes a vfio driver's override-only entries
// with the bus's alias prefix behind "vfio_". A bus without vfio aliases has no key.
std::optional<std::string> OverrideBus::vfio_alias_key(const Device& device) const {
  if (spec_.vfio_alias_prefix.empty() || !device.modalias) return std::nullopt;
  return "vfio_" + *device.modalias;
}

}  // namespace vfioctl
