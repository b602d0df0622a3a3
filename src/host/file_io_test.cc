#include "host/file_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "support/temp_root.h"

namespace vfioctl {
namespace {

using testing::TempRoot;

TEST(FileIoTest, ReadAttrRemovesExactlyOneTrailingNewline) {
  TempRoot root;
  root.write("/d/one", "0x8086\n");
  root.write("/d/two", "text\n\n");
  Dir dir = Dir::open(root.at("/d"));
  ASSERT_TRUE(dir.valid());
  EXPECT_EQ(read_attr(dir, "one").value, "0x8086");
  EXPECT_EQ(read_attr(dir, "two").value, "text\n");
}

TEST(FileIoTest, AbsentAttributeIsMissingNotAnError) {
  TempRoot root;
  root.mkdir("/d");
  Dir dir = Dir::open(root.at("/d"));
  ReadResult r = read_attr(dir, "modalias");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.missing());
  EXPECT_EQ(r.error, ENOENT);
}

TEST(FileIoTest, ADirectoryInPlaceOfAnAttributeIsAnIoError) {
  TempRoot root;
  root.mkdir("/d/modalias");
  Dir dir = Dir::open(root.at("/d"));
  ReadResult r = read_attr(dir, "modalias");
  EXPECT_EQ(r.error, EISDIR);
  EXPECT_FALSE(r.missing());
  EXPECT_TRUE(r.value.empty());
}

TEST(FileIoTest, LinksReadRawAndDanglingOnesStillExist) {
  TempRoot root;
  root.symlink("/d/driver", "../../../bus/pci/drivers/vfio-pci");
  Dir dir = Dir::open(root.at("/d"));
  EXPECT_EQ(read_link(dir, "driver").value, "../../../bus/pci/drivers/vfio-pci");
  EXPECT_TRUE(has_entry(dir, "driver"));
  EXPECT_FALSE(has_entry(dir, "physfn"));
  EXPECT_EQ(read_link(dir, "physfn").error, ENOENT);
}

TEST(FileIoTest, ListDirSkipsDotsAndReportsErrors) {
  TempRoot root;
  root.write("/d/a", "");
  root.mkdir("/d/b");
  auto names = list_dir(root.at("/d"));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b"}));
  int error = 0;
  EXPECT_TRUE(list_dir(root.at("/absent"), &error).empty());
  EXPECT_EQ(error, ENOENT);
  Dir dir = Dir::open(root.at("/d"));
  EXPECT_TRUE(list_dir_at(dir, "a", &error).empty());
  EXPECT_EQ(error, ENOTDIR);
}

TEST(FileIoTest, LastComponentOfLinkText) {
  EXPECT_EQ(last_component("../../../bus/pci/drivers/vfio-pci"), "vfio-pci");
  EXPECT_EQ(last_component("../../../kernel/iommu_groups/12/"), "12");
  EXPECT_EQ(last_component("plain"), "plain");
}

}  // namespace
}  // namespace vfioctl
