#include "safety/vfio_users.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using vfioctl::testing::TempRoot;

auto user(int pid, const std::string& command, const std::string& node) {
  return AllOf(Field(&VfioUser::pid, pid), Field(&VfioUser::command, command), Field(&VfioUser::node, node));
}

// /proc/<pid>/fd/<n> are links whose text is the opened file's path in the opener's namespace
// (fs/proc/fd.c proc_fd_link -> d_path), "pipe:[N]"/"socket:[N]" for anonymous files, and
// /proc/<pid>/comm is the task name truncated to 15 bytes plus a newline (fs/proc/base.c
// comm_show). The link texts are host paths: under a --root they still say /dev/vfio/12.
class VfioUsersTest : public ::testing::Test {
 protected:
  void process(int pid, const std::string& comm, const std::vector<std::pair<int, std::string>>& fds) {
    std::string dir = "/proc/" + std::to_string(pid);
    root.write(dir + "/comm", comm + "\n");
    root.mkdir(dir + "/fd");
    for (const auto& [fd, target] : fds) root.symlink(dir + "/fd/" + std::to_string(fd), target);
  }

  std::vector<VfioUser> users(std::optional<int> group, std::optional<std::string> vfio_dev = std::nullopt) {
    HostRoot host(root.path(), "6.1.0-test");
    return vfio_users(host, group, vfio_dev);
  }

  TempRoot root;
};

TEST_F(VfioUsersTest, FindsTheProcessHoldingTheGroupAndTheDeviceNode) {
  process(4242, "qemu-system-x86",
          {{0, "/dev/null"}, {1, "pipe:[31337]"}, {3, "/dev/vfio/vfio"}, {20, "/dev/vfio/12"},
           {21, "/dev/vfio/devices/vfio0"}, {22, "anon_inode:[vfio-device]"}});
  process(1, "systemd", {{0, "/dev/null"}, {7, "socket:[1234]"}});
  EXPECT_THAT(users(12, std::string("vfio0")),
              UnorderedElementsAre(user(4242, "qemu-system-x86", "/dev/vfio/12"),
                                   user(4242, "qemu-system-x86", "/dev/vfio/devices/vfio0")));
}

TEST_F(VfioUsersTest, FindsANoIommuGroupNode) {
  process(777, "dpdk-testpmd", {{5, "/dev/vfio/noiommu-3"}});
  EXPECT_THAT(users(3), UnorderedElementsAre(user(777, "dpdk-testpmd", "/dev/vfio/noiommu-3")));
}

TEST_F(VfioUsersTest, OtherGroupsAndLookAlikeNodesAreIgnored) {
  process(100, "qemu-a", {{10, "/dev/vfio/13"}, {11, "/dev/vfio/120"}, {12, "/dev/vfio/1"}});
  process(101, "qemu-b", {{10, "/dev/vfio/devices/vfio01"}, {11, "/dev/vfio/devices/vfio1"}});
  process(102, "cat", {{3, "/tmp/dev/vfio/12"}, {4, "/dev/vfio/12 (deleted)"}});
  EXPECT_THAT(users(12, std::string("vfio0")), IsEmpty());
}

TEST_F(VfioUsersTest, NonNumericProcEntriesAreIgnored) {
  // /proc/self and /proc/thread-self are links to the reader's own entry; they and anything else
  // that is not a pid must not produce users (or duplicates of them).
  root.write("/proc/self/comm", "vfioctl\n");
  root.symlink("/proc/self/fd/9", "/dev/vfio/12");
  root.symlink("/proc/1x/fd/9", "/dev/vfio/12");
  root.write("/proc/net/route", "");
  process(5, "qemu", {{9, "/dev/vfio/12"}});
  EXPECT_THAT(users(12), UnorderedElementsAre(user(5, "qemu", "/dev/vfio/12")));
}

TEST_F(VfioUsersTest, EveryProcessHoldingTheNodeIsListed) {
  process(10, "qemu", {{9, "/dev/vfio/12"}});
  process(11, "qemu", {{9, "/dev/vfio/12"}});
  EXPECT_THAT(users(12), UnorderedElementsAre(user(10, "qemu", "/dev/vfio/12"), user(11, "qemu", "/dev/vfio/12")));
}

TEST_F(VfioUsersTest, AProcessWithoutCommIsStillReported) {
  // A process can exit between listing /proc and reading its comm.
  root.symlink("/proc/33/fd/4", "/dev/vfio/12");
  EXPECT_THAT(users(12), UnorderedElementsAre(user(33, "?", "/dev/vfio/12")));
}

TEST_F(VfioUsersTest, ProcessesWhoseFdsCannotBeListedAreSkipped) {
  root.write("/proc/66/comm", "kthreadd\n");  // no fd directory, as for a kernel thread we cannot read
  process(67, "qemu", {{9, "/dev/vfio/12"}});
  EXPECT_THAT(users(12), UnorderedElementsAre(user(67, "qemu", "/dev/vfio/12")));
}

TEST_F(VfioUsersTest, NothingToLookForFindsNothing) {
  process(4242, "qemu-system-x86", {{20, "/dev/vfio/12"}});
  EXPECT_THAT(users(std::nullopt), IsEmpty());
}

TEST_F(VfioUsersTest, TheDeviceNodeAloneIsLookedForWithoutAGroup) {
  // iommufd-only use: the cdev, no group node (Linux 6.6+, VFIO_DEVICE_CDEV).
  process(4242, "qemu-system-x86", {{20, "/dev/vfio/devices/vfio2"}, {21, "/dev/iommu"}});
  EXPECT_THAT(users(std::nullopt, std::string("vfio2")),
              UnorderedElementsAre(user(4242, "qemu-system-x86", "/dev/vfio/devices/vfio2")));
}

}  // namespace
}  // namespace vfioctl
