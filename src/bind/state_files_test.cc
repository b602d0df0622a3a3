#include "bind/state_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "host/file_io.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using vfioctl::testing::TempRoot;

std::vector<std::string> sorted_entries(const std::string& dir) {
  auto v = list_dir(dir);
  std::sort(v.begin(), v.end());
  return v;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST(WriteFileAtomically, CreatesAndThenReplacesTheWholeContentLeavingNoTemporaryFile) {
  TempRoot root;
  std::string path = root.at("/state.json");
  std::string error;
  ASSERT_TRUE(write_file_atomically(path, "a much longer first version\n", &error)) << error;
  ASSERT_TRUE(write_file_atomically(path, "short\n", &error)) << error;
  EXPECT_EQ(root.read("/state.json"), "short\n");  // nothing of the longer first version remains
  EXPECT_THAT(sorted_entries(root.path()), ElementsAre("state.json"));
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST(WriteFileAtomically, FailsWithTheReasonWhenTheDirectoryIsMissing) {
  TempRoot root;
  std::string path = root.at("/missing/state.json");
  std::string error;
  EXPECT_FALSE(write_file_atomically(path, "x", &error));
  EXPECT_THAT(error, HasSubstr(path));
  EXPECT_THAT(error, HasSubstr("No such file or directory"));
}

TEST(WriteFileAtomically, FailsWhenTheTemporaryFileCannotBeCreated) {
  // A regular file where the directory should be: open() of the temporary file gives ENOTDIR,
  // even for root (a read-only directory would not stop root, and CI runs as root).
  TempRoot root;
  root.write("/ro", "not a directory");
  std::string error;
  EXPECT_FALSE(write_file_atomically(root.at("/ro/state.json"), "x", &error));
  EXPECT_THAT(error, HasSubstr("Not a directory"));
  EXPECT_EQ(root.read("/ro"), "not a directory");
}

TEST(WriteFileAtomically, AFailedRenameKeepsTheOldTargetAndRemovesTheTemporaryFile) {
  TempRoot root;
  root.mkdir("/target.json");  // a directory where the file should go: rename() gives EISDIR
  std::string error;
  EXPECT_FALSE(write_file_atomically(root.at("/target.json"), "x", &error));
  EXPECT_THAT(error, HasSubstr(root.at("/target.json") + ": "));
  EXPECT_THAT(sorted_entries(root.path()), ElementsAre("target.json"));
  EXPECT_TRUE(std::filesystem::is_directory(root.at("/target.json")));
}

TEST(StateDir, LivesUnderRunVfioctlOfTheRoot) {
  TempRoot root;
  StateDir dir(HostRoot(root.path(), "6.1.0-test"));
  EXPECT_EQ(dir.path(), root.at("/run/vfioctl"));
  EXPECT_EQ(dir.file("journal.json"), root.at("/run/vfioctl/journal.json"));
}

TEST(StateDir, EnsureCreatesTheDirectoryPrivate) {
  TempRoot root;
  StateDir dir(HostRoot(root.path(), "6.1.0-test"));
  std::string error;
  ASSERT_TRUE(dir.ensure(&error)) << error;
  EXPECT_TRUE(std::filesystem::is_directory(dir.path()));
  EXPECT_EQ(mode_of(dir.path()), 0700u);
}

TEST(StateDir, EnsureTightensAnExistingDirectory) {
  TempRoot root;
  root.mkdir("/run/vfioctl");
  ::chmod(root.at("/run/vfioctl").c_str(), 0755);
  StateDir dir(HostRoot(root.path(), "6.1.0-test"));
  std::string error;
  ASSERT_TRUE(dir.ensure(&error)) << error;
  EXPECT_EQ(mode_of(dir.path()), 0700u);
}

TEST(StateDir, EnsureReportsWhatBlocksIt) {
  TempRoot root;
  root.write("/run", "a file where a directory should be");
  StateDir dir(HostRoot(root.path(), "6.1.0-test"));
  std::string error;
  EXPECT_FALSE(dir.ensure(&error));
  EXPECT_THAT(error, HasSubstr(root.at("/run/vfioctl")));
}

// flock() locks belong to the open file description (flock(2): descriptors from separate
// open() calls of one file are locked independently, even within one process), so a second
// RunLock in this process conflicts with the first just as another vfioctl would. That lets the
// waiting path run in-process; wait_seconds 0 keeps it from sleeping.
class RunLockTest : public ::testing::Test {
 protected:
  TempRoot root;
  HostRoot host{root.path(), "6.1.0-test"};
  StateDir dir{host};
};

TEST_F(RunLockTest, AcquireWritesThePidIntoTheLockFile) {
  RunLock lock;
  std::string error;
  ASSERT_TRUE(lock.acquire(dir, 0, &error)) << error;
  EXPECT_EQ(root.read("/run/vfioctl/lock"), std::to_string(::getpid()));
  EXPECT_EQ(mode_of(root.at("/run/vfioctl/lock")), 0600u);
}

TEST_F(RunLockTest, ASecondHolderTimesOutNamingTheFirstHoldersPid) {
  RunLock first;
  std::string error;
  ASSERT_TRUE(first.acquire(dir, 0, &error)) << error;

  RunLock second;
  std::vector<std::string> told;
  EXPECT_FALSE(second.acquire(dir, 0, &error, [&](const std::string& holder) { told.push_back(holder); }));
  EXPECT_THAT(told, ElementsAre(std::to_string(::getpid())));  // told once, with the holder's pid
  EXPECT_THAT(error, HasSubstr("pid " + std::to_string(::getpid())));
  EXPECT_THAT(error, HasSubstr(dir.file("lock")));
}

TEST_F(RunLockTest, WithoutAWaitCallbackTheTimeoutStillReports) {
  RunLock first;
  std::string error;
  ASSERT_TRUE(first.acquire(dir, 0, &error)) << error;
  RunLock second;
  EXPECT_FALSE(second.acquire(dir, 0, &error));
  EXPECT_THAT(error, HasSubstr("another vfioctl"));
}

TEST_F(RunLockTest, ReleaseLetsTheNextOneIn) {
  RunLock first;
  std::string error;
  ASSERT_TRUE(first.acquire(dir, 0, &error)) << error;
  first.release();
  RunLock second;
  bool waited = false;
  EXPECT_TRUE(second.acquire(dir, 0, &error, [&](const std::string&) { waited = true; })) << error;
  EXPECT_FALSE(waited);
}

TEST_F(RunLockTest, TheDestructorReleases) {
  std::string error;
  {
    RunLock first;
    ASSERT_TRUE(first.acquire(dir, 0, &error)) << error;
  }
  RunLock second;
  EXPECT_TRUE(second.acquire(dir, 0, &error)) << error;
}

TEST_F(RunLockTest, AFailedAcquireHoldsNothing) {
  RunLock first;
  std::string error;
  ASSERT_TRUE(first.acquire(dir, 0, &error)) << error;
  RunLock second;
  ASSERT_FALSE(second.acquire(dir, 0, &error));
  first.release();
  // Had the failed attempt kept its descriptor locked or open, a third could not get in.
  RunLock third;
  EXPECT_TRUE(third.acquire(dir, 0, &error)) << error;
}

TEST_F(RunLockTest, AcquireFailsWhenTheStateDirectoryCannotBeMade) {
  root.write("/run", "not a directory");
  RunLock lock;
  std::string error;
  EXPECT_FALSE(lock.acquire(dir, 0, &error));
  EXPECT_THAT(error, HasSubstr("/run/vfioctl"));
}

}  // namespace
}  // namespace vfioctl
