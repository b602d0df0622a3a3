#include "bind/ownership.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using vfioctl::testing::TempRoot;

OwnershipRecord record(std::string bus, std::string name, std::optional<std::string> original_driver) {
  OwnershipRecord r;
  r.bus = std::move(bus);
  r.name = std::move(name);
  r.original = BindingState{std::move(original_driver), std::nullopt, true};
  r.driver = "vfio-pci";
  r.module = "vfio_pci";
  r.bound_at = "2026-11-22T04:00:00Z";
  return r;
}

std::vector<std::string> ids(std::vector<OwnershipRecord> records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.bus + "/" + r.name);
  std::sort(out.begin(), out.end());
  return out;
}

class OwnershipTest : public ::testing::Test {
 protected:
  TempRoot root;
  HostRoot host{root.path(), "6.1.0-test"};
  StateDir dir{host};
  OwnershipStore store{dir};
};

TEST_F(OwnershipTest, PutThenGetGivesBackEveryField) {
  OwnershipRecord r = record("pci", "0000:01:00.0", "nouveau");
  r.original.driver_override = "nouveau";
  r.owner = "qemu:kvm";
  std::string error;
  ASSERT_TRUE(store.put(r, &error)) << error;
  // The file a later release looks for: bound/<bus>/<device>.json under the state directory.
  EXPECT_TRUE(std::filesystem::is_regular_file(root.at("/run/vfioctl/bound/pci/0000:01:00.0.json")));

  auto got = store.get("pci", "0000:01:00.0");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->bus, "pci");
  EXPECT_EQ(got->name, "0000:01:00.0");
  EXPECT_EQ(got->original, r.original);
  EXPECT_EQ(got->driver, "vfio-pci");
  EXPECT_EQ(got->module, "vfio_pci");
  EXPECT_EQ(got->bound_at, "2026-11-22T04:00:00Z");
  EXPECT_EQ(got->owner, "qemu:kvm");
}

TEST_F(OwnershipTest, ARecordWithoutOwnerOrOriginalDriverKeepsThemUnset) {
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:02:00.1", std::nullopt), &error)) << error;
  auto got = store.get("pci", "0000:02:00.1");
  ASSERT_TRUE(got);
  EXPECT_FALSE(got->owner);
  EXPECT_FALSE(got->original.driver);
  EXPECT_TRUE(got->original.present);
}

TEST_F(OwnershipTest, GetOfAnUnrecordedDeviceIsNothing) {
  EXPECT_FALSE(store.get("pci", "0000:09:00.0"));
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.0", "e1000e"), &error)) << error;
  EXPECT_FALSE(store.get("pci", "0000:09:00.0"));
  EXPECT_FALSE(store.get("platform", "0000:01:00.0"));  // same name, other bus
}

TEST_F(OwnershipTest, ListsRecordsOfEveryBus) {
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.0", "nouveau"), &error)) << error;
  ASSERT_TRUE(store.put(record("pci", "0000:02:00.1", std::nullopt), &error)) << error;
  ASSERT_TRUE(store.put(record("platform", "fff51000.dma", "xilinx-zynqmp-dma"), &error)) << error;
  EXPECT_THAT(ids(store.list()), ElementsAre("pci/0000:01:00.0", "pci/0000:02:00.1", "platform/fff51000.dma"));
}

TEST_F(OwnershipTest, ListWithNoStateIsEmpty) { EXPECT_THAT(store.list(), IsEmpty()); }

TEST_F(OwnershipTest, PutReplacesTheRecordOfTheSameDevice) {
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.0", "nouveau"), &error)) << error;
  OwnershipRecord again = record("pci", "0000:01:00.0", "nvidia");
  again.driver = "nvgrace_gpu_vfio_pci";
  ASSERT_TRUE(store.put(again, &error)) << error;
  auto all = store.list();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].original.driver, "nvidia");
  EXPECT_EQ(all[0].driver, "nvgrace_gpu_vfio_pci");
}

TEST_F(OwnershipTest, RemoveForgetsOnlyThatDevice) {
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.0", "nouveau"), &error)) << error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.1", "snd_hda_intel"), &error)) << error;
  store.remove("pci", "0000:01:00.0");
  EXPECT_FALSE(store.get("pci", "0000:01:00.0"));
  EXPECT_TRUE(store.get("pci", "0000:01:00.1"));
  EXPECT_THAT(ids(store.list()), ElementsAre("pci/0000:01:00.1"));
  store.remove("pci", "0000:01:00.0");  // again: harmless
}

TEST_F(OwnershipTest, CorruptAndForeignFilesAreSkippedByList) {
  std::string error;
  ASSERT_TRUE(store.put(record("pci", "0000:01:00.0", "nouveau"), &error)) << error;
  root.write("/run/vfioctl/bound/pci/0000:03:00.0.json", "{\"version\": 1, \"bus\": \"pci\", \"na");  // cut short
  root.write("/run/vfioctl/bound/pci/0000:04:00.0.json", "{\"version\": 1, \"bus\": \"pci\"}");  // no original
  root.write("/run/vfioctl/bound/pci/0000:05:00.0.json", "[]");
  root.write("/run/vfioctl/bound/pci/notes.txt", "not a record");
  root.write("/run/vfioctl/bound/pci/.json", "{}");
  root.write("/run/vfioctl/bound/pci/0000:01:00.0.json.tmp.99", "left by a crash mid-write");
  EXPECT_THAT(ids(store.list()), ElementsAre("pci/0000:01:00.0"));
  EXPECT_FALSE(store.get("pci", "0000:03:00.0"));
  EXPECT_FALSE(store.get("pci", "0000:04:00.0"));
}

}  // namespace
}  // namespace vfioctl
