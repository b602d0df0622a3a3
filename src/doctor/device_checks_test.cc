// The per-device checks of `vfioctl doctor` on the workstation host (support/workstation_host.h):
// its GPU is on vfio-pci in a group its HDMI audio blocks, and carries an override nobody
// recorded; variations add a built-in host driver, an ownership record and a journal.
#include "doctor/device_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "bind/journal.h"
#include "bind/ownership.h"
#include "inventory/session.h"
#include "support/fake_sysfs.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::kWorkstationRelease;
using vfioctl::testing::ModuleKind;
using vfioctl::testing::TempRoot;

class DeviceChecksTest : public ::testing::Test {
 protected:
  void SetUp() override { vfioctl::testing::build_workstation(sysfs); }

  // Every check reads one snapshot of the whole host, as diagnose() does.
  struct Run {
    explicit Run(HostRoot h) : host(std::move(h)), session(host), snapshot(take_snapshot(session, {})) {}
    HostRoot host;
    Session session;
    Snapshot snapshot;
  };
  std::unique_ptr<Run> run() { return std::make_unique<Run>(sysfs.host(kWorkstationRelease)); }

  void record_ownership(const std::string& address) {
    HostRoot h = sysfs.host(kWorkstationRelease);
    StateDir dir(h);
    std::string error;
    ASSERT_TRUE(dir.ensure(&error)) << error;
    OwnershipRecord record;
    record.bus = "pci";
    record.name = address;
    record.driver = "vfio-pci";
    record.module = "vfio_pci";
    record.bound_at = "2026-12-07T00:00:00Z";
    ASSERT_TRUE(OwnershipStore(dir).put(record, &error)) << error;
  }

  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(DeviceChecksTest, GroupWithAVfioDeviceAndAHostDriverIsNamedWithItsBlocker) {
  auto r = run();
  Finding f = check_group_viability(r->snapshot);
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.summary, HasSubstr("1 IOMMU group(s)"));
  ASSERT_EQ(f.details.size(), 1u);
  EXPECT_THAT(f.details[0], HasSubstr("group 1"));
  EXPECT_THAT(f.details[0], HasSubstr("0000:01:00.1 (snd_hda_intel)"));
  EXPECT_THAT(f.details[0], Not(HasSubstr("0000:00:01.0")));  // pcieport does not block
  EXPECT_THAT(f.remedy, HasSubstr("--group"));
}

TEST_F(DeviceChecksTest, GroupsWithoutVfioDevicesAreNoConcernAndAViableOneIsOk) {
  sysfs.pci("0000:01:00.1").no_driver();  // the audio function unbound: group 1 is viable
  auto r = run();
  Finding f = check_group_viability(r->snapshot);
  EXPECT_EQ(f.severity, Severity::kOk);  // group 3 (mlx5_core alone) has no vfio device
  EXPECT_THAT(f.details, IsEmpty());
}

TEST_F(DeviceChecksTest, ModuleBackedHostDriversCanBeCaughtByTheUdevRule) {
  auto r = run();
  Finding f = check_builtin_host_drivers(r->snapshot, r->session.modules());
  EXPECT_EQ(f.severity, Severity::kOk);  // snd_hda_intel, mlx5_core, nvme are modules
}

TEST_F(DeviceChecksTest, BuiltInHostDriversAreListedWithTheBootRemedy) {
  sysfs.pci("0000:04:00.0").ids(0x8086, 0x15f3).cls(0x020000).driver("igc", "igc", ModuleKind::kBuiltin).group(6);
  sysfs.pci("0000:05:00.0").ids(0x1af4, 0x1041).cls(0x020000).driver("virtio-pci", {}, ModuleKind::kNone).group(7);
  auto r = run();
  Finding f = check_builtin_host_drivers(r->snapshot, r->session.modules());
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_THAT(f.summary, HasSubstr("2 device(s)"));
  EXPECT_THAT(f.details, ElementsAre("igc (built in): 0000:04:00.0", "virtio-pci (built in): 0000:05:00.0"));
  EXPECT_THAT(f.remedy, HasSubstr("vfio-pci.ids="));
}

TEST_F(DeviceChecksTest, BridgesOnPcieportAreNotListedAsBuiltInHostDrivers) {
  // pcieport is always built in; the root ports are not assignable anyway.
  auto r = run();
  Finding f = check_builtin_host_drivers(r->snapshot, r->session.modules());
  for (const auto& d : f.details) EXPECT_THAT(d, Not(HasSubstr("pcieport")));
}

TEST_F(DeviceChecksTest, AnOverrideNobodyRecordedIsAWarning) {
  auto r = run();
  Finding f = check_orphan_overrides(r->snapshot, r->host);
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_THAT(f.details, ElementsAre("0000:01:00.0: driver_override=vfio-pci, driver vfio-pci"));
  EXPECT_THAT(f.remedy, HasSubstr("release --force"));
}

TEST_F(DeviceChecksTest, AnOverrideVfioctlRecordedIsOk) {
  record_ownership("0000:01:00.0");
  auto r = run();
  Finding f = check_orphan_overrides(r->snapshot, r->host);
  EXPECT_EQ(f.severity, Severity::kOk);
  EXPECT_THAT(f.details, IsEmpty());
}

// Unbound with a vfio override (vfio_pci unloaded, or a probe refusal): nothing can use it.
// An unbound device with a non-vfio override, and the GPU bound to the vfio-pci its override
// names, are not stranded.
TEST_F(DeviceChecksTest, AnUnboundDeviceItsOverrideHoldsForVfioIsStranded) {
  auto before = run();
  EXPECT_EQ(check_stranded_devices(before->snapshot, before->session.vfio_check()).severity, Severity::kOk);
  sysfs.pci("0000:03:00.0").no_driver().override_driver("vfio-pci");
  sysfs.pci("0000:02:00.1").override_driver("pci-stub");
  auto r = run();
  Finding f = check_stranded_devices(r->snapshot, r->session.vfio_check());
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_THAT(f.details, ElementsAre("0000:03:00.0: unbound, driver_override=vfio-pci"));
  EXPECT_THAT(f.remedy, AllOf(HasSubstr("vfioctl bind DEVICE"), HasSubstr("vfioctl release DEVICE")));
}

TEST_F(DeviceChecksTest, ALeftoverJournalBlocksUntilRecover) {
  HostRoot h = sysfs.host(kWorkstationRelease);
  EXPECT_EQ(check_interrupted_operation(h).severity, Severity::kOk);

  StateDir dir(h);
  std::string error;
  ASSERT_TRUE(dir.ensure(&error)) << error;
  Journal journal;
  journal.operation = "bind";
  journal.pid = 4242;
  journal.started = "2026-12-07T00:00:00Z";
  ASSERT_TRUE(JournalStore(dir).write(journal, &error)) << error;
  Finding f = check_interrupted_operation(h);
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_EQ(f.remedy, "vfioctl recover");
}

}  // namespace
}  // namespace vfioctl
