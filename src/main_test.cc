// The real binary, once: main() wires stdout, stderr and the exit status to run_cli(). Run with
// a fixed argv through posix_spawn (support/run_program.h), no shell.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fake_sysfs.h"
#include "support/run_program.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

TEST(MainBinaryTest, StatusJsonThroughTheRealBinary) {
  ASSERT_TRUE(testing::is_executable(VFIOCTL_BINARY)) << VFIOCTL_BINARY;
  testing::TempRoot root;
  testing::FakeSysfs sysfs(root);
  testing::build_workstation(sysfs);

  auto ok = testing::run_program({VFIOCTL_BINARY, "--root", root.path(), "status", "--json", "02:00.1"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  nlohmann::json doc = nlohmann::json::parse(ok.out);
  ASSERT_EQ(doc["devices"].size(), 1u);
  EXPECT_EQ(doc["devices"][0]["address"], "0000:02:00.1");
  EXPECT_EQ(doc["devices"][0]["vfio_driver"]["module"], "mlx5_vfio_pci");

  auto bad = testing::run_program({VFIOCTL_BINARY, "--root", root.path(), "status", "0000:0a:00.0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("0000:0a:00.0"));
  EXPECT_TRUE(bad.out.empty());
}

}  // namespace
}  // namespace vfioctl
