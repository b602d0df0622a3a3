#include "host/address_source.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

namespace vfioctl {

namespace {

class LiveAddressSource final : public AddressSource {
 public:
  std::vector<InterfaceAddress> addresses() const override {
    std::vector<InterfaceAddress> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || !a->ifa_name) continue;
      char text[INET6_ADDRSTRLEN] = {};
      InterfaceAddress ia;
      ia.interface = a->ifa_name;
      if (a->ifa_addr->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
        ia.link_local = (ntohl(sin->sin_addr.s_addr) & 0xffff0000u) == 0xa9fe0000u;
      } else if (a->ifa_addr->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
        ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
        ia.link_local = IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr);
      } else {
        continue;
      }
      ia.address = text;
      out.push_back(std::move(ia));
    }
    ::freeifaddrs(list);
    return out;
  }
};

class EmptyAddressSource final : public AddressSource {
 public:
  std::vector<InterfaceAddress> addresses() const override { return {}; }
};

}  // namespace

std::unique_ptr<AddressSource> make_live_address_source() { return std::make_unique<LiveAddressSource>(); }
std::unique_ptr<AddressSource> make_empty_address_source() { return std::make_unique<EmptyAddressSource>(); }

}  // namespace vfioctl
