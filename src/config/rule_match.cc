#include "config/rule_match.h"

#include <algorithm>
#include <cctype>

#include "bind/sriov_control.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

std::string device_dir(const HostRoot& host, const std::string& device) { return host.sys("bus/pci/devices/") + device; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

bool ids_match(const IdSelector& ids, const Device& d) {
  if (!d.pci) return false;
  if (d.pci->vendor != ids.vendor || d.pci->device != ids.device) return false;
  if (ids.subsystem_vendor && d.pci->subsystem_vendor != *ids.subsystem_vendor) return false;
  if (ids.subsystem_device && d.pci->subsystem_device != *ids.subsystem_device) return false;
  return true;
}

}  // namespace

std::vector<std::string> nvme_serials(const HostRoot& host, const std::string& device) {
  std::vector<std::string> out;
  const std::string dir = device_dir(host, device) + "/nvme";
  auto controllers = list_dir(dir);
  std::sort(controllers.begin(), controllers.end());
  for (const auto& ctrl : controllers) {
    ReadResult r = read_attr_path(dir + "/" + ctrl + "/serial");
    if (r.ok() && !trim(r.value).empty()) out.push_back(trim(r.value));
  }
  return out;
}

std::vector<std::string> permanent_macs(const HostRoot& host, const std::string& device) {
  std::vector<std::string> out;
  const std::string dir = device_dir(host, device) + "/net";
  auto interfaces = list_dir(dir);
  std::sort(interfaces.begin(), interfaces.end());
  for (const auto& ifname : interfaces) {
    ReadResult type = read_attr_path(dir + "/" + ifname + "/addr_assign_type");
    if (!type.ok() || trim(type.value) != "0") continue;
    ReadResult address = read_attr_path(dir + "/" + ifname + "/address");
    if (address.ok() && !trim(address.value).empty()) out.push_back(lower(trim(address.value)));
  }
  return out;
}

std::optional<std::string> vf_address(const HostRoot& host, const std::string& pf, int index) {
  ReadResult link = read_link_path(device_dir(host, pf) + "/virtfn" + std::to_string(index));
  if (!link.ok()) return std::nullopt;
  return std::string(last_component(link.value));
}

std::vector<std::string> select_devices(const HostRoot& host, const Snapshot& snap, const DeviceSelector& s) {
  std::vector<std::string> out;
  if (s.pf) {
    if (s.all_vfs) return list_vfs(host, *s.pf);
    for (int i : s.vfs) {
      if (auto vf = vf_address(host, *s.pf, i)) out.push_back(*vf);
    }
    return out;
  }
  for (const auto& r : snap.devices) {
    const Device& d = r.device;
    // An address names a device of any bus (BUS/NAME); ids, serials and MACs are PCI's.
    if (s.address) {
      if (d.id() == *s.address) out.push_back(d.id());
      continue;
    }
    if (d.bus != "pci") continue;
    bool match = false;
    if (s.ids) match = ids_match(*s.ids, d);
    else if (s.serial) {
      auto serials = nvme_serials(host, d.name);
      match = std::find(serials.begin(), serials.end(), *s.serial) != serials.end();
    } else if (s.mac) {
      auto macs = permanent_macs(host, d.name);
      match = std::find(macs.begin(), macs.end(), *s.mac) != macs.end();
    }
    if (match) out.push_back(d.name);
  }
  return out;
}

}  // namespace vfioctl
