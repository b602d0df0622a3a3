// `vfioctl doctor` end to end (run_cli on fake hosts): the JSON shape, the order of the checks,
// the exit status scripts gate on, and the table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::run_cli_captured;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-healthy";

// A host ready for assignment: VT-d on with interrupt remapping, the vfio modules installed, one
// NIC on vfio-pci that vfioctl bound, alone in its group; /dev/vfio as Debian's udev leaves it.
void build_healthy_host(TempRoot& root, FakeSysfs& sysfs) {
  sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport").group(2);
  sysfs.pci("0000:02:00.0").behind("0000:00:1c.0").ids(0x8086, 0x10d3).cls(0x020000).vfio().group(3);
  sysfs.pci("0000:03:00.0").ids(0x144d, 0xa808).cls(0x010802).driver("nvme", "nvme").group(4);
  sysfs.symlink("/sys/class/iommu/dmar0", "/sys/devices/virtual/iommu/dmar0");
  sysfs.write();
  root.write("/proc/interrupts", " 124:  4411  IR-PCI-MSI-0000:03:00.0    0-edge      nvme0q0\n");
  root.write("/proc/cpuinfo", "vendor_id\t: GenuineIntel\n");
  root.write("/dev/vfio/vfio", "");
  ::chmod(root.at("/dev/vfio/vfio").c_str(), 0666);
  ModuleTree tree(root, kRelease);
  tree.add_synthetic(vfioctl::testing::generic_vfio_pci());
  for (const char* m : {"vfio", "vfio_iommu_type1", "vfio_pci_core"}) {
    tree.add_synthetic(SyntheticModule{m, {}, std::string("kernel/drivers/vfio/") + m + ".ko"});
  }
  tree.add_synthetic(SyntheticModule{"nvme", {}, "kernel/drivers/nvme/host/nvme.ko"});
}

CliRun doctor(const TempRoot& root, const std::string& release, bool as_json) {
  std::vector<std::string> args{"--root", root.path(), "--kernel-release", release};
  if (as_json) args.push_back("--json");
  args.push_back("doctor");
  return run_cli_captured(args);
}

std::vector<std::string> checks_of(const json& doc) {
  std::vector<std::string> out;
  for (const auto& f : doc["findings"]) out.push_back(f["check"]);
  return out;
}

const json& finding(const json& doc, const std::string& check) {
  for (const auto& f : doc["findings"]) {
    if (f["check"] == check) return f;
  }
  static const json none;
  ADD_FAILURE() << "no finding " << check;
  return none;
}

TEST(DoctorCommandTest, HealthyHostExitsZeroWithEveryCheckInFixingOrder) {
  TempRoot root;
  FakeSysfs sysfs{root};
  build_healthy_host(root, sysfs);
  CliRun run = doctor(root, kRelease, true);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  json doc = json::parse(run.out);
  EXPECT_EQ(doc["blocking"], false);
  EXPECT_THAT(checks_of(doc), ElementsAre("iommu", "interrupt-remapping", "noiommu", "vfio-modules", "vfio-interfaces",
                                          "dev-vfio", "autoload", "groups", "builtin-host-drivers", "overrides", "stranded", "journal"));
  for (const auto& f : doc["findings"]) {
    SCOPED_TRACE(f.dump());
    EXPECT_TRUE(f["summary"].is_string());
    EXPECT_TRUE(f["details"].is_array());
    EXPECT_TRUE(f["remedy"].is_null() || f["remedy"].is_string());
    const std::string severity = f["severity"];
    EXPECT_TRUE(severity == "ok" || severity == "info") << severity;
  }
}

TEST(DoctorCommandTest, HealthyHostTableEndsWithTheVerdict) {
  TempRoot root;
  FakeSysfs sysfs{root};
  build_healthy_host(root, sysfs);
  CliRun run = doctor(root, kRelease, false);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("ok    iommu: IOMMU enabled: 3 IOMMU groups\n"));  // padded to the widest label shown, "info"
  EXPECT_THAT(run.out, HasSubstr("\nNothing blocks device assignment.\n"));
  EXPECT_THAT(run.out, Not(HasSubstr("\033[")));  // not a terminal: no colour
}

TEST(DoctorCommandTest, BlockingFindingExitsOneAndShowsTheFix) {
  TempRoot root;
  FakeSysfs sysfs{root};
  vfioctl::testing::build_workstation(sysfs);  // group 1 is not viable
  CliRun run = doctor(root, vfioctl::testing::kWorkstationRelease, false);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_THAT(run.out, HasSubstr("blocking  groups: 1 IOMMU group(s) hold a vfio device but are not viable"));
  EXPECT_THAT(run.out, HasSubstr("fix: bind the blocking devices too"));
  EXPECT_THAT(run.out, HasSubstr("\nSomething blocks device assignment"));

  CliRun js = doctor(root, vfioctl::testing::kWorkstationRelease, true);
  EXPECT_EQ(js.exit_code, 1);
  json doc = json::parse(js.out);
  EXPECT_EQ(doc["blocking"], true);
  EXPECT_EQ(finding(doc, "groups")["severity"], "blocking");
  EXPECT_EQ(finding(doc, "overrides")["severity"], "warning");
}

TEST(DoctorCommandTest, DoctorWritesNothing) {
  TempRoot root;
  FakeSysfs sysfs{root};
  vfioctl::testing::build_workstation(sysfs);
  doctor(root, vfioctl::testing::kWorkstationRelease, true);
  struct stat st{};
  EXPECT_NE(::stat(root.at("/run/vfioctl").c_str(), &st), 0) << "doctor created vfioctl's state directory";
}

}  // namespace
}  // namespace vfioctl
