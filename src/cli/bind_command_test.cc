// `vfioctl bind` end to end on the kernel simulator (tests/support/sim_machine.h): what is
// written to sysfs, in which order, and where every device ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "bind/noiommu_mode.h"
#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using nlohmann::json;
using testing::CliRun;
using testing::SimMachine;
using testing::SimModuleState;

constexpr const char* kNic = "0000:01:00.0";     // 8086:10d3 on e1000e, group 1
constexpr const char* kPf = "0000:02:00.0";      // 15b3:101d on mlx5_core, SR-IOV, group 2
constexpr const char* kVf = "0000:02:00.2";      // 15b3:101e, a VF of kPf, group 12
constexpr const char* kGpu = "0000:03:00.0";     // 8086:e20b on xe, group 3
constexpr const char* kPdsDev = "0000:04:00.0";  // 1dd8:1003, not a VF, unbound, group 4
constexpr const char* kQat = "0000:05:00.0";     // 8086:4941 on 4xxx, group 5
constexpr const char* kDisk = "0000:06:00.0";    // 144d:a808 on nvme, group 6

std::vector<std::string> paths(const SimMachine& m) {
  std::vector<std::string> out;
  for (const auto& w : m.kernel.writes()) out.push_back(w.path + " <- " + w.value);
  return out;
}

class BindCommandTest : public ::testing::Test {
 protected:
  BindCommandTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3, 0x8086, 0xa01f).cls(0x020000).driver("e1000e", "e1000e").group(1);
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d, 0x15b3, 0x0016).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 0).group(2);
    m.sysfs.pci(kGpu).ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3);
    m.sysfs.pci(kPdsDev).ids(0x1dd8, 0x1003).cls(0x020000).group(4);
    m.sysfs.pci(kQat).ids(0x8086, 0x4941).cls(0x0b4000).driver("4xxx", "qat_4xxx").group(5);
    m.sysfs.pci(kDisk).ids(0x144d, 0xa808, 0x144d, 0xa801).cls(0x010802).driver("nvme", "nvme").group(6);
  }

  // Enables one VF on kPf (sriov_numvfs 1), with the PF's autoprobe as given.
  void with_vf(bool autoprobe, bool vf_on_host_driver) {
    m.sysfs.pci(kPf).sriov(8, 1, autoprobe);
    auto& vf = m.sysfs.pci(kVf).ids(0x15b3, 0x101e, 0x15b3, 0x0016).cls(0x020000).vf_of(kPf).group(12);
    if (vf_on_host_driver) vf.driver("mlx5_core", "mlx5_core");
  }

  json run_json(std::vector<std::string> args, int expected_exit) {
    args.insert(args.begin(), "--json");
    CliRun r = m.run(args);
    EXPECT_EQ(r.exit_code, expected_exit) << r.err << r.out;
    last_err = r.err;
    return json::parse(r.out);
  }

  SimMachine m;
  std::string last_err;
};

TEST_F(BindCommandTest, SingleBindIsThreeWritesInOrder) {
  CliRun r = m.run({"bind", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(paths(m), ElementsAre("/sys/bus/pci/devices/0000:01:00.0/driver_override <- vfio-pci",
                                    "/sys/bus/pci/drivers/e1000e/unbind <- 0000:01:00.0",
                                    "/sys/bus/pci/drivers_probe <- 0000:01:00.0"));
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_EQ(m.kernel.override_of(kNic), "vfio-pci") << "the override stays, so nothing else grabs the device";
  EXPECT_THAT(m.kernel.module_loads(), ElementsAre("vfio", "vfio_pci_core", "vfio_pci"));
  EXPECT_THAT(m.recorded_devices(), ElementsAre(kNic));
  EXPECT_FALSE(m.journal_exists());
}

TEST_F(BindCommandTest, BestVariantIsChosen) {
  with_vf(/*autoprobe=*/true, /*vf_on_host_driver=*/true);
  json doc = run_json({"bind", kVf}, 0);
  EXPECT_EQ(m.kernel.driver_of(kVf), "mlx5_vfio_pci") << "its alias fixes vendor and device; vfio_pci's fixes nothing";
  ASSERT_EQ(doc["devices"].size(), 1u);
  EXPECT_EQ(doc["devices"][0]["module"], "mlx5_vfio_pci");
  EXPECT_EQ(m.kernel.writes().size(), 3u);
  EXPECT_EQ(m.kernel.driver_of(kPf), "mlx5_core");
}

TEST_F(BindCommandTest, DriverNameThatDiffersFromItsModuleIsWhatGetsWritten) {
  ASSERT_EQ(m.run({"bind", kGpu}).exit_code, 0);
  ASSERT_FALSE(m.kernel.writes().empty());
  EXPECT_EQ(m.kernel.writes()[0].value, "xe-vfio-pci") << "driver_override takes the driver name, not xe_vfio_pci";
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe-vfio-pci");
}

TEST_F(BindCommandTest, DriverOptionAcceptsTheModuleSpelling) {
  CliRun r = m.run({"bind", "--driver", "xe_vfio_pci", kGpu});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe-vfio-pci");
}

TEST_F(BindCommandTest, DriverOptionAcceptsTheDriverSpelling) {
  m.kernel.module("vfio", SimModuleState::kLoaded).module("vfio_pci_core", SimModuleState::kLoaded);
  m.kernel.module("xe_vfio_pci", SimModuleState::kLoaded);  // so /sys/bus/pci/drivers/xe-vfio-pci exists
  CliRun r = m.run({"bind", "--driver", "xe-vfio-pci", kGpu});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe-vfio-pci");
}

TEST_F(BindCommandTest, DriverOptionAcceptsTheGenericDriverUnderBothNames) {
  for (const char* name : {"vfio-pci", "vfio_pci"}) {
    SimMachine fresh;
    fresh.sysfs.pci(kGpu).ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3);
    CliRun r = fresh.run({"bind", "--driver", name, kGpu});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    EXPECT_EQ(fresh.kernel.driver_of(kGpu), "vfio-pci") << name;
  }
}

TEST_F(BindCommandTest, FallsBackWhenAVariantRefuses) {
  json doc = run_json({"bind", kPdsDev}, 0);
  EXPECT_EQ(m.kernel.driver_of(kPdsDev), "vfio-pci");
  ASSERT_EQ(doc["devices"].size(), 1u);
  const json& attempts = doc["devices"][0]["attempts"];
  ASSERT_EQ(attempts.size(), 2u) << attempts.dump(2);
  EXPECT_EQ(attempts[0]["module"], "pds_vfio_pci");
  EXPECT_THAT(attempts[0]["outcome"].get<std::string>(),
              AllOf(HasSubstr("refused"), HasSubstr("probe of 0000:04:00.0 failed with error -22")));
  EXPECT_EQ(attempts[1]["module"], "vfio_pci");
  EXPECT_EQ(attempts[1]["outcome"], "bound");
  // The device was unbound: override, probe (refused), override, probe.
  EXPECT_EQ(m.kernel.writes().size(), 4u);
}

TEST_F(BindCommandTest, AlreadyBoundIsNothingToDo) {
  m.kernel.module("vfio", SimModuleState::kLoaded).module("vfio_pci_core", SimModuleState::kLoaded);
  m.kernel.module("vfio_pci", SimModuleState::kLoaded);
  m.sysfs.pci("0000:07:00.0").ids(0x8086, 0x10d3).cls(0x020000).vfio().override_driver("vfio-pci").group(7);
  json doc = run_json({"bind", "0000:07:00.0"}, 0);
  EXPECT_EQ(doc["result"], "nothing-to-do");
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(BindCommandTest, BlacklistedVariantIsSkippedWithAMessage) {
  CliRun r = m.run({"--json", "bind", kQat});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kQat), "vfio-pci");
  EXPECT_THAT(r.out + r.err, HasSubstr("qat_vfio_pci")) << "the user learns the preferred variant was skipped";
  EXPECT_THAT(r.out + r.err, HasSubstr("blacklist"));
  EXPECT_THAT(m.kernel.module_loads(), ::testing::Not(::testing::Contains("qat_vfio_pci")));
}

TEST_F(BindCommandTest, GroupThatWouldNotBeViableIsRefused) {
  m.sysfs.pci("0000:08:00.0").ids(0x10de, 0x2204).cls(0x030000).group(8);
  m.sysfs.pci("0000:08:00.1").ids(0x10de, 0x1aef).cls(0x040300).driver("snd_hda_intel", "snd_hda_intel").group(8);
  CliRun r = m.run({"bind", "0000:08:00.0"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("0000:08:00.1"), HasSubstr("snd_hda_intel"), HasSubstr("--group")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(BindCommandTest, GroupOptionBindsEveryEndpoint) {
  m.sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport").group(8);
  m.sysfs.pci("0000:08:00.0").behind("0000:00:1c.0").ids(0x10de, 0x2204).cls(0x030000).group(8);
  m.sysfs.pci("0000:08:00.1").behind("0000:00:1c.0").ids(0x10de, 0x1aef).cls(0x040300).driver("snd_hda_intel", "snd_hda_intel").group(8);
  CliRun r = m.run({"bind", "--group", "0000:08:00.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of("0000:08:00.0"), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of("0000:08:00.1"), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of("0000:00:1c.0"), "pcieport") << "the bridge stays on pcieport (driver_managed_dma)";
  EXPECT_THAT(m.recorded_devices(), ElementsAre("0000:08:00.0", "0000:08:00.1"));
}

// Found on the real kernel (tests/vm/scenarios/50-bind-safety.sh): a pcie-pci-bridge has no
// driver, and conventional PCI behind it puts the bridge and its devices in one group. --group
// must take the endpoints and leave the bridge, which vfio-pci cannot take (header type 1).
TEST_F(BindCommandTest, GroupOptionLeavesADriverlessBridgeAlone) {
  m.sysfs.pci("0000:00:1e.0").ids(0x1b36, 0x000e).bridge().group(9);
  m.sysfs.pci("0000:0a:01.0").behind("0000:00:1e.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(9);
  m.sysfs.pci("0000:0a:02.0").behind("0000:00:1e.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(9);
  CliRun r = m.run({"bind", "--group", "0000:0a:01.0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of("0000:0a:01.0"), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of("0000:0a:02.0"), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of("0000:00:1e.0"), std::nullopt);
  EXPECT_THAT(m.recorded_devices(), ElementsAre("0000:0a:01.0", "0000:0a:02.0"));
}

TEST_F(BindCommandTest, PfWithVfsEnabledIsRefused) {
  with_vf(true, true);
  CliRun r = m.run({"bind", kPf});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr(kPf), HasSubstr("Cannot bind to PF with SR-IOV enabled")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(BindCommandTest, VfBindsWhileItsPfHasAutoprobeOff) {
  // pci_device_can_probe(): the override lets the VF probe although autoprobe is 0.
  with_vf(/*autoprobe=*/false, /*vf_on_host_driver=*/false);
  CliRun r = m.run({"bind", kVf});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kVf), "mlx5_vfio_pci");
  EXPECT_EQ(m.kernel.writes().size(), 2u) << "unbound already: override and drivers_probe only";
}

TEST_F(BindCommandTest, InterfaceUpWithAnAddressIsInUse) {
  m.net_interface(kNic, "enp1s0", /*up=*/true);
  m.addresses.add("enp1s0", "192.0.2.10");
  CliRun r = m.run({"bind", kNic});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("enp1s0"), HasSubstr("192.0.2.10"), HasSubstr("--force")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  CliRun forced = m.run({"bind", "--force", kNic});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
}

TEST_F(BindCommandTest, InterfaceThatIsDownIsNotInUse) {
  m.net_interface(kNic, "enp1s0", /*up=*/false);
  m.addresses.add("enp1s0", "192.0.2.10");
  EXPECT_EQ(m.run({"bind", kNic}).exit_code, 0);
}

TEST_F(BindCommandTest, InterfaceCarryingARouteIsInUse) {
  m.net_interface(kNic, "enp1s0", /*up=*/true);
  // /proc/net/route: a default route through enp1s0 (destination 0, mask 0).
  m.root.write("/proc/net/route",
               "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
               "enp1s0\t00000000\t0102000A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n");
  CliRun r = m.run({"bind", kNic});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("enp1s0"), HasSubstr("routes")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(BindCommandTest, MountedBlockDeviceIsInUse) {
  m.block_device(kDisk, "nvme0n1", "259:0");
  m.mounted("259:0", "/srv/data");
  CliRun r = m.run({"bind", kDisk});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("nvme0n1"), HasSubstr("/srv/data")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_EQ(m.run({"bind", "--force", kDisk}).exit_code, 0);
  EXPECT_EQ(m.kernel.driver_of(kDisk), "vfio-pci");
}

TEST_F(BindCommandTest, HeldBlockDeviceIsInUse) {
  m.block_device(kDisk, "nvme0n1", "259:0");
  m.block_holder(kDisk, "nvme0n1", "dm-0");
  CliRun r = m.run({"bind", kDisk});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("nvme0n1"), HasSubstr("dm-0")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(BindCommandTest, BootVgaWithFramebufferConsoleIsInUse) {
  m.boot_vga_with_fbcon(kGpu);
  CliRun r = m.run({"bind", kGpu});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("boot VGA"), HasSubstr("vtcon1")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_EQ(m.run({"bind", "--force", kGpu}).exit_code, 0);
}

TEST_F(BindCommandTest, BadInputIsExitTwoWithoutWrites) {
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"bind", "zz:00.0"},
           {"bind", "0000:0f:00.0"},
           {"bind", "--driver", "no_such_driver", kNic},
           {"bind", "--driver", "../etc", kNic},
           {"bind", "--owner", "bad user!", kNic},
           {"bind", "--owner", "no-such-user-vfioctl-test", kNic},
       }) {
    CliRun r = m.run(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << " " << args[1] << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_THAT(m.kernel.module_loads(), IsEmpty());
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
}

TEST_F(BindCommandTest, DryRunWritesNothing) {
  CliRun r = m.run({"bind", "--dry-run", kNic, kGpu});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("driver_override"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  EXPECT_THAT(m.kernel.module_loads(), IsEmpty());
  EXPECT_FALSE(m.journal_exists());
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(BindCommandTest, OwnerChownsTheGroupNode) {
  CliRun r = m.run({"bind", "--owner", "1000:100", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(m.kernel.chowns().size(), 1u);
  EXPECT_EQ(m.kernel.chowns()[0].path, "/dev/vfio/1");
  EXPECT_EQ(m.kernel.chowns()[0].uid, 1000u);
  EXPECT_EQ(m.kernel.chowns()[0].gid, 100u);
}

// CONFIG_VFIO_DEVICE_CDEV kernels (6.6+) also have /dev/vfio/devices/vfioN: --owner changes
// both nodes, so an unprivileged QEMU can use the group API or iommufd.
TEST_F(BindCommandTest, OwnerAlsoChownsTheDeviceCdev) {
  m.kernel.device_cdev(true);
  CliRun r = m.run({"bind", "--owner", "1000:100", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string vfio_dev = "(none)";  // the vfio-dev class device the simulator created
  for (const auto& e : std::filesystem::directory_iterator(m.root.at(std::string("/sys/bus/pci/devices/") + kNic + "/vfio-dev"))) {
    vfio_dev = e.path().filename().string();
  }
  ASSERT_EQ(m.kernel.chowns().size(), 2u);
  EXPECT_EQ(m.kernel.chowns()[0].path, "/dev/vfio/1");
  EXPECT_EQ(m.kernel.chowns()[1].path, "/dev/vfio/devices/" + vfio_dev);
  EXPECT_EQ(m.kernel.chowns()[1].uid, 1000u);
  EXPECT_EQ(m.kernel.chowns()[1].gid, 100u);
}

// Bound, but /dev has no node for the group (a static /dev without devtmpfs): the bind stands
// and the output says why a VFIO user will not find the node.
TEST_F(BindCommandTest, MissingGroupNodeIsReported) {
  m.kernel.group_nodes(false);
  CliRun r = m.run({"bind", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_THAT(r.out + r.err, AllOf(HasSubstr("/dev/vfio/1 is missing"), HasSubstr("devtmpfs")));
}

// A kernel with CONFIG_VFIO_PCI=y: built-in code counts as loaded, nothing is loaded.
TEST_F(BindCommandTest, BuiltInVfioPciIsUsedWithoutLoading) {
  m.kernel.module("vfio", SimModuleState::kBuiltin)
      .module("vfio_pci_core", SimModuleState::kBuiltin)
      .module("vfio_pci", SimModuleState::kBuiltin);
  json doc = run_json({"bind", kNic}, 0);
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_THAT(m.kernel.module_loads(), IsEmpty());
  EXPECT_EQ(doc["devices"][0]["module"], "vfio_pci");
  EXPECT_EQ(doc["devices"][0]["driver"], "vfio-pci");
}

// --json: each device's binding before and after, what was tried, and whether it changed.
TEST_F(BindCommandTest, JsonHasEachDevicesBeforeAndAfter) {
  json doc = run_json({"bind", kNic, kGpu}, 0);
  EXPECT_EQ(doc["operation"], "bind");
  EXPECT_EQ(doc["exit_code"], 0);
  EXPECT_EQ(doc["dry_run"], false);
  ASSERT_EQ(doc["devices"].size(), 2u);
  const json& nic = doc["devices"][0];
  EXPECT_EQ(nic["device"], kNic);
  EXPECT_EQ(nic["before"], json({{"driver", "e1000e"}, {"driver_override", nullptr}}));
  EXPECT_EQ(nic["after"], json({{"driver", "vfio-pci"}, {"driver_override", "vfio-pci"}}));
  EXPECT_EQ(nic["changed"], true);
  EXPECT_EQ(nic["ok"], true);
  const json& gpu = doc["devices"][1];
  EXPECT_EQ(gpu["before"]["driver"], "xe");
  EXPECT_EQ(gpu["after"]["driver"], "xe-vfio-pci");
  EXPECT_EQ(gpu["module"], "xe_vfio_pci");
}

// A failure on the second device: the JSON shows both put back (after == before), rolled_back.
TEST_F(BindCommandTest, JsonAfterARollbackShowsEveryDeviceBack) {
  m.kernel.inject(5, testing::SimFault::kEio);  // the second device's drivers_probe
  json doc = run_json({"bind", kNic, kDisk}, 1);
  EXPECT_EQ(doc["rolled_back"], true);
  ASSERT_EQ(doc["devices"].size(), 2u);
  for (const auto& d : doc["devices"]) {
    SCOPED_TRACE(d.dump());
    EXPECT_EQ(d["after"], d["before"]);
  }
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.driver_of(kDisk), "nvme");
}

// Progress on stderr for multi-device work (with -v when stderr is not a terminal), one line
// per step; never on stdout, never with --json.
TEST_F(BindCommandTest, ProgressLinesForMultiDeviceWork) {
  CliRun r = m.run({"-v", "bind", kNic, kGpu, kDisk});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("[1/3] 0000:01:00.0: binding\n[1/3] 0000:01:00.0: bound to vfio-pci\n"));
  EXPECT_THAT(r.err, HasSubstr("[2/3] 0000:03:00.0: bound to xe-vfio-pci\n"));
  EXPECT_THAT(r.err, HasSubstr("[3/3] 0000:06:00.0: bound to vfio-pci\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("[1/3]")));
}

TEST_F(BindCommandTest, NoProgressWithJsonOrForOneDevice) {
  CliRun js = m.run({"-v", "--json", "bind", kNic, kGpu});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  EXPECT_THAT(js.err, Not(HasSubstr("[1/2]")));
  EXPECT_TRUE(json::parse(js.out).is_object());  // stdout is exactly one JSON document
  CliRun one = m.run({"-v", "bind", kDisk});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.err, Not(HasSubstr("[1/1]")));
}

TEST_F(BindCommandTest, ThreeDevicesAreBoundInOneRun) {
  CliRun r = m.run({"bind", kNic, kGpu, kDisk});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.writes().size(), 9u);
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of(kGpu), "xe-vfio-pci");
  EXPECT_EQ(m.kernel.driver_of(kDisk), "vfio-pci");
}

class NoIommuBindTest : public ::testing::Test {
 protected:
  NoIommuBindTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e");  // no group
  }
  SimMachine m;
};

TEST_F(NoIommuBindTest, RefusedWithoutTheFlag) {
  CliRun r = m.run({"bind", kNic});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("--noiommu"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

// Debian builds vfio without CONFIG_VFIO_NOIOMMU. With vfio loaded the missing parameter is
// seen before anything is done (exit 3); with vfio not loaded the write finds out, before any
// device is touched (exit 1).
TEST_F(NoIommuBindTest, AKernelWithoutTheModeIsRefusedUpFrontWhenVfioIsLoaded) {
  m.kernel.noiommu_config(false).module("vfio", SimModuleState::kLoaded);
  CliRun r = m.run({"bind", "--noiommu", kNic});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("CONFIG_VFIO_NOIOMMU"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(NoIommuBindTest, AKernelWithoutTheModeFailsBeforeAnyDeviceWhenVfioWasNotLoaded) {
  m.kernel.noiommu_config(false);
  CliRun r = m.run({"bind", "--noiommu", kNic});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("CONFIG_VFIO_NOIOMMU"), HasSubstr("nothing was bound")));
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
  EXPECT_FALSE(m.journal_exists());
}

// On a host with an IOMMU, a device outside every group (a firmware table leaves it out) is
// refused, but vfio's no-IOMMU mode takes it when asked: vfio_group_find_or_alloc gives it a
// no-IOMMU group whatever the other devices have.
TEST_F(NoIommuBindTest, ADeviceWithoutAGroupOnAnIommuHostNeedsTheFlagToo) {
  m.sysfs.pci("0000:03:00.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(3);
  CliRun refused = m.run({"bind", kNic});
  EXPECT_EQ(refused.exit_code, 3);
  EXPECT_THAT(refused.err, AllOf(HasSubstr("has no IOMMU group"), HasSubstr("--noiommu")));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
  CliRun r = m.run({"bind", "--noiommu", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(m.kernel.noiommu_enabled());
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_EQ(m.kernel.driver_of("0000:03:00.0"), "e1000e");
}

TEST_F(NoIommuBindTest, WithTheFlagTheParameterIsWrittenFirst) {
  CliRun r = m.run({"bind", "--noiommu", kNic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(m.kernel.writes().size(), 4u);
  EXPECT_EQ(m.kernel.writes()[0].path, "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode");
  EXPECT_EQ(m.kernel.writes()[0].value, "1");
  EXPECT_TRUE(m.kernel.noiommu_enabled());
  EXPECT_EQ(m.kernel.driver_of(kNic), "vfio-pci");
  EXPECT_THAT(r.err + r.out, HasSubstr("NOT isolated"));
}

// The mode vfioctl turned on goes off again once no device is in a no-IOMMU group: while it is
// on, every vfio bind of a group-less device gets a no-IOMMU group unasked.
TEST_F(NoIommuBindTest, ReleaseTurnsTheModeOffAgainOnceNoDeviceNeedsIt) {
  m.sysfs.pci("0000:01:00.1").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e");  // no group
  ASSERT_EQ(m.run({"bind", "--noiommu", kNic, "0000:01:00.1"}).exit_code, 0);
  ASSERT_TRUE(m.kernel.noiommu_enabled());

  CliRun one = m.run({"release", kNic});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_TRUE(m.kernel.noiommu_enabled()) << "0000:01:00.1 is still in a no-IOMMU group";

  CliRun two = m.run({"release", "0000:01:00.1"});
  ASSERT_EQ(two.exit_code, 0) << two.err;
  EXPECT_FALSE(m.kernel.noiommu_enabled());
  EXPECT_EQ(m.kernel.writes().back().path, kNoiommuParam);
  EXPECT_EQ(m.kernel.writes().back().value, "0");
  EXPECT_THAT(two.err + two.out, HasSubstr("turned vfio's enable_unsafe_noiommu_mode off again"));
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
}

TEST_F(NoIommuBindTest, AModeVfioctlDidNotTurnOnStaysOn) {
  m.kernel.module("vfio", SimModuleState::kLoaded);
  ASSERT_EQ(m.kernel.write_attribute(kNoiommuParam, "1"), 0);  // the admin's own choice
  ASSERT_EQ(m.run({"bind", "--noiommu", kNic}).exit_code, 0);
  ASSERT_EQ(m.run({"release", kNic}).exit_code, 0);
  EXPECT_TRUE(m.kernel.noiommu_enabled());
}

TEST_F(NoIommuBindTest, ARolledBackBindTurnsTheModeOffAgain) {
  m.kernel.inject(3, testing::SimFault::kRefuseProbe);  // 0 the mode, 1 override, 2 unbind, 3 probe
  CliRun r = m.run({"bind", "--noiommu", kNic});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_FALSE(m.kernel.noiommu_enabled()) << "the bind turned it on, and nothing was bound";
  EXPECT_FALSE(m.journal_exists());
}

// Killed after turning the mode on: recover puts the device back and the mode off.
TEST_F(NoIommuBindTest, RecoverTurnsTheModeOffAfterAKilledBind) {
  m.kernel.inject(2, testing::SimFault::kCrash);  // before the unbind
  EXPECT_THROW(m.run({"bind", "--noiommu", kNic}), testing::SimulatedCrash);
  EXPECT_TRUE(m.kernel.noiommu_enabled());
  m.kernel.clear_faults();
  CliRun r = m.run({"recover"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(m.kernel.noiommu_enabled());
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
}

TEST_F(BindCommandTest, JournalLeftByACrashBlocksOtherCommandsUntilRecover) {
  m.kernel.inject(2, testing::SimFault::kCrash);  // before drivers_probe
  EXPECT_THROW(m.run({"bind", kNic}), testing::SimulatedCrash);
  EXPECT_TRUE(m.journal_exists());
  EXPECT_EQ(m.kernel.driver_of(kNic), std::nullopt) << "killed between unbind and probe";
  m.kernel.clear_faults();
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"bind", kGpu}, {"release", "--force", kNic}, {"vfs", kPf, "1"}}) {
    CliRun r = m.run(args);
    EXPECT_EQ(r.exit_code, 3) << args[0];
    EXPECT_THAT(r.err, HasSubstr("recover")) << args[0];
  }
  const std::size_t writes_before_recover = m.kernel.writes().size();
  EXPECT_EQ(writes_before_recover, 2u);
  CliRun rec = m.run({"recover"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_EQ(m.kernel.driver_of(kNic), "e1000e");
  EXPECT_EQ(m.kernel.override_of(kNic), std::nullopt);
  EXPECT_FALSE(m.journal_exists());
  EXPECT_EQ(m.run({"bind", kGpu}).exit_code, 0);
}

}  // namespace
}  // namespace vfioctl
