#include "config/rule_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::SimMachine;

constexpr const char* kNic = "0000:01:00.0";   // 8086:10d3 subsystem 8086:a01f
constexpr const char* kNic2 = "0000:01:00.1";  // 8086:10d3 subsystem 8086:0000
constexpr const char* kPf = "0000:02:00.0";    // 15b3:101d, 2 VFs
constexpr const char* kDisk = "0000:06:00.0";  // NVMe

class RuleMatchTest : public ::testing::Test {
 protected:
  RuleMatchTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3, 0x8086, 0xa01f).cls(0x020000).driver("e1000e", "e1000e").group(1);
    m.sysfs.pci(kNic2).ids(0x8086, 0x10d3, 0x8086, 0x0000).cls(0x020000).driver("e1000e", "e1000e").group(7);
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 2).group(2);
    m.sysfs.pci("0000:02:00.2").ids(0x15b3, 0x101e).cls(0x020000).vf_of(kPf).group(12);
    m.sysfs.pci("0000:02:00.3").ids(0x15b3, 0x101e).cls(0x020000).vf_of(kPf).group(13);
    m.sysfs.pci(kDisk).ids(0x144d, 0xa808).cls(0x010802).driver("nvme", "nvme").group(6);
    // drivers/nvme/host/sysfs.c serial_show; sysfs-class-net address and addr_assign_type.
    const std::string disk = m.sysfs.pci(kDisk).sys_path();
    m.sysfs.file(disk + "/nvme/nvme0/serial", "S4EWNX0R123456\n");
    const std::string nic = m.sysfs.pci(kNic).sys_path() + "/net/eth0/";
    m.sysfs.file(nic + "address", "00:1b:21:0a:8b:2c\n").file(nic + "addr_assign_type", "0\n");
    const std::string nic2 = m.sysfs.pci(kNic2).sys_path() + "/net/eth1/";
    m.sysfs.file(nic2 + "address", "02:00:00:00:00:01\n").file(nic2 + "addr_assign_type", "3\n");  // NET_ADDR_SET
  }
  std::vector<std::string> select(const DeviceSelector& s) {
    Session session(m.sysfs.host(SimMachine::kRelease));
    Snapshot snap = take_snapshot(session, {});
    return select_devices(session.host(), snap, s);
  }
  SimMachine m;
};

TEST_F(RuleMatchTest, Address) {
  DeviceSelector s;
  s.address = kNic2;
  EXPECT_THAT(select(s), ElementsAre(kNic2));
  s.address = "0000:09:00.0";
  EXPECT_THAT(select(s), IsEmpty());
}

TEST_F(RuleMatchTest, IdsWithAndWithoutSubsystem) {
  DeviceSelector s;
  s.ids = IdSelector{0x8086, 0x10d3, std::nullopt, std::nullopt};
  EXPECT_THAT(select(s), ElementsAre(kNic, kNic2));
  s.ids = IdSelector{0x8086, 0x10d3, 0x8086, 0xa01f};
  EXPECT_THAT(select(s), ElementsAre(kNic));
  s.ids = IdSelector{0x15b3, 0x101e, std::nullopt, std::nullopt};
  EXPECT_THAT(select(s), ElementsAre("0000:02:00.2", "0000:02:00.3"));
}

TEST_F(RuleMatchTest, PfAndVfIndexes) {
  DeviceSelector s;
  s.pf = kPf;
  s.vfs = {1, 5};
  EXPECT_THAT(select(s), ElementsAre("0000:02:00.3")) << "virtfn1 only; there is no virtfn5";
  s.vfs.clear();
  s.all_vfs = true;
  EXPECT_THAT(select(s), ElementsAre("0000:02:00.2", "0000:02:00.3"));
}

TEST_F(RuleMatchTest, NvmeSerial) {
  DeviceSelector s;
  s.serial = "S4EWNX0R123456";
  EXPECT_THAT(select(s), ElementsAre(kDisk));
  s.serial = "S4EWNX0R12345";
  EXPECT_THAT(select(s), IsEmpty()) << "exact match, not a prefix";
}

TEST_F(RuleMatchTest, MacOnlyWhenItIsThePermanentAddress) {
  DeviceSelector s;
  s.mac = "00:1b:21:0a:8b:2c";
  EXPECT_THAT(select(s), ElementsAre(kNic));
  s.mac = "02:00:00:00:00:01";
  EXPECT_THAT(select(s), IsEmpty()) << "addr_assign_type 3 (NET_ADDR_SET): not the device's own address";
}

}  // namespace
}  // namespace vfioctl
