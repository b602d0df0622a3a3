#include <map>
#include <set>
#include <sstream>

#include "host/file_io.h"
#include "safety/in_use.h"

namespace vfioctl {

namespace {

// Mount points by device, from mountinfo (Documentation/filesystems/proc.rst, "3.5
// /proc/<pid>/mountinfo"): field 3 is major:minor, and after the "-" separator come the
// filesystem type and the mount source. Both are kept because field 3 is st_dev, which is an
// anonymous 0:N device for btrfs (each subvolume gets its own), so a btrfs partition is found
// only by its source, "/dev/nvme0n1p2".
struct MountTable {
  std::multimap<std::string, std::string> by_device;  // "259:2" -> mount point
  std::multimap<std::string, std::string> by_source;  // "/dev/nvme0n1p2" -> mount point
};

MountTable read_mounts(const HostRoot& host) {
  MountTable out;
  std::istringstream in(read_file(host.path("/proc/self/mountinfo")).value);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, majmin, root, mount_point;
    if (!(f >> id >> parent >> majmin >> root >> mount_point)) continue;
    out.by_device.emplace(majmin, mount_point);
    std::string field, fstype, source;
    while (f >> field && field != "-") {
    }
    if (field == "-" && f >> fstype >> source && source.rfind("/dev/", 0) == 0) {
      out.by_source.emplace(source, mount_point);
    }
  }
  return out;
}

std::set<std::string> swap_devices(const HostRoot& host) {
  std::set<std::string> out;
  std::istringstream in(read_file(host.path("/proc/swaps")).value);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string path;
    if (f >> path) out.insert(std::string(last_component(path)));
  }
  return out;
}

}  // namespace

std::vector<std::string> storage_use(const HostRoot& host, const Device& device) {
  std::vector<std::string> reasons;
  // Every block device and partition links into /sys/devices below its controller, so the
  // link text names the PCI device: ../../devices/pci0000:00/0000:00:03.0/nvme/nvme0/nvme0n1.
  std::string marker = "/" + device.name + "/";
  std::string class_block = host.sys("class/block/");
  std::vector<std::string> ours;
  for (const auto& name : list_dir(class_block)) {
    ReadResult link = read_link_path(class_block + name);
    if (link.ok() && link.value.find(marker) != std::string::npos) ours.push_back(name);
  }
  if (ours.empty()) return reasons;
  MountTable mounts = read_mounts(host);
  auto swaps = swap_devices(host);
  for (const auto& name : ours) {
    std::set<std::string> mount_points;
    ReadResult dev = read_attr_path(class_block + name + "/dev");
    if (dev.ok()) {
      auto range = mounts.by_device.equal_range(dev.value);
      for (auto it = range.first; it != range.second; ++it) mount_points.insert(it->second);
    }
    auto by_source = mounts.by_source.equal_range("/dev/" + name);
    for (auto it = by_source.first; it != by_source.second; ++it) mount_points.insert(it->second);
    for (const auto& mp : mount_points) reasons.push_back("block device " + name + " is mounted on " + mp);
    if (swaps.count(name)) reasons.push_back("block device " + name + " is in use as swap");
    for (const auto& holder : list_dir(class_block + name + "/holders")) {
      reasons.push_back("block device " + name + " is held by " + holder);
    }
  }
  return reasons;
}

}  // namespace vfioctl
