#include "host/host_root.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using testing::TempRoot;

std::string running_release() {
  struct utsname u {};
  EXPECT_EQ(uname(&u), 0);
  return u.release;
}

TEST(HostRootTest, LiveRootLeavesPathsAlone) {
  HostRoot host("/", "6.1.0-test");
  EXPECT_TRUE(host.is_live_system());
  EXPECT_EQ(host.path("/sys/bus/pci"), "/sys/bus/pci");
  EXPECT_EQ(host.sys("bus/pci/devices"), "/sys/bus/pci/devices");
}

TEST(HostRootTest, FixtureRootPrefixesEveryPathOnce) {
  TempRoot root;
  // Trailing slashes and "." components must not leak into the mapped paths.
  HostRoot host(root.path() + "/./", "6.1.0-test");
  EXPECT_FALSE(host.is_live_system());
  EXPECT_EQ(host.path("/sys/bus/pci"), root.path() + "/sys/bus/pci");
  EXPECT_EQ(host.sys("kernel/iommu_groups"), root.path() + "/sys/kernel/iommu_groups");
  EXPECT_EQ(host.path("/etc/modprobe.d"), root.path() + "/etc/modprobe.d");
}

TEST(HostRootTest, DefaultReleaseIsTheOnlyTreeUnderLibModules) {
  TempRoot root;
  root.mkdir("/lib/modules/6.12.0-fixture/kernel");
  HostRoot host(root.path());
  EXPECT_EQ(host.kernel_release(), "6.12.0-fixture");
  ASSERT_TRUE(host.modules_dir());
  EXPECT_EQ(*host.modules_dir(), root.path() + "/lib/modules/6.12.0-fixture");
}

TEST(HostRootTest, DefaultReleaseFindsAMergedUsrTree) {
  // Debian 14 and other merged-/usr systems without the /lib symlink keep trees in
  // /usr/lib/modules only.
  TempRoot root;
  root.mkdir("/usr/lib/modules/7.2.13+deb14-amd64");
  HostRoot host(root.path());
  EXPECT_EQ(host.kernel_release(), "7.2.13+deb14-amd64");
  ASSERT_TRUE(host.modules_dir());
  EXPECT_EQ(*host.modules_dir(), root.path() + "/usr/lib/modules/7.2.13+deb14-amd64");
}

TEST(HostRootTest, TheSameTreeInBothPlacesCountsOnceAndLibWins) {
  TempRoot root;
  root.mkdir("/lib/modules/6.1.0-50-amd64");
  root.mkdir("/usr/lib/modules/6.1.0-50-amd64");
  HostRoot host(root.path());
  EXPECT_EQ(host.kernel_release(), "6.1.0-50-amd64");
  EXPECT_EQ(*host.modules_dir(), root.path() + "/lib/modules/6.1.0-50-amd64");
}

TEST(HostRootTest, SeveralTreesFallBackToTheRunningKernel) {
  TempRoot root;
  root.mkdir("/lib/modules/6.1.0-50-amd64");
  root.mkdir("/usr/lib/modules/6.12.95+deb12-amd64");
  EXPECT_EQ(HostRoot(root.path()).kernel_release(), running_release());
}

TEST(HostRootTest, AFileIsNotAModuleTree) {
  TempRoot root;
  root.write("/lib/modules/README", "not a tree\n");
  root.mkdir("/lib/modules/6.12.0-only");
  EXPECT_EQ(HostRoot(root.path()).kernel_release(), "6.12.0-only");
}

TEST(HostRootTest, LiveRootUsesUname) {
  EXPECT_EQ(HostRoot::default_kernel_release("/"), running_release());
}

TEST(HostRootTest, ExplicitReleaseWinsOverTheOnlyTree) {
  TempRoot root;
  root.mkdir("/lib/modules/6.12.0-a");
  root.mkdir("/usr/lib/modules/6.12.0-b");
  HostRoot host(root.path(), "6.12.0-b");
  EXPECT_EQ(host.kernel_release(), "6.12.0-b");
  EXPECT_EQ(*host.modules_dir(), root.path() + "/usr/lib/modules/6.12.0-b");
}

TEST(HostRootTest, NoTreeForTheReleaseMeansNoModulesDir) {
  TempRoot root;
  root.mkdir("/lib/modules/6.12.0-a");
  HostRoot host(root.path(), "6.99.0-absent");
  EXPECT_EQ(host.kernel_release(), "6.99.0-absent");
  EXPECT_FALSE(host.modules_dir());
}

}  // namespace
}  // namespace vfioctl
