// The parts of a host that say "this device is in use", laid out as the kernel shows them, for
// the safety/ tests: network interfaces and their routes, and block devices and their holders
// (addresses come from support/fake_address_source.h). PCI devices themselves come from FakeSysfs; call
// FakeSysfs::host() (which rewrites /sys) before adding anything here.
//
// Sources of the layouts:
//   net/core/net-sysfs.c        flags is printed with fmt_hex, "%#x\n" ("0x1003"; "0" for none)
//   net/core/dev.c              __netdev_adjacent_dev_insert(): a port's "master" link to the
//                               bridge/bond it belongs to; netdev_adjacent_sysfs_add(): an
//                               "upper_<name>" link to each device stacked directly on it
//   net/ipv4/fib_trie.c         fib_route_seq_show(): /proc/net/route, main table only, a
//                               "%-127s" header, then per route "%s\t%08X\t%08X\t%04X\t%d\t%u\t
//                               %d\t%08X\t%d\t%u\t%u" padded to 127 columns; Destination, Gateway
//                               and Mask are __be32 values printed as integers, so on a
//                               little-endian host 192.168.1.0 reads "0001A8C0"
//   net/ipv6/ip6_fib.c          ipv6_route_native_seq_show(): /proc/net/ipv6_route, every table,
//                               no header; "%pi6 %02x " destination, the source (zeros without
//                               CONFIG_IPV6_SUBTREES), "%pi6" gateway, then
//                               " %08x %08x %08x %08x %8s\n" metric, refcnt, use, flags, device
//   block/holder.c              bd_link_disk_holder(): holders/<dm-N> links of a held disk
//   drivers/base/core.c         dev_show(): the "dev" attribute, "MAJOR:MINOR\n"
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/temp_root.h"

namespace vfioctl::testing {

// include/uapi/linux/if.h: IFF_UP 0x1, IFF_BROADCAST 0x2, IFF_MULTICAST 0x1000. An Ethernet
// interface reads 0x1003 when up and 0x1002 when administratively down.
inline constexpr unsigned kFlagsUp = 0x1003;
inline constexpr unsigned kFlagsDown = 0x1002;

// Interfaces, their master links and the two route files. Interfaces are written at once; the
// route files are rewritten whole on every route added.
class FakeNetwork {
 public:
  explicit FakeNetwork(const TempRoot& root);

  // <device_sys_path>/net/<ifname> (device_sys_path is a host path such as
  // FakePci::sys_path()), and /sys/class/net/<ifname> linking to it.
  FakeNetwork& interface(const std::string& device_sys_path, const std::string& ifname, unsigned flags);
  // A software interface (bridge, bond): /sys/devices/virtual/net/<ifname>.
  FakeNetwork& virtual_interface(const std::string& ifname, unsigned flags);
  // <port>/master -> <master> and <port>/upper_<master>, as enslaving a port to a bridge or
  // bond makes them (the master is also an upper device).
  FakeNetwork& master(const std::string& port, const std::string& master_ifname);
  // <lower>/upper_<upper>, as stacking a VLAN or macvlan on an interface makes it.
  FakeNetwork& upper(const std::string& lower, const std::string& upper_ifname);

  // A /proc/net/route entry. `gateway` "0.0.0.0" for a directly connected route.
  FakeNetwork& ipv4_route(const std::string& ifname, const std::string& destination, int prefix_len,
                          const std::string& gateway = "0.0.0.0", unsigned metric = 0);
  // A /proc/net/ipv6_route entry; `flags` as the kernel prints them (RTF_UP 0x1 and friends).
  FakeNetwork& ipv6_route(const std::string& ifname, const std::string& destination, int prefix_len,
                          unsigned flags = 0x00000001, unsigned metric = 256);
  // The routes every up IPv6 interface gets without any configured address: fe80::/64 in main,
  // its own link-local /128 and ff00::/8 in local (addrconf_add_linklocal, addrconf_add_mroute).
  FakeNetwork& ipv6_link_local_routes(const std::string& ifname);
  // An empty route table (the header only): the files exist, as they do on any host.
  FakeNetwork& no_routes();

  // The sysfs directory of an interface (host path).
  std::string interface_dir(const std::string& ifname) const;

 private:
  void write_routes() const;

  const TempRoot& root_;
  std::vector<std::pair<std::string, std::string>> dirs_;  // ifname -> host path
  std::vector<std::string> ipv4_lines_;
  std::vector<std::string> ipv6_lines_;
};

// One line of /proc/net/route exactly as the kernel prints it on this host (see above).
std::string proc_net_route_line(const std::string& ifname, const std::string& destination, int prefix_len,
                                const std::string& gateway, unsigned metric);
std::string proc_net_route_header();
// One line of /proc/net/ipv6_route.
std::string proc_net_ipv6_route_line(const std::string& ifname, const std::string& destination, int prefix_len,
                                     unsigned flags, unsigned metric);

// Block devices below a device: a disk directory at <device_sys_path>/<subpath>/<disk> (for NVMe
// "nvme/nvme0"), its partitions inside it, /sys/class/block links to each, and holders.
class FakeBlock {
 public:
  explicit FakeBlock(const TempRoot& root);
  FakeBlock& disk(const std::string& device_sys_path, const std::string& subpath, const std::string& name,
                  const std::string& major_minor);
  FakeBlock& partition(const std::string& disk_name, const std::string& name, const std::string& major_minor);
  // A device-mapper device /sys/devices/virtual/block/<holder> built on `name`: its
  // holders/<holder> link and the holder's slaves/<name> link.
  FakeBlock& held_by(const std::string& name, const std::string& holder, const std::string& holder_major_minor);
  std::string dir(const std::string& name) const;  // host path of a block device's directory

 private:
  void add(const std::string& name, const std::string& dir, const std::string& major_minor);

  const TempRoot& root_;
  std::vector<std::pair<std::string, std::string>> dirs_;  // name -> host path
};

// A link at host path `link` pointing to host path `target`, written relative as sysfs does.
void relative_symlink(const TempRoot& root, const std::string& link, const std::string& target);

}  // namespace vfioctl::testing
