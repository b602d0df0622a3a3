// `vfioctl policy` end to end on a fake root: report, --write, idempotence, removal when a rule
// starts needing the module, a file vfioctl did not write, bad configuration.
#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::run_cli_captured;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-policy";
constexpr const char* kFile = "/etc/modprobe.d/vfioctl-autoload.conf";

class PolicyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sysfs.pci("0000:01:00.0").ids(0x15b3, 0x101e).cls(0x020000).group(1);
    sysfs.write();
    ModuleTree tree(root, kRelease);
    tree.add_synthetic(vfioctl::testing::generic_vfio_pci());
    // SYNTHETIC: a vfio module with an alias uevents carry (see autoload_policy_test.cc).
    tree.add_synthetic(SyntheticModule{"vfio_ccw", {"css:t0"}, "kernel/drivers/s390/cio/vfio_ccw.ko"});
  }
  CliRun policy(std::vector<std::string> extra) {
    std::vector<std::string> args{"--root", root.path(), "--kernel-release", kRelease};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli_captured(args);
  }
  bool file_exists() const {
    struct stat st{};
    return ::stat(root.at(kFile).c_str(), &st) == 0;
  }

  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(PolicyCommandTest, ReportOnlyWritesNothing) {
  CliRun r = policy({"policy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("vfio_ccw"));
  EXPECT_THAT(r.out, HasSubstr("blacklisted: would autoload for hardware, no rule needs it"));
  EXPECT_THAT(r.out, HasSubstr("run 'vfioctl policy --write'"));
  EXPECT_FALSE(file_exists());
}

TEST_F(PolicyCommandTest, WriteIsIdempotentAndReadableByModprobe) {
  CliRun first = policy({"--json", "policy", "--write"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  json doc = json::parse(first.out);
  EXPECT_EQ(doc["written"], true);
  EXPECT_EQ(doc["blocked"], json::array({"vfio_ccw"}));
  EXPECT_THAT(root.read(kFile), HasSubstr("\nblacklist vfio_ccw\n"));
  struct stat st{};
  ASSERT_EQ(::stat(root.at(kFile).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0444, 0444u) << "modprobe.d files are world-readable";

  CliRun second = policy({"policy", "--write"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.out, HasSubstr("nothing to do"));
  CliRun js = policy({"--json", "policy", "--write"});
  EXPECT_EQ(json::parse(js.out)["changed"], false);
}

TEST_F(PolicyCommandTest, TheFileGoesAwayWhenNothingIsLeftToBlock) {
  ASSERT_EQ(policy({"policy", "--write"}).exit_code, 0);
  ASSERT_TRUE(file_exists());
  ModuleTree tree(root, kRelease);
  tree.write("modules.alias", "alias vfio_pci:v*d*sv*sd*bc*sc*i* vfio_pci\n");  // vfio_ccw's alias gone
  CliRun r = policy({"policy", "--write"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(file_exists());
  EXPECT_THAT(r.out, HasSubstr("nothing to block; removed"));
}

TEST_F(PolicyCommandTest, AFileVfioctlDidNotWriteIsLeftAlone) {
  root.write(kFile, "blacklist something_else\n");
  CliRun r = policy({"policy", "--write"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("vfioctl did not write it"));
  EXPECT_EQ(root.read(kFile), "blacklist something_else\n");
}

TEST_F(PolicyCommandTest, DoctorWarnsUntilThePolicyIsWritten) {
  auto autoload = [&] {
    CliRun r = policy({"--json", "doctor"});
    const json doc = json::parse(r.out);
    for (const auto& f : doc["findings"]) {
      if (f["check"] == "autoload") return f;
    }
    return json();
  };
  json before = autoload();
  EXPECT_EQ(before["severity"], "warning") << before.dump();
  EXPECT_EQ(before["remedy"], "vfioctl policy --write");
  EXPECT_EQ(before["details"], json::array({"vfio_ccw: autoloads for hardware, no rule needs it"}));
  ASSERT_EQ(policy({"policy", "--write"}).exit_code, 0);
  EXPECT_EQ(autoload()["severity"], "ok");
}

TEST_F(PolicyCommandTest, BadConfigurationIsExitTwoAndWritesNothing) {
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddres = \"0000:01:00.0\"\n");
  CliRun r = policy({"policy", "--write"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/etc/vfioctl/vfioctl.toml:2"));
  EXPECT_FALSE(file_exists());
}

}  // namespace
}  // namespace vfioctl
