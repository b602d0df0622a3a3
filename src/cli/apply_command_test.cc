// `vfioctl apply` end to end on the kernel simulator (tests/support/sim_machine.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Not;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;
using testing::CliRun;
using testing::SimMachine;

constexpr const char* kNic = "0000:01:00.0";   // 8086:10d3 on e1000e, group 1
constexpr const char* kPf = "0000:02:00.0";    // 15b3:101d on mlx5_core, 8 VFs possible, none enabled
constexpr const char* kGpu = "0000:03:00.0";   // 8086:e20b on xe, group 3
constexpr const char* kDisk = "0000:06:00.0";  // NVMe, serial S4EWNX0R123456, group 6

class ApplyCommandTest : public ::testing::Test {
 protected:
  ApplyCommandTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1);
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 0, true).group(2);
    m.kernel.vf_device(kPf, 0x101e);
    m.sysfs.pci(kGpu).ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3);
    m.sysfs.pci(kDisk).ids(0x144d, 0xa808).cls(0x010802).driver("nvme", "nvme").group(6);
    m.sysfs.file(m.sysfs.pci(kDisk).sys_path() + "/nvme/nvme0/serial", "S4EWNX0R123456\n");
  }
  void config(const std::string& text) { m.root.write("/etc/vfioctl/vfioctl.toml", text); }
  SimMachine m;
};

TEST_F(ApplyCommandTest, AppliesThenASecondRunHasNothingToDo) {
  config("[[device]]\naddress = \"0000:01:00.0\"\n\n[[device]]\nserial = \"S4EWNX0R123456\"\ndriver = \"generic\"\n");
  CliRun r = m.run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of(kDisk), "vfio-pci");
  EXPECT_THAT(r.out, AllOf(HasSubstr("e1000e → vfio_pci"), HasSubstr("/etc/vfioctl/vfioctl.toml:1"),
                           HasSubstr("/etc/vfioctl/vfioctl.toml:4")));
  EXPECT_THAT(m.recorded_devices(), ElementsAre(kNic, kDisk));
  EXPECT_FALSE(m.journal_exists());

  const std::size_t writes = m.kernel.writes().size();
  CliRun again = m.run({"apply"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to do"));
  EXPECT_EQ(m.kernel.writes().size(), writes) << "an applied configuration writes nothing";
}

TEST_F(ApplyCommandTest, DryRunTouchesNothingAndShowsTheRules) {
  config("[[device]]\nids = \"8086:e20b\"\n");
  CliRun r = m.run({"apply", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr(kGpu), HasSubstr("xe → xe_vfio_pci"), HasSubstr("/etc/vfioctl/vfioctl.toml:1")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_THAT(m.kernel.module_loads(), IsEmpty());
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe");
}

TEST_F(ApplyCommandTest, JsonPlanListsEachChangeWithItsRule) {
  config("[[device]]\nids = \"8086:e20b\"\n");
  CliRun r = m.run({"--json", "apply", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["operation"], "apply");
  EXPECT_EQ(doc["result"], "planned");
  ASSERT_EQ(doc["changes"].size(), 1u);
  EXPECT_EQ(doc["changes"][0]["device"], kGpu);
  EXPECT_EQ(doc["changes"][0]["action"], "bind");
  EXPECT_EQ(doc["changes"][0]["to"], "xe_vfio_pci");
  EXPECT_EQ(doc["changes"][0]["rule"], "/etc/vfioctl/vfioctl.toml:1");
  EXPECT_THAT(doc["files"], ElementsAre("/etc/vfioctl/vfioctl.toml"));
}

TEST_F(ApplyCommandTest, BadConfigExits2WithTheLineAndTouchesNothing) {
  config("[[device]]\naddress = \"0000:01:00.0\"\ndriverr = \"generic\"\n");
  CliRun r = m.run({"apply"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/etc/vfioctl/vfioctl.toml:3:1: unknown key 'driverr'"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_FALSE(m.journal_exists());
}

TEST_F(ApplyCommandTest, ConflictExits2AndTouchesNothing) {
  config("[[device]]\nids = \"8086:10d3\"\n[[device]]\naddress = \"0000:01:00.0\"\ndriver = \"generic\"\ngroup = true\n");
  CliRun r = m.run({"apply"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("vfioctl.toml:1"), HasSubstr("vfioctl.toml:3")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(ApplyCommandTest, ExplicitFileAndDropIns) {
  m.root.write("/etc/vfioctl/vfioctl.d/10-gpu.toml", "[[device]]\naddress = \"0000:03:00.0\"\n");
  CliRun r = m.run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe-vfio-pci");

  m.root.write("/elsewhere.toml", "[[device]]\naddress = \"0000:01:00.0\"\n");
  r = m.run({"apply", m.root.at("/elsewhere.toml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
}

TEST_F(ApplyCommandTest, NoConfigurationIsNothingToDo) {
  CliRun r = m.run({"apply"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("no configuration"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(ApplyCommandTest, SafetyRefusalExits3) {
  m.net_interface(kNic, "eth0", /*up=*/true);
  m.addresses.add("eth0", "192.0.2.10");
  config("[[device]]\naddress = \"0000:01:00.0\"\n");
  CliRun r = m.run({"apply"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("in use by the host"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(ApplyCommandTest, PfRuleCreatesVfsAndVfRuleBindsThemInOneApply) {
  config("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n\n[[device]]\npf = \"0000:02:00.0\"\nvfs = \"all\"\n");
  CliRun r = m.run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->numvfs, 2);
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.2"), "mlx5_vfio_pci");
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.3"), "mlx5_vfio_pci");
  EXPECT_FALSE(m.journal_exists());

  const std::size_t writes = m.kernel.writes().size();
  CliRun again = m.run({"apply"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to do"));
  EXPECT_EQ(m.kernel.writes().size(), writes);
}

// The VFs appear with autoprobe off, so the one a rule names never reaches the host's VF
// driver (no netdev appears and vanishes; no race with its probe), and the others are probed to
// the host driver afterwards, as autoprobe would have done. Autoprobe ends as it was.
TEST_F(ApplyCommandTest, NewVfsARuleNamesNeverReachTheHostDriver) {
  config("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n\n[[device]]\npf = \"0000:02:00.0\"\nvfs = [0]\n");
  CliRun r = m.run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.2"), "mlx5_vfio_pci");
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.3"), "mlx5_core") << "the VF no rule names goes to the host driver";
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->drivers_autoprobe, true);
  for (const auto& w : m.kernel.writes()) {
    EXPECT_NE(w.path, "/sys/bus/pci/drivers/mlx5_core/unbind") << "a VF was on mlx5_core first: " << w.value;
  }
  EXPECT_THAT(m.recorded_devices(), ElementsAre("0000:02:00.2"));
}

TEST_F(ApplyCommandTest, FailedBindPutsTheVfCountBackToo) {
  config("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 1\n\n[[device]]\npf = \"0000:02:00.0\"\nvfs = [0]\n");
  // Writes 0-2: autoprobe off, sriov_numvfs, autoprobe back on; 3 is the new VF's driver_override.
  m.kernel.inject(3, testing::SimFault::kEio);
  CliRun r = m.run({"apply"});
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_TRUE(m.kernel.fault_fired());
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->numvfs, 0) << "all or nothing: the VF is gone again";
  EXPECT_FALSE(m.kernel.present("0000:02:00.2"));
  EXPECT_FALSE(m.journal_exists());
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(ApplyCommandTest, CrashWhileBindingNewVfsIsUndoneByRecoverIncludingTheVfCount) {
  config("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 1\n\n[[device]]\npf = \"0000:02:00.0\"\nvfs = [0]\n");
  // Writes 0-2: autoprobe off, sriov_numvfs, autoprobe on; 3 the new (unbound) VF's
  // driver_override, 4 drivers_probe.
  m.kernel.inject(4, testing::SimFault::kCrash);
  EXPECT_THROW(m.run({"apply"}), testing::SimulatedCrash);
  EXPECT_TRUE(m.journal_exists());
  m.kernel.clear_faults();
  CliRun r = m.run({"recover"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->numvfs, 0);
  EXPECT_FALSE(m.kernel.present("0000:02:00.2"));
  EXPECT_FALSE(m.journal_exists());
}

TEST_F(ApplyCommandTest, OwnerOfARuleIsAppliedToItsDevicesOnly) {
  config("[[device]]\naddress = \"0000:01:00.0\"\nowner = \"4242:4343\"\n\n[[device]]\naddress = \"0000:03:00.0\"\n");
  CliRun r = m.run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> chowned;
  for (const auto& c : m.kernel.chowns()) {
    EXPECT_EQ(c.uid, 4242u);
    EXPECT_EQ(c.gid, 4343u);
    chowned.push_back(c.path);
  }
  EXPECT_THAT(chowned, Contains("/dev/vfio/1")) << "group 1 is the NIC's";
  EXPECT_THAT(chowned, Not(Contains("/dev/vfio/3"))) << "the GPU's rule has no owner";
}

// --device is what the udev rule runs for each added device: only that device's rules apply.
TEST_F(ApplyCommandTest, DeviceOptionAppliesOnlyTheRulesForThatDevice) {
  config("[[device]]\naddress = \"0000:01:00.0\"\n\n[[device]]\nserial = \"S4EWNX0R123456\"\n");
  CliRun r = m.run({"apply", "--device", "01:00.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of(kDisk), "nvme") << "the disk was not the device added";
  EXPECT_THAT(m.recorded_devices(), ElementsAre(kNic));
}

TEST_F(ApplyCommandTest, DeviceNoRuleSelectsIsNothingToDoAndSilent) {
  config("[[device]]\naddress = \"0000:01:00.0\"\n");
  CliRun r = m.run({"--quiet", "apply", "--device", kGpu});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "udev logs every line a RUN program prints on stderr";
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
}

TEST_F(ApplyCommandTest, BadDeviceOptionIsBadInputAndTouchesNothing) {
  config("[[device]]\naddress = \"0000:01:00.0\"\n");
  CliRun r = m.run({"apply", "--device", "0000:01:00.0;reboot"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("0000:01:00.0;reboot"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

// A PF added with a [[pf]] rule: its VF count is set and the VFs it creates are bound in the
// same run, though they were not named on the command line.
TEST_F(ApplyCommandTest, DeviceOptionOnAPfAlsoBindsTheVfsItCreates) {
  config("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n\n[[device]]\npf = \"0000:02:00.0\"\nvfs = [0]\n\n"
         "[[device]]\naddress = \"0000:01:00.0\"\n");
  CliRun r = m.run({"apply", "--device", kPf});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->numvfs, 2);
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.2"), "mlx5_vfio_pci");
  EXPECT_NE(m.kernel.driver_of("0000:02:00.3"), "mlx5_vfio_pci");
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");

  // The udev event of the new VF then finds it done.
  const std::size_t writes = m.kernel.writes().size();
  CliRun vf = m.run({"apply", "--device", "0000:02:00.2"});
  EXPECT_EQ(vf.exit_code, 0) << vf.err;
  EXPECT_EQ(m.kernel.writes().size(), writes);
}

}  // namespace
}  // namespace vfioctl
