// status, explain and bind --dry-run for BUS/NAME devices, end to end on a fake arm64/s390 root
// (the bus trees of buses_test.cc). Binding for real needs the kernel: bind --dry-run shows the
// same three writes under /sys/bus/<bus>/ that the executor makes, through the same
// OverrideBinder as PCI.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleKind;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::run_cli_captured;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-arm64-board";
constexpr const char* kEth = "platform/fff51000.ethernet";

class OtherBusCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sysfs.other("platform", "fff51000.ethernet")
        .modalias("of:NethernetT(null)Ccalxeda,hb-xgmac")
        .of_compatible({"calxeda,hb-xgmac"})
        .driver("calxedaxgmac", "calxedaxgmac", ModuleKind::kLoadable)
        .group(3);
    sysfs.other("css", "0.0.ff00").modalias("css:t1").attr("type", "1").driver("chsc_subchannel");
    sysfs.pci("0000:00:01.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1);
    sysfs.write();
    tree.add_synthetic(SyntheticModule{"vfio_platform", {}, "kernel/drivers/vfio/platform/vfio-platform.ko"});
    tree.add_synthetic(SyntheticModule{"vfio_platform_calxedaxgmac", {"vfio-reset:calxeda,hb-xgmac"},
                                       "kernel/drivers/vfio/platform/reset/vfio-platform-calxedaxgmac.ko"});
    tree.add_synthetic(vfioctl::testing::generic_vfio_pci());
  }
  CliRun run(std::vector<std::string> args) {
    sysfs.write();  // the description as changed by the test
    args.insert(args.begin(), {"--root", root.path(), "--kernel-release", kRelease});
    return run_cli_captured(args);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  ModuleTree tree{root, kRelease};
};

TEST_F(OtherBusCommandsTest, StatusListsOtherBusesBesidePci) {
  CliRun text = run({"status"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("platform/fff51000.ethernet"));
  EXPECT_THAT(text.out, HasSubstr("calxeda,hb-xgmac"));
  EXPECT_THAT(text.out, HasSubstr("0000:00:01.0"));

  CliRun js = run({"--json", "status", kEth});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  json d = json::parse(js.out)["devices"][0];
  EXPECT_EQ(d["bus"], "platform");
  EXPECT_EQ(d["address"], "fff51000.ethernet");
  EXPECT_EQ(d["driver"], "calxedaxgmac");
  EXPECT_EQ(d["iommu_group"], 3);
  EXPECT_TRUE(d["vendor"].is_null());
  EXPECT_EQ(d["vfio_driver"]["module"], "vfio_platform");
}

// A device the firmware describes through ACPI shows its hardware ID where PCI shows vendor:device.
TEST_F(OtherBusCommandsTest, StatusShowsTheAcpiHardwareIdInTheIdColumn) {
  sysfs.other("platform", "AMDI8001:00").modalias("acpi:AMDI8001:").acpi_companion("AMDI8001").group(4);
  CliRun text = run({"status", "platform/AMDI8001:00", kEth});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, ContainsRegex("platform/AMDI8001:00 +AMDI8001 +-"));
  EXPECT_THAT(text.out, ContainsRegex("platform/fff51000.ethernet +- +calxedaxgmac")) << "no ACPI companion";
}

TEST_F(OtherBusCommandsTest, ExplainShowsTheResetHelperAndTheRemovalNote) {
  CliRun text = run({"explain", kEth});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("reset: vfio_platform_calxedaxgmac (for 'calxeda,hb-xgmac', the first compatible"));
  EXPECT_THAT(text.out, HasSubstr("marked for removal upstream"));
  EXPECT_THAT(text.out, HasSubstr("(no alias: driver_override only)"));
  EXPECT_THAT(text.out, HasSubstr("  compatible calxeda,hb-xgmac\n"));

  CliRun js = run({"--json", "explain", kEth});
  json doc = json::parse(js.out);
  EXPECT_EQ(doc["device"], "platform/fff51000.ethernet");
  EXPECT_EQ(doc["chosen"]["module"], "vfio_platform");
  EXPECT_EQ(doc["of_compatible"], json::array({"calxeda,hb-xgmac"}));
  ASSERT_EQ(doc["notes"].size(), 3u) << "reset, removal, interrupts";
  EXPECT_THAT(doc["notes"][2].get<std::string>(), HasSubstr("no msi-parent"));
}

TEST_F(OtherBusCommandsTest, BindDryRunWritesUnderThePlatformBus) {
  CliRun r = run({"bind", "--dry-run", kEth});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, AllOf(HasSubstr("load module vfio_platform"),
                           HasSubstr("/sys/bus/platform/devices/fff51000.ethernet/driver_override"),
                           HasSubstr("fff51000.ethernet > /sys/bus/platform/drivers/calxedaxgmac/unbind"),
                           HasSubstr("fff51000.ethernet > /sys/bus/platform/drivers_probe")));
  EXPECT_THAT(r.out, Not(HasSubstr("/sys/bus/pci/")));
}

TEST_F(OtherBusCommandsTest, APlatformDeviceVfioPlatformCannotResetIsRefusedUpFront) {
  sysfs.other("platform", "fff51000.ethernet").of_compatible({"vendor,board-xgmac", "calxeda,hb-xgmac"});
  CliRun text = run({"explain", kEth});
  EXPECT_THAT(text.out, HasSubstr("  compatible vendor,board-xgmac, calxeda,hb-xgmac\n")) << "in list order";
  CliRun r = run({"bind", kEth});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.err, AllOf(HasSubstr("looks up only the first, 'vendor,board-xgmac'"), HasSubstr("reset_required=0")));
  EXPECT_EQ(root.read("/sys/bus/platform/devices/fff51000.ethernet/driver_override"), "(null)\n");
}

// The module tree has no vfio_amba (as every Debian kernel): a generic driver has no alias to
// be stale, so the reason names the kernel option it lacks, not depmod.
TEST_F(OtherBusCommandsTest, AGenericDriverTheKernelLacksNamesItsConfigOption) {
  sysfs.other("amba", "9000000.pl011").modalias("amba:d00041011").driver("uart-pl011").group(9);
  CliRun text = run({"explain", "amba/9000000.pl011"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("vfio_amba is not used: not in this kernel: neither built in nor in its module "
                                  "tree (a kernel built with CONFIG_VFIO_AMBA is needed)"));
  EXPECT_THAT(text.out, Not(HasSubstr("depmod")));
  CliRun bind = run({"bind", "amba/9000000.pl011"});
  EXPECT_EQ(bind.exit_code, 1);
  EXPECT_THAT(bind.err, HasSubstr("vfioctl: cannot bind amba/9000000.pl011: no usable vfio driver"));
}

TEST_F(OtherBusCommandsTest, ANonIoSubchannelIsBadInput) {
  CliRun r = run({"bind", "css/0.0.ff00"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("type 0, only"));
}

TEST_F(OtherBusCommandsTest, ApplyTakesBusSlashNameAddresses) {
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"platform/fff51000.ethernet\"\n");
  CliRun r = run({"--json", "apply", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["changes"].size(), 1u) << doc.dump(2);
  EXPECT_EQ(doc["changes"][0]["device"], "platform/fff51000.ethernet");
  EXPECT_EQ(doc["changes"][0]["to"], "vfio_platform");
  EXPECT_EQ(doc["changes"][0]["rule"], "/etc/vfioctl/vfioctl.toml:1");
  CliRun one = run({"apply", "--dry-run", "--device", kEth});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("platform/fff51000.ethernet"));
}

TEST_F(OtherBusCommandsTest, ABadBusSlashNameInTheConfigurationIsItsLine) {
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"usb/1-1\"\n");
  CliRun r = run({"apply", "--dry-run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, AllOf(HasSubstr("/etc/vfioctl/vfioctl.toml:2"), HasSubstr("unknown bus 'usb'")));
}

TEST_F(OtherBusCommandsTest, ADeviceThatIsNotThereIsNamedWithItsBus) {
  CliRun r = run({"bind", "platform/no-such.device"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("platform/no-such.device"));
}

}  // namespace
}  // namespace vfioctl
