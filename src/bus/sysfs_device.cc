#include "bus/sysfs_device.h"

#include <algorithm>
#include <charconv>

namespace vfioctl {

std::optional<int> parse_decimal(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

void read_binding_attributes(const Dir& dev, Device& d) {
  ReadResult driver = read_link(dev, "driver");
  if (driver.ok()) {
    d.driver = std::string(last_component(driver.value));
  } else if (!driver.missing()) {
    d.warnings.push_back("driver: " + errno_text(driver.error));
  }

  ReadResult override_attr = read_attr(dev, "driver_override");
  if (override_attr.ok()) {
    d.has_driver_override_attr = true;
    // The kernel prints "(null)" for an unset override (sprintf of a NULL pointer); an empty
    // value can only be a fixture, and means the same.
    if (override_attr.value != "(null)" && !override_attr.value.empty()) {
      d.driver_override = override_attr.value;
    }
  } else if (!override_attr.missing()) {
    d.has_driver_override_attr = true;
    d.warnings.push_back("driver_override: " + errno_text(override_attr.error));
  }

  ReadResult group = read_link(dev, "iommu_group");
  if (group.ok()) {
    auto g = parse_decimal(last_component(group.value));
    if (g) d.iommu_group = *g;
    else d.warnings.push_back("iommu_group: unexpected link '" + group.value + "'");
  } else if (!group.missing()) {
    d.warnings.push_back("iommu_group: " + errno_text(group.error));
  }

  // Since Linux 6.1 (vfio device cdev groundwork) every device bound to a vfio driver has
  // vfio-dev/vfioN. Only bound devices can have it.
  if (d.driver) {
    int error = 0;
    auto names = list_dir_at(dev, "vfio-dev", &error);
    std::sort(names.begin(), names.end());
    if (!names.empty()) d.vfio_dev = names.front();
  }
}

}  // namespace vfioctl
