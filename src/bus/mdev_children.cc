#include "bus/mdev_children.h"

#include <algorithm>

#include "bus/sysfs_device.h"

namespace vfioctl {

bool is_mdev_uuid(std::string_view name) {
  if (name.size() != 36) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::vector<MediatedDevice> read_mdev_children(const Dir& parent) {
  std::vector<MediatedDevice> out;
  for (const auto& name : list_dir_at(parent, ".")) {
    if (!is_mdev_uuid(name)) continue;
    Dir child = Dir::open_at(parent, name.c_str());
    ReadResult type = read_link(child, "mdev_type");
    if (!type.ok()) continue;
    MediatedDevice m;
    m.uuid = name;
    m.type = std::string(last_component(type.value));
    ReadResult group = read_link(child, "iommu_group");
    if (group.ok()) m.iommu_group = parse_decimal(last_component(group.value));
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(), [](const MediatedDevice& a, const MediatedDevice& b) { return a.uuid < b.uuid; });
  return out;
}

}  // namespace vfioctl
