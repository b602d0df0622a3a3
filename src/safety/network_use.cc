#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>
#include <set>
#include <sstream>

#include "host/file_io.h"
#include "safety/in_use.h"

namespace vfioctl {

namespace {

bool interface_is_up(const HostRoot& host, const std::string& ifname) {
  // IFF_UP (0x1) of the flags attribute (Documentation/ABI/testing/sysfs-class-net "flags").
  ReadResult flags = read_attr_path(host.sys("class/net/") + ifname + "/flags");
  if (!flags.ok()) return false;
  return (std::strtoul(flags.value.c_str(), nullptr, 16) & 0x1u) != 0;
}

// Interfaces with IPv4 routes in the main table (/proc/net/route), link-local ones left out.
std::set<std::string> ipv4_routed(const HostRoot& host) {
  std::set<std::string> out;
  std::istringstream in(read_file(host.path("/proc/net/route")).value);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string iface, dest_hex, gateway, flags, refcnt, use, metric, mask_hex;
    if (!(f >> iface >> dest_hex >> gateway >> flags >> refcnt >> use >> metric >> mask_hex)) continue;
    // The kernel prints the __be32 as a host-order integer: ntohl gives the address.
    std::uint32_t dest = ntohl(static_cast<std::uint32_t>(std::strtoul(dest_hex.c_str(), nullptr, 16)));
    std::uint32_t mask = ntohl(static_cast<std::uint32_t>(std::strtoul(mask_hex.c_str(), nullptr, 16)));
    if ((dest & 0xffff0000u) == 0xa9fe0000u && mask >= 0xffff0000u) continue;  // 169.254.0.0/16
    out.insert(iface);
  }
  return out;
}

// Interfaces with IPv6 routes (/proc/net/ipv6_route lists every table), leaving out what every
// up interface has: link-local fe80::/10 and multicast ff00::/8.
std::set<std::string> ipv6_routed(const HostRoot& host) {
  std::set<std::string> out;
  std::istringstream in(read_file(host.path("/proc/net/ipv6_route")).value);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string dest, plen, src, src_plen, next_hop, metric, refcnt, use, flags, iface;
    if (!(f >> dest >> plen >> src >> src_plen >> next_hop >> metric >> refcnt >> use >> flags >> iface)) continue;
    if (dest.size() != 32) continue;
    unsigned first = static_cast<unsigned>(std::strtoul(dest.substr(0, 4).c_str(), nullptr, 16));
    if ((first & 0xffc0u) == 0xfe80u || (first & 0xff00u) == 0xff00u) continue;
    out.insert(iface);
  }
  return out;
}

struct NetContext {
  const HostRoot& host;
  std::vector<InterfaceAddress> addresses;
  std::set<std::string> routed;
};

// Why `ifname` counts as used, or "" when it does not. Follows the master link (bridge, bond,
// team) because a port carries no address of its own while its master does, and the other
// upper devices stacked on it.
std::string interface_use(const NetContext& ctx, const std::string& ifname, int depth) {
  if (depth > 4) return {};
  if (interface_is_up(ctx.host, ifname)) {
    for (const auto& a : ctx.addresses) {
      if (a.interface == ifname && !a.link_local) return "interface " + ifname + " is up with address " + a.address;
    }
    if (ctx.routed.count(ifname)) return "interface " + ifname + " is up and carries routes";
  }
  std::string dir = ctx.host.sys("class/net/") + ifname;
  ReadResult master = read_link_path(dir + "/master");
  std::string master_name;
  if (master.ok()) {
    master_name = std::string(last_component(master.value));
    std::string why = interface_use(ctx, master_name, depth + 1);
    if (!why.empty()) return "interface " + ifname + " is a port of " + master_name + ", and " + why;
  }
  // Uppers that are not masters (VLAN, macvlan, ipvlan) are stacked on the interface and die
  // with it; the kernel links each as upper_<name> (net/core/dev.c netdev_adjacent_sysfs_add()).
  for (const auto& entry : list_dir(dir)) {
    if (entry.rfind("upper_", 0) != 0 || entry.size() == 6) continue;
    std::string upper = entry.substr(6);
    if (upper == master_name) continue;
    std::string why = interface_use(ctx, upper, depth + 1);
    if (!why.empty()) return "interface " + ifname + " carries " + upper + ", and " + why;
  }
  return {};
}

}  // namespace

std::vector<std::string> network_use(const HostRoot& host, const Device& device, const AddressSource& addresses) {
  std::vector<std::string> reasons;
  auto interfaces = list_dir(host.sys("bus/") + device.bus + "/devices/" + device.name + "/net");
  if (interfaces.empty()) return reasons;
  NetContext ctx{host, addresses.addresses(), ipv4_routed(host)};
  for (const auto& i : ipv6_routed(host)) ctx.routed.insert(i);
  for (const auto& ifname : interfaces) {
    std::string why = interface_use(ctx, ifname, 0);
    if (!why.empty()) reasons.push_back(why);
  }
  return reasons;
}

}  // namespace vfioctl
