#include "groups/iommu_groups.h"

#include <algorithm>
#include <unordered_map>

#include "host/file_io.h"
#include "pci/pci_address.h"

namespace vfioctl {

bool IommuGroup::viable() const {
  return std::all_of(members.begin(), members.end(), [](const GroupMember& m) { return m.allows_ownership; });
}

std::vector<const GroupMember*> IommuGroup::blockers() const {
  std::vector<const GroupMember*> out;
  for (const auto& m : members) {
    if (!m.allows_ownership) out.push_back(&m);
  }
  return out;
}

namespace {

GroupMember member_from_device(const Device& d, VfioDriverCheck& check) {
  GroupMember m;
  m.bus = d.bus;
  m.name = d.name;
  m.driver = d.driver;
  m.is_bridge = d.not_assignable.has_value();
  if (d.driver) {
    m.is_vfio = check.is_vfio(d.bus, *d.driver, d.vfio_dev.has_value());
    m.allows_ownership = m.is_vfio || check.allows_group_ownership(d.bus, *d.driver, d.vfio_dev.has_value());
  }
  return m;
}

// A member vfioctl did not list: read its bus and driver through the group's own links.
GroupMember member_from_group_dir(const Dir& devices_dir, const std::string& name, VfioDriverCheck& check) {
  GroupMember m;
  m.name = name;
  Dir dev = Dir::open_at(devices_dir, name.c_str());
  ReadResult subsystem = read_link(dev, "subsystem");
  m.bus = subsystem.ok() ? std::string(last_component(subsystem.value)) : std::string("unknown");
  ReadResult driver = read_link(dev, "driver");
  if (driver.ok()) {
    m.driver = std::string(last_component(driver.value));
    bool has_vfio_dev = has_entry(dev, "vfio-dev");
    m.is_vfio = check.is_vfio(m.bus, *m.driver, has_vfio_dev);
    m.allows_ownership = check.allows_group_ownership(m.bus, *m.driver, has_vfio_dev);
  }
  return m;
}

}  // namespace

GroupTable GroupTable::build(const HostRoot& host, const std::vector<Device>& devices,
                             VfioDriverCheck& check) {
  GroupTable table;
  std::unordered_map<std::string, const Device*> by_name;
  by_name.reserve(devices.size());
  for (const auto& d : devices) by_name.emplace(d.bus + '/' + d.name, &d);

  Dir groups_dir = Dir::open(host.sys("kernel/iommu_groups"));
  for (const auto& d : devices) {
    if (!d.iommu_group || table.groups_.count(*d.iommu_group)) continue;
    IommuGroup group;
    group.number = *d.iommu_group;
    std::string rel = std::to_string(group.number) + "/devices";
    Dir members_dir = Dir::open_at(groups_dir, rel.c_str());
    std::vector<std::string> names;
    if (members_dir.valid()) names = list_dir_at(groups_dir, rel.c_str());
    if (names.empty()) names.push_back(d.name);  // the group folder is unreadable: the device alone
    for (const auto& name : names) {
      // Group members are named by device name only; a PCI address is unambiguous.
      std::string bus = PciAddress::parse(name) ? "pci" : "";
      auto it = by_name.find(bus + '/' + name);
      if (it != by_name.end()) group.members.push_back(member_from_device(*it->second, check));
      else group.members.push_back(member_from_group_dir(members_dir, name, check));
    }
    std::sort(group.members.begin(), group.members.end(), [](const GroupMember& a, const GroupMember& b) {
      auto pa = PciAddress::parse(a.name), pb = PciAddress::parse(b.name);
      if (pa && pb) return *pa < *pb;
      return a.name < b.name;
    });
    table.groups_.emplace(group.number, std::move(group));
  }
  return table;
}

const IommuGroup* GroupTable::find(int number) const {
  auto it = groups_.find(number);
  return it == groups_.end() ? nullptr : &it->second;
}

}  // namespace vfioctl
