// bind and release for real (not --dry-run) on the driver_override buses besides PCI, on the
// fake kernel of tests/support/override_bus_fake_kernel.h: the same executor and OverrideBinder
// as PCI, with each bus's own rules (css's type match, fsl-mc's containers).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bind/journal.h"
#include "bind/state_files.h"
#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"
#include "support/override_bus_fake_kernel.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::OverrideBusFakeKernel;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-arm64-board";

class OverrideBusBindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree.add_synthetic(SyntheticModule{"vfio_platform", {}, "kernel/drivers/vfio/platform/vfio-platform.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_platform_calxedaxgmac", {"vfio-reset:calxeda,hb-xgmac"},
                                       "kernel/drivers/vfio/platform/reset/vfio-platform-calxedaxgmac.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_fsl_mc", {}, "kernel/drivers/vfio/fsl-mc/vfio-fsl-mc.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_ccw", {"css:t0"}, "kernel/drivers/s390/cio/vfio_ccw.ko"});
    kernel.add_device({"platform", "fff51000.ethernet", "calxedaxgmac", "calxedaxgmac", 3, std::nullopt, std::nullopt,
                       "of:NethernetT(null)Ccalxeda,hb-xgmac"});
    sysfs.other("platform", "fff51000.ethernet").of_compatible({"calxeda,hb-xgmac"});
    // Subchannels are in no IOMMU group (the css bus has no IOMMU).
    kernel.add_device({"css", "0.0.0000", "io_subchannel", "", std::nullopt, 0, std::nullopt, "css:t0"});
    kernel.add_device({"css", "0.0.ff00", "chsc_subchannel", "", std::nullopt, 1, std::nullopt, "css:t1"});
    // A DPAA2 container and its two objects, one IOMMU group (one ICID for the container).
    kernel.add_device({"fsl-mc", "dprc.2", "fsl_mc_dprc", "", 4, std::nullopt, std::nullopt, "fsl-mc:v00001957ddprc"});
    kernel.add_device({"fsl-mc", "dpni.1", "fsl_dpaa2_eth", "fsl_dpaa2_eth", 4, std::nullopt, "dprc.2",
                       "fsl-mc:v00001957ddpni"});
    kernel.add_device({"fsl-mc", "dpmcp.3", "", "", 4, std::nullopt, "dprc.2", "fsl-mc:v00001957ddpmcp"});
  }
  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root.path(), "--kernel-release", kRelease});
    return vfioctl::testing::run_cli_captured(args, &kernel);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  ModuleTree tree{root, kRelease};
  OverrideBusFakeKernel kernel{sysfs};
};

TEST_F(OverrideBusBindTest, APlatformDeviceGoesToVfioPlatformAndComesBack) {
  CliRun r = run({"--json", "bind", "platform/fff51000.ethernet"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(kernel.writes(),
              ElementsAre("/sys/bus/platform/devices/fff51000.ethernet/driver_override <- vfio-platform",
                          "/sys/bus/platform/drivers/calxedaxgmac/unbind <- fff51000.ethernet",
                          "/sys/bus/platform/drivers_probe <- fff51000.ethernet"));
  EXPECT_EQ(kernel.driver_of("platform", "fff51000.ethernet"), "vfio-platform");
  EXPECT_TRUE(kernel.loaded("vfio_platform"));
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["devices"][0]["after"]["driver"], "vfio-platform");

  CliRun back = run({"release", "platform/fff51000.ethernet"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(kernel.driver_of("platform", "fff51000.ethernet"), "calxedaxgmac");
  EXPECT_EQ(kernel.override_of("platform", "fff51000.ethernet"), std::nullopt);
}

TEST_F(OverrideBusBindTest, AProbeVfioPlatformRefusesPutsTheDeviceBack) {
  kernel.refuse_probe("vfio-platform", EINVAL);
  CliRun r = run({"bind", "platform/fff51000.ethernet"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(kernel.driver_of("platform", "fff51000.ethernet"), "calxedaxgmac");
  EXPECT_EQ(kernel.override_of("platform", "fff51000.ethernet"), std::nullopt);
  EXPECT_THAT(r.err, HasSubstr("fff51000.ethernet"));
}

// A device-tree device with no host driver has no IOMMU group until something probes it (seen on
// the real 6.12 arm64 kernel, scenario 97): its node's iommus says one will come, so the bind goes
// ahead and the group appears with vfio-platform's probe. Without iommus it is refused, untouched.
TEST_F(OverrideBusBindTest, AnUnprobedDtDeviceWhoseNodeNamesAnIommuGetsItsGroupAtTheBind) {
  OverrideBusFakeKernel::DeviceSpec spec{"platform", "c100000.xgmac", "", "", std::nullopt, std::nullopt,
                                         std::nullopt, "of:NxgmacT(null)Ccalxeda,hb-xgmac"};
  spec.group_at_probe = 9;
  kernel.add_device(spec);
  kernel.add_device({"platform", "c200000.xgmac", "", "", std::nullopt, std::nullopt, std::nullopt,
                     "of:NxgmacT(null)Ccalxeda,hb-xgmac"});
  sysfs.other("platform", "c100000.xgmac").of_compatible({"calxeda,hb-xgmac"}).of_property("iommus");
  sysfs.other("platform", "c200000.xgmac").of_compatible({"calxeda,hb-xgmac"});
  sysfs.write();

  CliRun refused = run({"bind", "platform/c200000.xgmac"});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_THAT(refused.err, AllOf(HasSubstr("has no IOMMU group"), HasSubstr("iommus")));
  EXPECT_THAT(kernel.writes(), ElementsAre());

  CliRun r = run({"--json", "bind", "platform/c100000.xgmac"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(kernel.driver_of("platform", "c100000.xgmac"), "vfio-platform");
  json doc = json::parse(r.out);
  EXPECT_THAT(doc["notes"].dump(), HasSubstr("no IOMMU group yet; the device tree gives it an IOMMU"));
  EXPECT_THAT(doc["notes"].dump(), HasSubstr("no msi-parent")) << "and type1's MSI rule, for the VFIO user";
}

// A CDX function gets its IOMMU group at probe from its controller's iommu-map (cdx_dma_configure),
// as the real arm64 kernel showed (scenario 99): an unprobed one binds and its group comes with
// vfio-cdx's probe. The bus device beside it is not a function: bad input, nothing touched.
TEST_F(OverrideBusBindTest, AnUnprobedCdxFunctionGetsItsGroupFromItsControllerAtTheBind) {
  tree.add_synthetic(SyntheticModule{"vfio_cdx", {"vfio_cdx:v*d*sv*sd*c*"}, "kernel/drivers/vfio/cdx/vfio-cdx.ko"});
  sysfs.other("platform", "cdx-ctrl").of_compatible({"xlnx,versal-net-cdx"}).of_property("iommu-map")
      .of_property("dma-ranges");
  sysfs.other("cdx", "cdx-00").parent("platform/cdx-ctrl").attr("enable", "1");
  // A second controller without dma-ranges: the kernel gives its functions no IOMMU.
  sysfs.other("platform", "cdx-ctrl-nodma").of_compatible({"xlnx,versal-net-cdx"}).of_property("iommu-map");
  sysfs.other("cdx", "cdx-10").parent("platform/cdx-ctrl-nodma").attr("enable", "1");
  kernel.add_device({"cdx", "cdx-10:00", "", "", std::nullopt, std::nullopt, std::nullopt,
                     "cdx:v10EEdCD01sv10EEsd0000c000000"});
  sysfs.other("cdx", "cdx-10:00").parent("cdx-10").attr("vendor", "0x10ee");
  OverrideBusFakeKernel::DeviceSpec spec{"cdx", "cdx-00:01", "", "", std::nullopt, std::nullopt,
                                         std::nullopt, "cdx:v10EEdCD01sv10EEsd0001c000000"};
  spec.group_at_probe = 11;
  kernel.add_device(spec);
  sysfs.other("cdx", "cdx-00:01").parent("cdx-00").attr("vendor", "0x10ee");
  sysfs.write();

  CliRun nodma = run({"bind", "cdx/cdx-10:00"});
  EXPECT_EQ(nodma.exit_code, 3) << nodma.err;
  EXPECT_THAT(nodma.err, AllOf(HasSubstr("has no IOMMU group"), HasSubstr("needs an iommu-map and a non-empty dma-ranges")));
  CliRun bus = run({"bind", "cdx/cdx-00"});
  EXPECT_EQ(bus.exit_code, 2) << bus.err;
  EXPECT_THAT(bus.err, HasSubstr("CDX bus device, not a function"));
  EXPECT_THAT(kernel.writes(), ElementsAre());

  CliRun r = run({"--json", "bind", "cdx/cdx-00:01"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(kernel.driver_of("cdx", "cdx-00:01"), "vfio-cdx");
  EXPECT_TRUE(kernel.loaded("vfio_cdx"));
  json doc = json::parse(r.out);
  EXPECT_THAT(doc["notes"].dump(), HasSubstr("no IOMMU group yet; the device tree gives it an IOMMU"));
  EXPECT_THAT(doc["notes"].dump(), HasSubstr("CDX controller's device-tree node has no msi-map"));
  CliRun back = run({"release", "cdx/cdx-00:01"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(kernel.driver_of("cdx", "cdx-00:01"), "none");

  // What the udev rule runs when the function appears: apply sees the unprobed function (its
  // group still to come) and binds it. It once answered "every selected device is as
  // configured", found by the real-kernel scenario 99.
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"cdx/cdx-00:01\"\n");
  CliRun applied = run({"apply", "--device", "cdx/cdx-00:01"});
  ASSERT_EQ(applied.exit_code, 0) << applied.err << applied.out;
  EXPECT_EQ(kernel.driver_of("cdx", "cdx-00:01"), "vfio-cdx");
  CliRun listed = run({"status"});
  EXPECT_THAT(listed.out, HasSubstr("cdx/cdx-00:01")) << "listed once its group exists";
}

// status lists a device whose group comes at the first probe, and says so.
TEST_F(OverrideBusBindTest, StatusListsAnUnprobedDtDeviceWhoseGroupComesAtProbe) {
  kernel.add_device({"platform", "c100000.xgmac", "", "", std::nullopt, std::nullopt, std::nullopt,
                     "of:NxgmacT(null)Ccalxeda,hb-xgmac"});
  kernel.add_device({"platform", "c200000.xgmac", "", "", std::nullopt, std::nullopt, std::nullopt,
                     "of:NxgmacT(null)Ccalxeda,hb-xgmac"});
  sysfs.other("platform", "c100000.xgmac").of_compatible({"calxeda,hb-xgmac"}).of_property("iommus");
  sysfs.other("platform", "c200000.xgmac").of_compatible({"calxeda,hb-xgmac"});
  sysfs.write();
  CliRun r = run({"status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("platform/c100000.xgmac +- +- +- +at probe"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("c200000.xgmac"))) << "no IOMMU at all: not listed";
}

// An ACPI device's _RST cannot be seen before the bind; once vfio-platform refused it, the error
// says which reset it wanted and how to do without one.
TEST_F(OverrideBusBindTest, ARefusedProbeOfAnAcpiDeviceSaysHowToDoWithoutAReset) {
  kernel.add_device({"platform", "VFCT0002:00", "", "", 8, std::nullopt, std::nullopt, "acpi:VFCT0002:"});
  sysfs.other("platform", "VFCT0002:00").acpi_companion("VFCT0002");
  sysfs.write();
  kernel.refuse_probe("vfio-platform", ENOENT, "VFIO: No reset function found for device VFCT0002:00");
  CliRun r = run({"bind", "platform/VFCT0002:00"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(kernel.driver_of("platform", "VFCT0002:00"), "none");
  EXPECT_EQ(kernel.override_of("platform", "VFCT0002:00"), std::nullopt);
  EXPECT_THAT(r.err, AllOf(HasSubstr("No reset function found"), HasSubstr("_RST method"),
                           HasSubstr("unless vfio_platform is loaded with reset_required=0")));
}

// QEMU's fw_cfg device, seen in the real-kernel scenario 95: vfio-platform refuses it (no _RST),
// and qemu_fw_cfg, which serves one device per load, answers EBUSY when asked to take it back.
// The device cannot be put back, the journal stays, and the message says how to finish.
TEST_F(OverrideBusBindTest, AHostDriverThatServesOneDevicePerLoadNamesTheReloadThatGivesTheDeviceBack) {
  kernel.add_device({"platform", "QEMU0002:00", "fw_cfg", "qemu_fw_cfg", 7, std::nullopt, std::nullopt,
                     "acpi:QEMU0002:"});
  kernel.serves_one_device_per_load("fw_cfg");
  kernel.refuse_probe("vfio-platform", ENOENT, "VFIO: No reset function found for device QEMU0002:00");
  CliRun r = run({"bind", "platform/QEMU0002:00"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, HasSubstr("the driver refused the device: vfio-platform QEMU0002:00: VFIO: No reset function "
                               "found for device QEMU0002:00; vfio-platform QEMU0002:00: probe with driver "
                               "vfio-platform failed with error -2"))
      << "the driver's own reason first, then the driver core's line";
  EXPECT_EQ(kernel.driver_of("platform", "QEMU0002:00"), "none");
  EXPECT_EQ(kernel.override_of("platform", "QEMU0002:00"), std::nullopt) << "the override is put back all the same";
  EXPECT_THAT(r.err, AllOf(HasSubstr("could not be put back"), HasSubstr("fw_cfg's probe answered EBUSY"),
                           HasSubstr("'modprobe -r qemu_fw_cfg' and 'modprobe qemu_fw_cfg'"),
                           HasSubstr("vfioctl recover")));
  StateDir dir(HostRoot(root.path(), kRelease));
  EXPECT_TRUE(std::filesystem::exists(dir.file("journal.json"))) << "recover is how the user finishes";
}

// A subchannel has no IOMMU group and needs none: vfio_ccw serves it through an mdev, and an s390
// host without PCI has no IOMMU group at all until an mdev exists (seen on the real s390x guest,
// scenario 98). bind neither refuses it nor asks for --noiommu, and says how to make the mdev.
TEST_F(OverrideBusBindTest, AnIoSubchannelGoesToVfioCcwWithoutAnIommuGroup) {
  CliRun r = run({"bind", "css/0.0.0000"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(kernel.driver_of("css", "0.0.0000"), "vfio_ccw");
  EXPECT_THAT(r.out + r.err, AllOf(HasSubstr("needs no IOMMU group of its own"),
                                   HasSubstr("mdevctl start -u UUID -p 0.0.0000 -t vfio_ccw-io"),
                                   HasSubstr("/sys/bus/css/devices/0.0.0000/mdev_supported_types/vfio_ccw-io/create")));
  ASSERT_EQ(run({"release", "css/0.0.0000"}).exit_code, 0);
  EXPECT_EQ(kernel.driver_of("css", "0.0.0000"), "io_subchannel");
}

// --owner on a subchannel: there is no group node until an mdev is made, and bind says so
// instead of changing nothing in silence.
TEST_F(OverrideBusBindTest, OwnerOnASubchannelSaysTheMdevsGroupNodeIsTheOneToChange) {
  CliRun r = run({"bind", "--owner", "1000:100", "css/0.0.0000"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out + r.err, AllOf(HasSubstr("--owner 1000:100 has no node to change yet"),
                                   HasSubstr("chown that /dev/vfio/N once the mdev exists")));
}

// Unbinding vfio_ccw removes the subchannel's mdevs (mdev_unregister_parent): release refuses
// while one exists, unless --force, and status and explain show it with its group.
TEST_F(OverrideBusBindTest, ReleaseOfASubchannelWithAnMdevNeedsForce) {
  ASSERT_EQ(run({"bind", "css/0.0.0000"}).exit_code, 0);
  const std::string uuid = "6881f8a6-1155-4c5c-8e75-57142db9e450";
  ASSERT_TRUE(kernel.create_mdev("css", "0.0.0000", uuid, 0));

  CliRun status = run({"status", "--json", "css/0.0.0000"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto doc = nlohmann::json::parse(status.out);
  EXPECT_EQ(doc["devices"][0]["iommu_group"], nullptr);
  EXPECT_EQ(doc["devices"][0]["mdevs"],
            nlohmann::json::parse(R"([{"uuid": ")" + uuid + R"(", "type": "vfio_ccw-io", "iommu_group": 0}])"));
  CliRun explain = run({"explain", "css/0.0.0000"});
  EXPECT_THAT(explain.out, AllOf(HasSubstr("group      none needed"), HasSubstr("mdev       " + uuid + " (vfio_ccw-io, group 0)")));

  const auto writes_before = kernel.writes().size();
  CliRun refused = run({"release", "css/0.0.0000"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out;
  EXPECT_THAT(refused.err, AllOf(HasSubstr("has mediated device " + uuid + " (vfio_ccw-io), which unbinding removes"),
                                 HasSubstr("mdevctl stop -u " + uuid), HasSubstr("--force")));
  EXPECT_EQ(kernel.writes().size(), writes_before) << "nothing touched";
  EXPECT_EQ(kernel.driver_of("css", "0.0.0000"), "vfio_ccw");

  ASSERT_EQ(run({"release", "--force", "css/0.0.0000"}).exit_code, 0);
  EXPECT_EQ(kernel.driver_of("css", "0.0.0000"), "io_subchannel");
  EXPECT_FALSE(std::filesystem::exists(root.path() + "/sys/bus/mdev/devices/" + uuid)) << "the mdev went with vfio_ccw";
}

// The container's objects leave Linux when it leaves fsl_mc_dprc and come back, with
// driver_override "vfio-fsl-mc" set by vfio-fsl-mc, when it probes the container: binding the
// container takes them, and releasing it gives them back.
TEST_F(OverrideBusBindTest, AContainerTakesItsObjectsToVfioFslMcAndBack) {
  CliRun refused = run({"bind", "fsl-mc/dprc.2"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("fsl-mc/dpni.1"));
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dprc.2"), "fsl_mc_dprc");

  CliRun r = run({"bind", "--group", "fsl-mc/dpni.1"});  // an object named: its container goes first
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dprc.2"), "vfio-fsl-mc");
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dpni.1"), "vfio-fsl-mc");
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dpmcp.3"), "vfio-fsl-mc");

  EXPECT_THAT(kernel.writes(), ElementsAre("/sys/bus/fsl-mc/devices/dprc.2/driver_override <- vfio-fsl-mc",
                                           "/sys/bus/fsl-mc/drivers/fsl_mc_dprc/unbind <- dprc.2",
                                           "/sys/bus/fsl-mc/drivers_probe <- dprc.2"))
      << "the objects came with the container: nothing written for them";

  // Named object first: the container is still released first, and the NIC is found back on
  // its host driver instead of being unbound from it again.
  const std::size_t before = kernel.writes().size();
  CliRun back = run({"release", "fsl-mc/dpni.1", "fsl-mc/dpmcp.3", "fsl-mc/dprc.2"});
  ASSERT_EQ(back.exit_code, 0) << back.err << back.out;
  const std::vector<std::string> release_writes(kernel.writes().begin() + static_cast<long>(before), kernel.writes().end());
  ASSERT_GE(release_writes.size(), 3u);
  EXPECT_EQ(release_writes[0], "/sys/bus/fsl-mc/devices/dprc.2/driver_override <- \n");
  EXPECT_EQ(release_writes[1], "/sys/bus/fsl-mc/drivers/vfio-fsl-mc/unbind <- dprc.2");
  for (const auto& w : release_writes) EXPECT_THAT(w, ::testing::Not(HasSubstr("fsl_dpaa2_eth/unbind")));
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dprc.2"), "fsl_mc_dprc");
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dpni.1"), "fsl_dpaa2_eth");
  EXPECT_EQ(kernel.override_of("fsl-mc", "dpni.1"), std::nullopt);
}

// A bind of the container killed after its three writes: the journal holds the container and
// both objects (bind journals every planned device first), the kernel has all three on
// vfio-fsl-mc. recover puts the container back first, which brings the objects back with it,
// and then finds each object where it was: no write for the objects (the journal's newest-first
// order alone would move each object on its own before its container removed and re-added it).
TEST_F(OverrideBusBindTest, RecoverPutsTheContainerBackFirstAndItsObjectsComeWithIt) {
  ASSERT_EQ(run({"bind", "--group", "fsl-mc/dpni.1"}).exit_code, 0);
  Journal journal;
  journal.operation = "bind";
  journal.pid = 4242;
  journal.started = "2026-12-07T10:00:00Z";
  journal.devices = {{"fsl-mc", "dprc.2", {"fsl_mc_dprc", std::nullopt, true}},
                     {"fsl-mc", "dpni.1", {"fsl_dpaa2_eth", std::nullopt, true}},
                     {"fsl-mc", "dpmcp.3", {std::nullopt, std::nullopt, true}}};
  StateDir dir(HostRoot(root.path(), kRelease));
  std::string error;
  ASSERT_TRUE(dir.ensure(&error)) << error;
  ASSERT_TRUE(JournalStore(dir).write(journal, &error)) << error;

  const std::size_t before = kernel.writes().size();
  CliRun r = run({"recover"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  const std::vector<std::string> writes(kernel.writes().begin() + static_cast<long>(before), kernel.writes().end());
  // restore_binding steers the container to its driver through the override, then clears it.
  EXPECT_THAT(writes, ElementsAre("/sys/bus/fsl-mc/devices/dprc.2/driver_override <- fsl_mc_dprc",
                                  "/sys/bus/fsl-mc/drivers/vfio-fsl-mc/unbind <- dprc.2",
                                  "/sys/bus/fsl-mc/drivers_probe <- dprc.2",
                                  "/sys/bus/fsl-mc/devices/dprc.2/driver_override <- \n"));
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dprc.2"), "fsl_mc_dprc");
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dpni.1"), "fsl_dpaa2_eth");
  EXPECT_EQ(kernel.driver_of("fsl-mc", "dpmcp.3"), "none");
  EXPECT_EQ(kernel.override_of("fsl-mc", "dpni.1"), std::nullopt);
  EXPECT_FALSE(std::filesystem::exists(dir.file("journal.json")));
}

}  // namespace
}  // namespace vfioctl
