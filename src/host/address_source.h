// The network addresses of the host's interfaces. Live systems answer through getifaddrs(3)
// (netlink); a fixture root has no kernel to ask, so tests inject their own list.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace vfioctl {

struct InterfaceAddress {
  std::string interface;
  std::string address;  // text form, "192.0.2.1" or "2001:db8::1"
  bool link_local = false;  // 169.254.0.0/16 or fe80::/10: present on any up interface
};

class AddressSource {
 public:
  virtual ~AddressSource() = default;
  virtual std::vector<InterfaceAddress> addresses() const = 0;
};

// getifaddrs(3). Used only when vfioctl looks at the running system.
std::unique_ptr<AddressSource> make_live_address_source();
// No addresses: for a --root that is not the running system (routes are still read from
// <root>/proc/net).
std::unique_ptr<AddressSource> make_empty_address_source();

}  // namespace vfioctl
