// An AddressSource with the addresses a test gives it (CliIo::addresses), for the "interface is
// up with an address" check on fixture roots, where there is no kernel to ask.
#pragma once

#include <string>
#include <vector>

#include "host/address_source.h"

namespace vfioctl::testing {

class FakeAddressSource final : public AddressSource {
 public:
  FakeAddressSource& add(std::string interface, std::string address, bool link_local = false) {
    list_.push_back(InterfaceAddress{std::move(interface), std::move(address), link_local});
    return *this;
  }
  std::vector<InterfaceAddress> addresses() const override { return list_; }

 private:
  std::vector<InterfaceAddress> list_;
};

}  // namespace vfioctl::testing
