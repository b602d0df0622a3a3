#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "safety/in_use.h"
#include "support/fake_address_source.h"
#include "support/fake_sysfs.h"
#include "support/host_use_fixture.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using vfioctl::testing::FakeNetwork;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::FakeAddressSource;
using vfioctl::testing::kFlagsDown;
using vfioctl::testing::kFlagsUp;
using vfioctl::testing::TempRoot;

constexpr const char* kNic = "0000:00:03.0";
constexpr const char* kOtherNic = "0000:00:04.0";

// Two Intel NICs; the tests give interfaces to the first and sometimes to the second, then ask
// about the first.
class NetworkUseTest : public ::testing::Test {
 protected:
  NetworkUseTest() {
    sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(3);
    sysfs.pci(kOtherNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(4);
    nic_path = sysfs.pci(kNic).sys_path();
    other_path = sysfs.pci(kOtherNic).sys_path();
    host.emplace(sysfs.host());
    net.no_routes();
  }

  std::vector<std::string> reasons() {
    Device d;
    d.bus = "pci";
    d.name = kNic;
    return network_use(*host, d, addresses);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  std::string nic_path, other_path;
  std::optional<HostRoot> host;
  FakeNetwork net{root};
  FakeAddressSource addresses;
};

TEST_F(NetworkUseTest, UpInterfaceWithAGlobalIpv4AddressIsInUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp);
  addresses.add("enp0s3", "192.0.2.10");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("192.0.2.10"))));
}

TEST_F(NetworkUseTest, UpInterfaceWithAGlobalIpv6AddressIsInUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp).ipv6_link_local_routes("enp0s3");
  addresses.add("enp0s3", "fe80::5054:ff:fe12:3456", true);
  addresses.add("enp0s3", "2001:db8::10");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("2001:db8::10"))));
}

// Every up interface gets an fe80:: address and, with avahi or NetworkManager, a 169.254/16
// route; neither means the host depends on it.
TEST_F(NetworkUseTest, LinkLocalAddressesAndRoutesAloneAreNotUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .ipv6_link_local_routes("enp0s3")
      .ipv4_route("enp0s3", "169.254.0.0", 16, "0.0.0.0", 1000);
  addresses.add("enp0s3", "169.254.7.9", true);
  addresses.add("enp0s3", "fe80::5054:ff:fe12:3456", true);
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, AdministrativelyDownInterfaceIsNotUseEvenWithAnAddressAndRoutes) {
  net.interface(nic_path, "enp0s3", kFlagsDown).ipv4_route("enp0s3", "192.0.2.0", 24);
  addresses.add("enp0s3", "192.0.2.10");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, FlagsWithoutIffUpButOtherBitsSetIsDown) {
  // IFF_RUNNING (0x40) and IFF_LOWER_UP (0x10000) are operational state; only IFF_UP (0x1) says
  // the administrator brought the interface up.
  net.interface(nic_path, "enp0s3", 0x11042);
  addresses.add("enp0s3", "192.0.2.10");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, AnIpv4RouteThroughTheInterfaceIsUseWithoutAnAddress) {
  net.interface(nic_path, "enp0s3", kFlagsUp).ipv4_route("enp0s3", "10.0.0.0", 8);
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("routes"))));
}

TEST_F(NetworkUseTest, TheDefaultRouteCountsAsARoute) {
  net.interface(nic_path, "enp0s3", kFlagsUp).ipv4_route("enp0s3", "0.0.0.0", 0, "192.168.1.1", 100);
  EXPECT_THAT(reasons(), ElementsAre(HasSubstr("enp0s3")));
}

TEST_F(NetworkUseTest, AGlobalIpv6RouteIsUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .ipv6_link_local_routes("enp0s3")
      .ipv6_route("enp0s3", "2001:db8:1::", 64);
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("routes"))));
}

TEST_F(NetworkUseTest, RoutesAndAddressesOfAnotherInterfaceDoNotCount) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .interface(other_path, "enp0s4", kFlagsUp)
      .ipv4_route("enp0s4", "0.0.0.0", 0, "192.168.1.1")
      .ipv4_route("enp0s4", "192.168.1.0", 24)
      .ipv6_route("enp0s4", "2001:db8::", 64);
  addresses.add("enp0s4", "192.168.1.20");
  EXPECT_THAT(reasons(), IsEmpty());
}

// The route files as the kernel prints them: a route whose destination is not link-local but
// whose first two bytes look like 169.254 in the other byte order must still count, so a wrong
// byte order in the parser shows up here.
TEST_F(NetworkUseTest, Ipv4RouteBytesAreReadInTheKernelsOrder) {
  net.interface(nic_path, "enp0s3", kFlagsUp).ipv4_route("enp0s3", "0.0.254.169", 32);
  EXPECT_THAT(reasons(), SizeIs(1));
}

TEST_F(NetworkUseTest, BridgePortCountsWhenTheBridgeHasAnAddressAndTheMessageNamesBoth) {
  net.interface(nic_path, "enp0s3", kFlagsUp).virtual_interface("br0", kFlagsUp).master("enp0s3", "br0");
  addresses.add("br0", "192.0.2.1");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("br0"), HasSubstr("192.0.2.1"))));
}

TEST_F(NetworkUseTest, BondUnderABridgeIsFollowedToTheBridge) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .virtual_interface("bond0", kFlagsUp)
      .virtual_interface("br0", kFlagsUp)
      .master("enp0s3", "bond0")
      .master("bond0", "br0")
      .ipv4_route("br0", "198.51.100.0", 24);
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3"), HasSubstr("bond0"), HasSubstr("br0"))));
}

TEST_F(NetworkUseTest, PortOfADownBridgeIsNotUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp).virtual_interface("br0", kFlagsDown).master("enp0s3", "br0");
  addresses.add("br0", "192.0.2.1");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, PortOfABridgeWithOnlyLinkLocalAddressesIsNotUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .virtual_interface("br0", kFlagsUp)
      .master("enp0s3", "br0")
      .ipv6_link_local_routes("br0");
  addresses.add("br0", "fe80::1", true);
  EXPECT_THAT(reasons(), IsEmpty());
}

// A VLAN (or macvlan) stacked on the interface is not a master, only an upper device; the
// host's address often lives there (the management VLAN of a server).
TEST_F(NetworkUseTest, AVlanOnTheInterfaceWithAnAddressIsUseAndTheMessageNamesBoth) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .virtual_interface("enp0s3.100", kFlagsUp)
      .upper("enp0s3", "enp0s3.100");
  addresses.add("enp0s3.100", "192.0.2.50");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("enp0s3 "), HasSubstr("enp0s3.100"), HasSubstr("192.0.2.50"))));
}

TEST_F(NetworkUseTest, AnUnusedVlanOnTheInterfaceIsNotUse) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .virtual_interface("enp0s3.100", kFlagsUp)
      .upper("enp0s3", "enp0s3.100")
      .ipv6_link_local_routes("enp0s3.100");
  addresses.add("enp0s3.100", "fe80::1", true);
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, AVlanOnABridgePortIsFoundThroughTheBridge) {
  net.interface(nic_path, "enp0s3", kFlagsUp)
      .virtual_interface("br0", kFlagsUp)
      .virtual_interface("br0.7", kFlagsUp)
      .master("enp0s3", "br0")
      .upper("br0", "br0.7");
  addresses.add("br0.7", "2001:db8:7::1");
  EXPECT_THAT(reasons(), ElementsAre(AllOf(HasSubstr("br0"), HasSubstr("br0.7"), HasSubstr("2001:db8:7::1"))));
}

TEST_F(NetworkUseTest, EachUsedInterfaceOfAMultiPortDeviceIsReported) {
  net.interface(nic_path, "enp0s3f0", kFlagsUp).interface(nic_path, "enp0s3f1", kFlagsUp);
  net.interface(nic_path, "enp0s3f2", kFlagsDown);
  addresses.add("enp0s3f0", "192.0.2.10");
  addresses.add("enp0s3f1", "198.51.100.10");
  addresses.add("enp0s3f2", "203.0.113.10");
  auto r = reasons();
  ASSERT_THAT(r, SizeIs(2));
  EXPECT_THAT(r[0] + r[1], AllOf(HasSubstr("enp0s3f0"), HasSubstr("enp0s3f1")));
  EXPECT_THAT(r[0] + r[1], ::testing::Not(HasSubstr("enp0s3f2")));
}

TEST_F(NetworkUseTest, DeviceWithoutNetworkInterfacesIsNotUse) {
  addresses.add("enp0s4", "192.0.2.10");
  net.interface(other_path, "enp0s4", kFlagsUp).ipv4_route("enp0s4", "0.0.0.0", 0, "192.0.2.1");
  EXPECT_THAT(reasons(), IsEmpty());
}

TEST_F(NetworkUseTest, MissingRouteFilesAreNotAnError) {
  std::filesystem::remove_all(root.at("/proc"));
  net.interface(nic_path, "enp0s3", kFlagsUp);
  EXPECT_THAT(reasons(), IsEmpty());
  addresses.add("enp0s3", "192.0.2.10");
  EXPECT_THAT(reasons(), SizeIs(1));
}

// The fixture's own lines against text worked out by hand from the kernel's format strings
// (see host_use_fixture.h), so the fixture cannot drift from that format unnoticed.
TEST(ProcNetRouteFixture, MatchesTheKernelsTextOnALittleEndianHost) {
  if (htonl(1) == 1) GTEST_SKIP() << "big-endian host: the kernel prints the other byte order";
  EXPECT_EQ(vfioctl::testing::proc_net_route_line("eth0", "192.168.1.0", 24, "0.0.0.0", 100),
            "eth0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0" + std::string(127 - 50, ' ') + "\n");
  EXPECT_EQ(vfioctl::testing::proc_net_route_line("eth0", "0.0.0.0", 0, "192.168.1.1", 100).substr(0, 51),
            "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0 ");
  EXPECT_EQ(vfioctl::testing::proc_net_ipv6_route_line("eth0", "fe80::", 64, 1, 256),
            "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
            "00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n");
}

}  // namespace
}  // namespace vfioctl
