// `vfioctl release` end to end on the kernel simulator (tests/support/sim_machine.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::CliRun;
using testing::SimMachine;
using testing::SimModuleState;

constexpr const char* kNic = "0000:01:00.0";   // 8086:10d3 on e1000e, group 1
constexpr const char* kDisk = "0000:06:00.0";  // 144d:a808 (NVMe class), unbound: nvme is not loaded, group 6
constexpr const char* kOdd = "0000:08:00.0";   // 1b36:0001, class ff0000: no host driver matches, group 8
constexpr const char* kPf = "0000:02:00.0";    // 15b3:101d on mlx5_core, one VF, autoprobe off
constexpr const char* kVf = "0000:02:00.2";    // 15b3:101e on mlx5_core, group 12

class ReleaseCommandTest : public ::testing::Test {
 protected:
  ReleaseCommandTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1);
    m.sysfs.pci(kDisk).ids(0x144d, 0xa808).cls(0x010802).group(6);
    m.sysfs.pci(kOdd).ids(0x1b36, 0x0001).cls(0xff0000).group(8);
    m.kernel.unload("nvme");
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 1, false).group(2);
    // Autoprobe was turned off after the VF had bound to the host's VF driver.
    m.sysfs.pci(kVf).ids(0x15b3, 0x101e).cls(0x020000).vf_of(kPf).driver("mlx5_core", "mlx5_core").group(12);
  }

  void bind(const std::vector<std::string>& devices) {
    std::vector<std::string> args{"bind"};
    args.insert(args.end(), devices.begin(), devices.end());
    CliRun r = m.run(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    writes_after_bind = m.kernel.writes().size();
  }

  SimMachine m;
  std::size_t writes_after_bind = 0;
};

TEST_F(ReleaseCommandTest, DeviceVfioctlDidNotBindNeedsForce) {
  m.kernel.module("vfio", SimModuleState::kLoaded).module("vfio_pci_core", SimModuleState::kLoaded);
  m.kernel.module("vfio_pci", SimModuleState::kLoaded);
  m.sysfs.pci("0000:07:00.0").ids(0x8086, 0x10d3).cls(0x020000).vfio().override_driver("vfio-pci").group(7);
  CliRun refused = m.run({"release", "0000:07:00.0"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, AllOf(HasSubstr("not bound by vfioctl"), HasSubstr("--force")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  CliRun forced = m.run({"release", "--force", "0000:07:00.0"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(m.kernel.driver_of("0000:07:00.0"), "e1000e") << "the host driver that matches it";
  EXPECT_EQ(m.kernel.override_of("0000:07:00.0"), std::nullopt);
}

TEST_F(ReleaseCommandTest, RecordedDeviceGoesBackToItsHostDriver) {
  bind({kNic});
  CliRun r = m.run({"release", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
  EXPECT_FALSE(m.journal_exists());
  EXPECT_EQ(m.kernel.writes().size() - writes_after_bind, 3u) << "clear the override, unbind, drivers_probe";
}

// Found on the real kernel (tests/vm/scenarios/40-bind-release.sh): a device moved from one
// vfio driver to another by a second bind still goes back to the host driver it had before
// the first, not to the vfio driver the second bind took it from.
TEST_F(ReleaseCommandTest, SecondBindKeepsTheHostDriverToGoBackTo) {
  const char* gpu = "0000:03:00.0";  // 8086:e20b on xe; its variant xe_vfio_pci is chosen first
  m.sysfs.pci(gpu).ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3);
  bind({gpu});
  ASSERT_EQ(m.kernel.driver_of(gpu), "xe-vfio-pci");
  CliRun generic = m.run({"bind", "--generic", gpu});
  ASSERT_EQ(generic.exit_code, 0) << generic.err;
  ASSERT_EQ(m.kernel.driver_of(gpu), "vfio-pci");
  CliRun r = m.run({"release", gpu});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(gpu), "xe");
  EXPECT_EQ(m.kernel.override_of(gpu), std::nullopt);
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(ReleaseCommandTest, OriginallyUnboundDeviceIsLeftUnbound) {
  bind({kOdd});
  CliRun r = m.run({"release", kOdd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kOdd), std::nullopt);
  EXPECT_EQ(m.kernel.override_of(kOdd), std::nullopt);
}

TEST_F(ReleaseCommandTest, VfWithAutoprobeOffIsSteeredBackThroughTheOverride) {
  bind({kVf});
  ASSERT_EQ(m.kernel.driver_of(kVf), "mlx5_vfio_pci");
  CliRun r = m.run({"release", kVf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kVf), "mlx5_core");
  EXPECT_EQ(m.kernel.override_of(kVf), std::nullopt);
}

TEST_F(ReleaseCommandTest, HostModuleIsLoadedWhenItWasUnloaded) {
  bind({kNic});
  m.kernel.unload("e1000e");
  CliRun r = m.run({"release", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.module_loads().back(), "e1000e");
}

// A device vfioctl did not bind has no record of its host driver: release --force asks kmod
// what the device's own pci: modalias resolves to and loads that, as udev's
// `modprobe -b $MODALIAS` would have at boot.
TEST_F(ReleaseCommandTest, ForcedReleaseLoadsTheHostModuleFromTheModalias) {
  m.kernel.module("vfio", SimModuleState::kLoaded).module("vfio_pci_core", SimModuleState::kLoaded);
  m.kernel.module("vfio_pci", SimModuleState::kLoaded);
  m.sysfs.pci("0000:07:00.0").ids(0x8086, 0x10d3).cls(0x020000).vfio().override_driver("vfio-pci").group(7);
  m.sysfs.pci(kNic).no_driver();
  m.kernel.unload("e1000e");
  CliRun r = m.run({"release", "--force", "0000:07:00.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(m.kernel.module_loads(), ElementsAre("e1000e"));
  EXPECT_EQ(m.kernel.driver_of("0000:07:00.0"), "e1000e");
  EXPECT_EQ(m.kernel.override_of("0000:07:00.0"), std::nullopt);
}

// `modprobe -r vfio_pci` unbinds every device from vfio-pci but leaves each driver_override
// naming it (drivers/base/dd.c device_release_driver() does not touch the override), so no host
// driver can take the device back (driver_match_device() honours only the override). Release
// still gives it back: it is held for vfio.
TEST_F(ReleaseCommandTest, DeviceLeftByAnUnloadedVfioDriverIsReleased) {
  bind({kNic});
  const std::string vfio_driver = m.kernel.driver_of(kNic).value_or("?");
  ASSERT_NE(m.kernel.find_driver(vfio_driver), nullptr);
  m.kernel.unload(m.kernel.find_driver(vfio_driver)->module);
  ASSERT_EQ(m.kernel.driver_of(kNic), std::nullopt);
  ASSERT_EQ(m.kernel.override_of(kNic), vfio_driver);
  CliRun r = m.run({"release", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(ReleaseCommandTest, OverrideSomeoneElseLeftNeedsForce) {
  m.sysfs.pci("0000:07:00.0").ids(0x8086, 0x10d3).cls(0x020000).override_driver("vfio-pci").group(7);
  CliRun refused = m.run({"release", "0000:07:00.0"});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, AllOf(HasSubstr("driver_override=vfio-pci"), HasSubstr("--force")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  CliRun forced = m.run({"release", "--force", "0000:07:00.0"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(m.kernel.driver_of("0000:07:00.0"), "e1000e");
  EXPECT_EQ(m.kernel.override_of("0000:07:00.0"), std::nullopt);
}

// On its host driver already, with a vfio override left behind: only the override goes, the
// device is not unbound from the driver it works on.
TEST_F(ReleaseCommandTest, StaleOverrideOnAHostDriverIsOnlyCleared) {
  m.sysfs.pci(kNic).override_driver("vfio-pci");
  CliRun r = m.run({"release", "--force", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
  ASSERT_EQ(m.kernel.writes().size(), 1u) << "one write: the override";
}

// A host driver's override (pci-stub is not vfio) is not release's business.
TEST_F(ReleaseCommandTest, NonVfioOverrideIsLeftAlone) {
  m.sysfs.pci("0000:07:00.0").ids(0x8086, 0x10d3).cls(0x020000).override_driver("pci-stub").group(7);
  CliRun r = m.run({"release", "--force", "0000:07:00.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_EQ(m.kernel.override_of("0000:07:00.0"), "pci-stub");
}

TEST_F(ReleaseCommandTest, ToNamesTheDriver) {
  bind({kDisk});
  CliRun r = m.run({"release", "--to", "nvme", kDisk});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kDisk), "nvme");
  EXPECT_EQ(m.kernel.override_of(kDisk), std::nullopt);
  EXPECT_THAT(m.kernel.module_loads(), ::testing::Contains("nvme"));
}

TEST_F(ReleaseCommandTest, DeviceHeldOpenIsRefused) {
  bind({kNic});
  m.process_holding(4242, "qemu-system-x86", "/dev/vfio/1");
  CliRun r = m.run({"release", kNic});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("4242"), HasSubstr("qemu-system-x86"), HasSubstr("/dev/vfio/1")));
  EXPECT_EQ(m.kernel.writes().size(), writes_after_bind);
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
}

TEST_F(ReleaseCommandTest, TwoDevicesInOneRun) {
  bind({kNic, kOdd});
  CliRun r = m.run({"release", kNic, kOdd});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.driver_of(kOdd), std::nullopt);
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(ReleaseCommandTest, DryRunWritesNothing) {
  bind({kNic});
  CliRun r = m.run({"release", "--dry-run", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.writes().size(), writes_after_bind);
  EXPECT_THAT(m.recorded_devices(), ElementsAre(kNic));
}

}  // namespace
}  // namespace vfioctl
