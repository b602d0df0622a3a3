#include "support/host_use_fixture.h"

#include <arpa/inet.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace vfioctl::testing {

namespace fs = std::filesystem;

namespace {

std::string lookup(const std::vector<std::pair<std::string, std::string>>& dirs, const std::string& name) {
  for (const auto& [n, dir] : dirs) {
    if (n == name) return dir;
  }
  throw std::logic_error("test fixture: no " + name + " declared");
}

std::string hex_flags(unsigned flags) {
  // "%#x": no 0x prefix for zero.
  char buf[16];
  std::snprintf(buf, sizeof buf, "%#x\n", flags);
  return buf;
}

}  // namespace

void relative_symlink(const TempRoot& root, const std::string& link, const std::string& target) {
  fs::path rel = fs::path(target).lexically_relative(fs::path(link).parent_path());
  root.symlink(link, rel.string());
}

// ---- network ----

FakeNetwork::FakeNetwork(const TempRoot& root) : root_(root) {}

FakeNetwork& FakeNetwork::interface(const std::string& device_sys_path, const std::string& ifname,
                                    unsigned flags) {
  std::string dir = device_sys_path + "/net/" + ifname;
  root_.write(dir + "/flags", hex_flags(flags));
  root_.write(dir + "/ifindex", std::to_string(dirs_.size() + 2) + "\n");
  relative_symlink(root_, "/sys/class/net/" + ifname, dir);
  dirs_.emplace_back(ifname, dir);
  return *this;
}

FakeNetwork& FakeNetwork::virtual_interface(const std::string& ifname, unsigned flags) {
  return interface("/sys/devices/virtual", ifname, flags);
}

FakeNetwork& FakeNetwork::master(const std::string& port, const std::string& master_ifname) {
  relative_symlink(root_, interface_dir(port) + "/master", interface_dir(master_ifname));
  return upper(port, master_ifname);
}

FakeNetwork& FakeNetwork::upper(const std::string& lower, const std::string& upper_ifname) {
  relative_symlink(root_, interface_dir(lower) + "/upper_" + upper_ifname, interface_dir(upper_ifname));
  relative_symlink(root_, interface_dir(upper_ifname) + "/lower_" + lower, interface_dir(lower));
  return *this;
}

std::string FakeNetwork::interface_dir(const std::string& ifname) const { return lookup(dirs_, ifname); }

std::string proc_net_route_header() {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-127s\n",
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
  return buf;
}

std::string proc_net_route_line(const std::string& ifname, const std::string& destination, int prefix_len,
                                const std::string& gateway, unsigned metric) {
  in_addr dest{}, gw{};
  if (::inet_pton(AF_INET, destination.c_str(), &dest) != 1 || ::inet_pton(AF_INET, gateway.c_str(), &gw) != 1) {
    throw std::invalid_argument("test fixture: bad IPv4 address");
  }
  // inet_make_mask(): the prefix as a __be32.
  std::uint32_t mask = htonl(prefix_len == 0 ? 0u : ~0u << (32 - prefix_len));
  // fib_flag_trans(): RTF_UP always, RTF_GATEWAY with a gateway, RTF_HOST for a /32.
  unsigned flags = 0x0001u | (gw.s_addr != 0 ? 0x0002u : 0u) | (prefix_len == 32 ? 0x0004u : 0u);
  // s_addr is the address in network byte order, like the kernel's __be32; printing it as an
  // integer on this host is what fib_route_seq_show() does on the host it runs on.
  char buf[192];
  int n = std::snprintf(buf, sizeof buf, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%u\t%08X\t%d\t%u\t%u", ifname.c_str(),
                        dest.s_addr, gw.s_addr, flags, 0, 0u, metric, mask, 0, 0u, 0u);
  std::string line(buf, static_cast<std::size_t>(n));
  if (line.size() < 127) line.append(127 - line.size(), ' ');  // seq_pad()
  return line + "\n";
}

std::string proc_net_ipv6_route_line(const std::string& ifname, const std::string& destination, int prefix_len,
                                     unsigned flags, unsigned metric) {
  in6_addr dest{};
  if (::inet_pton(AF_INET6, destination.c_str(), &dest) != 1) {
    throw std::invalid_argument("test fixture: bad IPv6 address");
  }
  std::string line;
  char byte[3];
  for (unsigned char b : dest.s6_addr) {
    std::snprintf(byte, sizeof byte, "%02x", b);
    line += byte;
  }
  char rest[160];
  std::snprintf(rest, sizeof rest, " %02x %s 00 %s %08x %08x %08x %08x %8s\n", static_cast<unsigned>(prefix_len),
                "00000000000000000000000000000000", "00000000000000000000000000000000", metric, 1u, 0u, flags,
                ifname.c_str());
  return line + rest;
}

FakeNetwork& FakeNetwork::ipv4_route(const std::string& ifname, const std::string& destination, int prefix_len,
                                     const std::string& gateway, unsigned metric) {
  ipv4_lines_.push_back(proc_net_route_line(ifname, destination, prefix_len, gateway, metric));
  write_routes();
  return *this;
}

FakeNetwork& FakeNetwork::ipv6_route(const std::string& ifname, const std::string& destination, int prefix_len,
                                     unsigned flags, unsigned metric) {
  ipv6_lines_.push_back(proc_net_ipv6_route_line(ifname, destination, prefix_len, flags, metric));
  write_routes();
  return *this;
}

FakeNetwork& FakeNetwork::ipv6_link_local_routes(const std::string& ifname) {
  ipv6_route(ifname, "fe80::", 64);
  // The interface's own address in the local table: RTF_LOCAL|RTF_NONEXTHOP|RTF_UP, metric 0.
  ipv6_route(ifname, "fe80::5054:ff:fe12:3456", 128, 0x80200001u, 0);
  ipv6_route(ifname, "ff00::", 8);
  return *this;
}

FakeNetwork& FakeNetwork::no_routes() {
  write_routes();
  return *this;
}

void FakeNetwork::write_routes() const {
  std::string v4 = proc_net_route_header();
  for (const auto& l : ipv4_lines_) v4 += l;
  root_.write("/proc/net/route", v4);
  std::string v6;
  for (const auto& l : ipv6_lines_) v6 += l;
  root_.write("/proc/net/ipv6_route", v6);
}

// ---- block ----

FakeBlock::FakeBlock(const TempRoot& root) : root_(root) {}

void FakeBlock::add(const std::string& name, const std::string& dir, const std::string& major_minor) {
  root_.write(dir + "/dev", major_minor + "\n");
  root_.mkdir(dir + "/holders");
  relative_symlink(root_, "/sys/class/block/" + name, dir);
  dirs_.emplace_back(name, dir);
}

FakeBlock& FakeBlock::disk(const std::string& device_sys_path, const std::string& subpath, const std::string& name,
                           const std::string& major_minor) {
  std::string dir = device_sys_path + (subpath.empty() ? "" : "/" + subpath) + "/" + name;
  add(name, dir, major_minor);
  return *this;
}

FakeBlock& FakeBlock::partition(const std::string& disk_name, const std::string& name,
                                const std::string& major_minor) {
  add(name, dir(disk_name) + "/" + name, major_minor);
  root_.write(dir(name) + "/partition", name.substr(name.find_last_not_of("0123456789") + 1) + "\n");
  return *this;
}

FakeBlock& FakeBlock::held_by(const std::string& name, const std::string& holder,
                              const std::string& holder_major_minor) {
  std::string holder_dir = "/sys/devices/virtual/block/" + holder;
  bool known = false;
  for (const auto& [n, d] : dirs_) known = known || n == holder;
  if (!known) add(holder, holder_dir, holder_major_minor);
  relative_symlink(root_, dir(name) + "/holders/" + holder, holder_dir);
  relative_symlink(root_, holder_dir + "/slaves/" + name, dir(name));
  return *this;
}

std::string FakeBlock::dir(const std::string& name) const { return lookup(dirs_, name); }

}  // namespace vfioctl::testing
