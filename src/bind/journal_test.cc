#include "bind/journal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::HasSubstr;
using vfioctl::testing::TempRoot;

class JournalTest : public ::testing::Test {
 protected:
  JournalTest() {
    std::string error;
    EXPECT_TRUE(dir.ensure(&error)) << error;
  }

  static Journal vfs_journal() {
    Journal j;
    j.operation = "vfs";
    j.pid = 4242;
    j.started = "2026-11-22T04:00:00Z";
    j.devices.push_back(JournalDevice{"pci", "0000:02:00.1", BindingState{std::nullopt, std::nullopt, true}});
    j.devices.push_back(JournalDevice{"pci", "0000:02:00.2", BindingState{"mlx5_core", "mlx5_core", true}});
    j.devices.push_back(JournalDevice{"platform", "fff51000.dma", BindingState{std::nullopt, std::nullopt, false}});
    j.sriov_pf = "0000:02:00.0";
    j.sriov_autoprobe = 1;
    j.sriov_numvfs = 0;
    return j;
  }

  TempRoot root;
  HostRoot host{root.path(), "6.1.0-test"};
  StateDir dir{host};
  JournalStore store{dir};
};

TEST_F(JournalTest, LivesInTheStateDirectory) { EXPECT_EQ(store.path(), root.at("/run/vfioctl/journal.json")); }

TEST_F(JournalTest, RoundTripsEveryFieldIncludingTheSriovBlock) {
  std::string error;
  Journal written = vfs_journal();
  ASSERT_TRUE(store.write(written, &error)) << error;
  auto read = store.read(&error);
  ASSERT_TRUE(read) << error;
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(read->operation, "vfs");
  EXPECT_EQ(read->pid, 4242);
  EXPECT_EQ(read->started, "2026-11-22T04:00:00Z");
  ASSERT_EQ(read->devices.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(read->devices[i].bus, written.devices[i].bus);
    EXPECT_EQ(read->devices[i].name, written.devices[i].name);
    EXPECT_EQ(read->devices[i].original, written.devices[i].original) << read->devices[i].original.describe();
  }
  EXPECT_EQ(read->sriov_pf, "0000:02:00.0");
  EXPECT_EQ(read->sriov_autoprobe, 1);
  EXPECT_EQ(read->sriov_numvfs, 0);  // a recorded 0 is not "unknown"
}

TEST_F(JournalTest, AJournalWithoutSriovReadsBackWithoutIt) {
  Journal j;
  j.operation = "bind";
  j.pid = 7;
  j.devices.push_back(JournalDevice{"pci", "0000:01:00.0", BindingState{"nouveau", std::nullopt, true}});
  std::string error;
  ASSERT_TRUE(store.write(j, &error)) << error;
  auto read = store.read(&error);
  ASSERT_TRUE(read) << error;
  EXPECT_FALSE(read->sriov_pf);
  EXPECT_FALSE(read->sriov_autoprobe);
  EXPECT_FALSE(read->sriov_numvfs);
  ASSERT_EQ(read->devices.size(), 1u);
  EXPECT_EQ(read->devices[0].original.driver, "nouveau");
}

TEST_F(JournalTest, SriovValuesNotKnownAtWriteTimeStayUnknown) {
  Journal j = vfs_journal();
  j.sriov_autoprobe.reset();
  j.sriov_numvfs.reset();
  std::string error;
  ASSERT_TRUE(store.write(j, &error)) << error;
  auto read = store.read(&error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(read->sriov_pf, "0000:02:00.0");
  EXPECT_FALSE(read->sriov_autoprobe);
  EXPECT_FALSE(read->sriov_numvfs);
}

TEST_F(JournalTest, NoJournalIsNotAnError) {
  std::string error;
  EXPECT_FALSE(store.read(&error));
  EXPECT_EQ(error, "");
}

TEST_F(JournalTest, NoStateDirectoryIsNotAnErrorEither) {
  std::filesystem::remove_all(dir.path());
  std::string error;
  EXPECT_FALSE(store.read(&error));
  EXPECT_EQ(error, "");
}

TEST_F(JournalTest, ACorruptJournalIsAnErrorNamingThePath) {
  for (const char* text : {"{\"version\": 1, \"operation\": \"bind\", \"devi", "", "[1, 2]", "{\"version\": 1}",
                           "{\"version\": 1, \"devices\": {}}"}) {
    root.write("/run/vfioctl/journal.json", text);
    std::string error;
    EXPECT_FALSE(store.read(&error)) << text;
    EXPECT_THAT(error, HasSubstr(store.path())) << text;
  }
}

TEST_F(JournalTest, RoundTripsApMaskEdits) {
  Journal written;
  written.operation = "release";
  written.devices.push_back(JournalDevice{"ap", "05.0004", BindingState{"vfio_ap", std::nullopt, true}});
  written.ap_edits = {JournalApEdit{"apmask", {5, 6}, false}, JournalApEdit{"aqmask", {4}, true}};
  std::string error;
  ASSERT_TRUE(store.write(written, &error)) << error;
  auto read = store.read(&error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(read->ap_edits, written.ap_edits);
  EXPECT_EQ(read->devices[0].bus, "ap");
}

// recover writes what the journal says to /sys/bus/ap/<mask>: anything but the two masks and
// bits 0..255 makes the journal unusable, named, rather than half applied.
TEST_F(JournalTest, ApMaskEntriesThatRecoverCouldNotWriteSafelyMakeItUnusable) {
  for (const char* edits : {R"("x")", R"([{"mask": "../../../etc/passwd", "bits": [1], "cleared": true}])",
                            R"([{"mask": "apmask", "bits": [256], "cleared": true}])",
                            R"([{"mask": "apmask", "bits": [-1], "cleared": true}])",
                            R"([{"mask": "apmask", "bits": [], "cleared": true}])",
                            R"([{"mask": "apmask", "bits": ["5"], "cleared": true}])",
                            R"([{"mask": "aqmask", "bits": [5]}])"}) {
    root.write("/run/vfioctl/journal.json",
               std::string(R"({"version": 1, "operation": "bind", "devices": [], "ap_masks": )") + edits + "}");
    std::string error;
    EXPECT_FALSE(store.read(&error)) << edits;
    EXPECT_THAT(error, HasSubstr("AP mask entries are not valid")) << edits;
  }
}

TEST_F(JournalTest, AJournalOfAnotherVersionIsAnError) {
  root.write("/run/vfioctl/journal.json", R"({"version": 2, "operation": "bind", "devices": []})");
  std::string error;
  EXPECT_FALSE(store.read(&error));
  EXPECT_THAT(error, HasSubstr(store.path()));
  EXPECT_THAT(error, HasSubstr("version 1"));
}

TEST_F(JournalTest, AnUnreadableJournalIsAnErrorWithTheReason) {
  root.mkdir("/run/vfioctl/journal.json");  // read() gives EISDIR
  std::string error;
  EXPECT_FALSE(store.read(&error));
  EXPECT_THAT(error, HasSubstr(store.path()));
  EXPECT_THAT(error, HasSubstr("directory"));
}

TEST_F(JournalTest, RemoveDeletesItAndToleratesItsAbsence) {
  std::string error;
  ASSERT_TRUE(store.write(vfs_journal(), &error)) << error;
  store.remove();
  EXPECT_FALSE(std::filesystem::exists(store.path()));
  EXPECT_FALSE(store.read(&error));
  EXPECT_EQ(error, "");
  store.remove();  // a second remove is harmless
}

TEST_F(JournalTest, AWriteReplacesThePreviousJournal) {
  std::string error;
  ASSERT_TRUE(store.write(vfs_journal(), &error)) << error;
  Journal j;
  j.operation = "release";
  ASSERT_TRUE(store.write(j, &error)) << error;
  auto read = store.read(&error);
  ASSERT_TRUE(read) << error;
  EXPECT_EQ(read->operation, "release");
  EXPECT_TRUE(read->devices.empty());
  EXPECT_FALSE(read->sriov_pf);
}

// Checked by hand: std::regex trips g++ 12's -Wmaybe-uninitialized under the sanitizers.
TEST(UtcNow, IsIso8601InUtc) {
  std::string now = utc_now_iso8601();
  const std::string shape = "dddd-dd-ddTdd:dd:ddZ";
  ASSERT_EQ(now.size(), shape.size()) << now;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd') {
      EXPECT_TRUE(now[i] >= '0' && now[i] <= '9') << now;
    } else {
      EXPECT_EQ(now[i], shape[i]) << now;
    }
  }
}

}  // namespace
}  // namespace vfioctl
