// The host-wide checks of `vfioctl doctor` on fake roots: each finding's severity, what it
// says it saw and the remedy, from the files the kernel really exposes (/proc/cmdline,
// /proc/cpuinfo, /proc/interrupts, /sys/kernel/iommu_groups, /sys/class/iommu, module
// parameters, /dev/vfio).
#include "doctor/host_checks.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "inventory/session.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.1.0-doctor";

// Lines of a real /proc/interrupts (an Intel host with VT-d interrupt remapping on, and the
// same host booted with intremap=off): the chip names are the part the check reads.
constexpr const char* kRemappedInterrupts =
    "            CPU0       CPU1\n"
    "   8:          0          0  IR-IO-APIC    8-edge      rtc0\n"
    " 124:       4411          0  IR-PCI-MSI-0000:00:17.0    0-edge      ahci[0000:00:17.0]\n";
constexpr const char* kPlainInterrupts =
    "            CPU0       CPU1\n"
    "   8:          0          0  IO-APIC    8-edge      rtc0\n"
    " 124:       4411          0  PCI-MSI-0000:00:17.0    0-edge      ahci[0000:00:17.0]\n";

class HostChecksTest : public ::testing::Test {
 protected:
  HostRoot host() { return sysfs.host(kRelease); }
  Finding interrupt_remapping() {
    HostRoot h = host();
    KmodSession kmod(h);
    return check_interrupt_remapping(h, kmod);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(HostChecksTest, IommuGroupsMeanTheIommuIsOn) {
  sysfs.pci("0000:00:02.0").group(0);
  sysfs.pci("0000:00:03.0").group(1);
  sysfs.symlink("/sys/class/iommu/dmar0", "/sys/devices/virtual/iommu/dmar0");
  Finding f = check_iommu(host());
  EXPECT_EQ(f.severity, Severity::kOk);
  EXPECT_THAT(f.summary, HasSubstr("2 IOMMU groups"));
  EXPECT_THAT(f.details, Contains("IOMMU units: dmar0"));
  EXPECT_TRUE(f.remedy.empty());
}

TEST_F(HostChecksTest, NoIommuOnIntelBlocksAndNamesTheCommandLineToAdd) {
  sysfs.pci("0000:00:02.0");
  root.write("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n");
  root.write("/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=off quiet\n");
  Finding f = check_iommu(host());
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.details, Contains("the kernel command line has intel_iommu=off"));
  EXPECT_THAT(f.remedy, HasSubstr("intel_iommu=on"));
  EXPECT_THAT(f.remedy, HasSubstr("GRUB_CMDLINE_LINUX"));
}

TEST_F(HostChecksTest, NoIommuOnAmdSaysItIsOnByDefault) {
  root.write("/proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\n");
  root.write("/proc/cmdline", "root=/dev/nvme0n1p2 iommu=off\n");
  Finding f = check_iommu(host());
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.details, Contains("the kernel command line has iommu=off"));
  EXPECT_THAT(f.remedy, HasSubstr("AMD-Vi"));
  EXPECT_THAT(f.remedy, Not(HasSubstr("intel_iommu")));
}

TEST_F(HostChecksTest, NoIommuGroupsDirectoryAtAllIsStillAnAnswer) {
  sysfs.without_iommu_groups_dir();
  Finding f = check_iommu(host());  // no /proc either: an arm64 box without vendor_id
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.remedy, HasSubstr("SMMU"));
}

TEST_F(HostChecksTest, RemappedInterruptChipsAreOk) {
  root.write("/proc/interrupts", kRemappedInterrupts);
  EXPECT_EQ(interrupt_remapping().severity, Severity::kOk);
}

TEST_F(HostChecksTest, PlainMsiWithoutRemappingBlocksType1) {
  root.write("/proc/interrupts", kPlainInterrupts);
  Finding f = interrupt_remapping();
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.summary, HasSubstr("refuse to attach"));
  EXPECT_THAT(f.remedy, HasSubstr("allow_unsafe_interrupts"));
}

TEST_F(HostChecksTest, AllowUnsafeInterruptsTurnsTheBlockIntoAWarning) {
  root.write("/proc/interrupts", kPlainInterrupts);
  sysfs.module("vfio_iommu_type1");
  sysfs.file("/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts", "Y");
  Finding f = interrupt_remapping();
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_THAT(f.summary, HasSubstr("allow_unsafe_interrupts=Y"));
}

// Before vfio_iommu_type1 is loaded, modprobe.d's options are what it will run with.
TEST_F(HostChecksTest, AllowUnsafeInterruptsFromModprobeDCountsBeforeTheModuleLoads) {
  ModuleTree tree(root, kRelease);
  root.write("/proc/interrupts", kPlainInterrupts);
  testing::write_modprobe_conf(root, "vfio.conf", "options vfio_iommu_type1 allow_unsafe_interrupts=1\n");
  Finding f = interrupt_remapping();
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_THAT(f.summary, HasSubstr("allow_unsafe_interrupts=Y (modprobe.d: options vfio_iommu_type1"));
}

TEST_F(HostChecksTest, NoMsiInUseCannotBeJudged) {
  root.write("/proc/interrupts", "            CPU0\n   8:          0  IO-APIC    8-edge      rtc0\n");
  EXPECT_EQ(interrupt_remapping().severity, Severity::kInfo);
}

TEST_F(HostChecksTest, NoiommuModeOnIsAWarningWithTheWayBack) {
  EXPECT_EQ(check_noiommu_mode(host()).severity, Severity::kOk);
  sysfs.module("vfio");
  sysfs.file("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "Y");
  Finding f = check_noiommu_mode(host());
  EXPECT_EQ(f.severity, Severity::kWarn);
  EXPECT_THAT(f.remedy, HasSubstr("echo N > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode"));

  // vfioctl's own: releasing the devices is the way back.
  root.write("/run/vfioctl/noiommu", "vfioctl turned enable_unsafe_noiommu_mode on\n");
  EXPECT_THAT(check_noiommu_mode(host()).remedy, HasSubstr("'vfioctl release' of the no-IOMMU devices turns it off"));
}

class VfioModulesTest : public HostChecksTest {
 protected:
  void SetUp() override {
    tree.add_synthetic(vfioctl::testing::generic_vfio_pci());
    for (const char* m : {"vfio", "vfio_iommu_type1", "vfio_pci_core"}) {
      tree.add_synthetic(SyntheticModule{m, {}, std::string("kernel/drivers/vfio/") + m + ".ko"});
    }
  }
  Finding check() {
    Session session(host());
    return check_vfio_modules(session.modules());
  }
  ModuleTree tree{root, kRelease};
};

TEST_F(VfioModulesTest, InstalledModulesAreEnough) {
  Finding f = check();
  EXPECT_EQ(f.severity, Severity::kOk);
  EXPECT_THAT(f.details, Contains("vfio_pci: available"));
}

TEST_F(VfioModulesTest, LoadedAndBuiltinModulesCountAsPresent) {
  sysfs.driver("vfio-pci", "vfio_pci");  // loaded: /sys/module/vfio_pci/initstate "live"
  ASSERT_EQ(tree.make_builtin(SyntheticModule{"vfio", {}, "kernel/drivers/vfio/vfio.ko"}), std::nullopt);
  Finding f = check();
  EXPECT_EQ(f.severity, Severity::kOk);
  EXPECT_THAT(f.details, Contains("vfio_pci: loaded"));
  EXPECT_THAT(f.details, Contains("vfio: builtin"));
}

TEST_F(VfioModulesTest, AModuleTheTreeDoesNotHaveBlocks) {
  tree.write("modules.dep", "kernel/drivers/vfio/vfio.ko:\n");
  tree.write("modules.alias", "");
  Finding f = check();
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.summary, HasSubstr("vfio_iommu_type1, vfio_pci_core, vfio_pci"));
  EXPECT_THAT(f.remedy, HasSubstr("linux-image"));
}

TEST_F(VfioModulesTest, BlacklistedAndNotLoadedBlocksAndSaysWhereToLook) {
  vfioctl::testing::write_modprobe_conf(root, "no-vfio.conf", "blacklist vfio_pci\n");
  Finding f = check();
  EXPECT_EQ(f.severity, Severity::kBlock);
  EXPECT_THAT(f.summary, HasSubstr("blacklisted"));
  EXPECT_THAT(f.details, Contains("vfio_pci: available, blacklisted"));
  EXPECT_THAT(f.remedy, HasSubstr("modprobe.d"));
}

TEST_F(VfioModulesTest, BlacklistedButAlreadyLoadedIsNoBlock) {
  vfioctl::testing::write_modprobe_conf(root, "no-vfio.conf", "blacklist vfio_pci\n");
  sysfs.driver("vfio-pci", "vfio_pci");
  EXPECT_EQ(check().severity, Severity::kOk);
}

TEST_F(HostChecksTest, InterfacesReportIommufdAndTheDeviceCdev) {
  root.write("/dev/iommu", "");
  auto& nic = sysfs.pci("0000:01:00.0").vfio().vfio_dev(0).group(3);  // the fake writes vfio-dev/vfio0/dev (6.6+)
  sysfs.symlink("/sys/class/vfio-dev/vfio0", nic.sys_path() + "/vfio-dev/vfio0");
  HostRoot h = host();
  Session session(h);
  Finding f = check_vfio_interfaces(h, session.modules());
  EXPECT_EQ(f.severity, Severity::kInfo);
  EXPECT_THAT(f.summary, HasSubstr("iommufd available"));
  EXPECT_THAT(f.summary, HasSubstr("device cdev in use"));
}

// Before 6.6 (or without CONFIG_VFIO_DEVICE_CDEV) the vfio-dev class device has no dev_t.
TEST_F(HostChecksTest, VfioDevWithoutDevAttributeMeansNoCdev) {
  HostRoot h = host();
  root.mkdir("/sys/class/vfio-dev/vfio0");
  Session session(h);
  Finding f = check_vfio_interfaces(h, session.modules());
  EXPECT_THAT(f.summary, HasSubstr("no iommufd in this kernel"));
  EXPECT_THAT(f.summary, HasSubstr("CONFIG_VFIO_DEVICE_CDEV"));
}

TEST_F(HostChecksTest, DevVfioModesAndGroupNodes) {
  EXPECT_EQ(check_dev_vfio(host()).severity, Severity::kInfo);  // not there yet

  root.write("/dev/vfio/vfio", "");
  root.write("/dev/vfio/12", "");
  ASSERT_EQ(::chmod(root.at("/dev/vfio/vfio").c_str(), 0666), 0);
  ASSERT_EQ(::chmod(root.at("/dev/vfio/12").c_str(), 0600), 0);
  Finding ok = check_dev_vfio(host());
  EXPECT_EQ(ok.severity, Severity::kOk);
  EXPECT_THAT(ok.summary, HasSubstr("mode 0666"));
  ASSERT_EQ(ok.details.size(), 1u);
  EXPECT_THAT(ok.details[0], HasSubstr("/dev/vfio/12: uid "));
  EXPECT_THAT(ok.details[0], HasSubstr("mode 0600"));

  ASSERT_EQ(::chmod(root.at("/dev/vfio/vfio").c_str(), 0600), 0);
  Finding tight = check_dev_vfio(host());
  EXPECT_EQ(tight.severity, Severity::kWarn);
  EXPECT_THAT(tight.summary, HasSubstr("cannot open the VFIO container"));
  EXPECT_THAT(tight.remedy, Not(IsEmpty()));
}

}  // namespace
}  // namespace vfioctl
