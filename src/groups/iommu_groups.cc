#include "groups/iommu_groups.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "host/file_io.h"
#include "host/parallel.h"
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

// The bus of a group member, from its `subsystem` link (drivers/base/bus.c bus_add_device()
// links every bus device's "subsystem" to /sys/bus/<bus>). One readlinkat through the group's
// own link to the device. Only when that link cannot be read is the bus guessed from the name.
std::string member_bus(const Dir& devices_dir, const std::string& name) {
  std::string rel = name + "/subsystem";
  ReadResult subsystem = read_link(devices_dir, rel.c_str());
  if (subsystem.ok()) return std::string(last_component(subsystem.value));
  return PciAddress::parse(name) ? "pci" : "unknown";
}

// A member vfioctl did not list, as read through the group's own links.
struct UnlistedMember {
  std::string bus;
  std::string name;
  std::optional<std::string> driver;
  bool has_vfio_dev = false;
};

UnlistedMember read_unlisted_member(const Dir& devices_dir, const std::string& bus, const std::string& name) {
  UnlistedMember u{bus, name, std::nullopt, false};
  Dir dev = Dir::open_at(devices_dir, name.c_str());
  ReadResult driver = read_link(dev, "driver");
  if (driver.ok()) {
    u.driver = std::string(last_component(driver.value));
    u.has_vfio_dev = has_entry(dev, "vfio-dev");
  }
  return u;
}

GroupMember member_from_group_dir(const UnlistedMember& u, VfioDriverCheck& check) {
  GroupMember m;
  m.name = u.name;
  m.bus = u.bus;
  if (u.driver) {
    m.driver = u.driver;
    m.is_vfio = check.is_vfio(m.bus, *m.driver, u.has_vfio_dev);
    m.allows_ownership = check.allows_group_ownership(m.bus, *m.driver, u.has_vfio_dev);
  }
  return m;
}

// What one group's folder says, before any driver is judged: each member (in folder order) is
// one of the listed devices or else was read from the group. `readable` is false when the
// folder could not be listed.
struct GroupEntry {
  const Device* listed = nullptr;
  UnlistedMember unlisted;
};
struct GroupListing {
  bool readable = false;
  std::vector<GroupEntry> members;
};

GroupListing read_group(const Dir& groups_dir, int number,
                        const std::unordered_map<std::string, const Device*>& by_name) {
  GroupListing g;
  std::string rel = std::to_string(number) + "/devices";
  Dir members_dir = Dir::open_at(groups_dir, rel.c_str());
  std::vector<std::string> names = list_open_dir(members_dir);
  g.readable = !names.empty();
  for (const auto& name : names) {
    // Members are named by device name only; names are unique per bus, not across buses.
    std::string bus = member_bus(members_dir, name);
    auto it = by_name.find(bus + '/' + name);
    if (it != by_name.end()) g.members.push_back(GroupEntry{it->second, {}});
    else g.members.push_back(GroupEntry{nullptr, read_unlisted_member(members_dir, bus, name)});
  }
  return g;
}

}  // namespace

GroupTable GroupTable::build(const HostRoot& host, const std::vector<Device>& devices,
                             VfioDriverCheck& check) {
  GroupTable table;
  std::unordered_map<std::string, const Device*> by_name;
  by_name.reserve(devices.size());
  for (const auto& d : devices) by_name.emplace(d.bus + '/' + d.name, &d);

  // Each group once, with the first device (in `devices` order) that is in it.
  std::vector<std::pair<int, const Device*>> wanted;
  std::unordered_set<int> seen;
  for (const auto& d : devices) {
    if (d.iommu_group && seen.insert(*d.iommu_group).second) wanted.emplace_back(*d.iommu_group, &d);
  }

  // The folders are independent reads (one per group, thousands with SR-IOV): a few threads.
  // Judging drivers (VfioDriverCheck caches) stays on this thread.
  Dir groups_dir = Dir::open(host.sys("kernel/iommu_groups"));
  std::vector<GroupListing> listings(wanted.size());
  parallel_for(wanted.size(), 512, [&](std::size_t i) {
    listings[i] = read_group(groups_dir, wanted[i].first, by_name);
  });

  for (std::size_t i = 0; i < wanted.size(); ++i) {
    IommuGroup group;
    group.number = wanted[i].first;
    const GroupListing& listing = listings[i];
    // An unreadable folder: the device alone.
    if (!listing.readable) group.members.push_back(member_from_device(*wanted[i].second, check));
    for (const auto& e : listing.members) {
      group.members.push_back(e.listed ? member_from_device(*e.listed, check) : member_from_group_dir(e.unlisted, check));
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
