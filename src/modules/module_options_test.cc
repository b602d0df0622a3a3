#include "modules/module_options.h"

#include <gtest/gtest.h>

namespace vfioctl {
namespace {

TEST(BoolOption, ReadsTheKernelsBoolSpellings) {
  EXPECT_EQ(bool_option("", "reset_required"), std::nullopt);
  EXPECT_EQ(bool_option("foo=1", "reset_required"), std::nullopt);
  EXPECT_EQ(bool_option("reset_required_x=0", "reset_required"), std::nullopt);
  EXPECT_EQ(bool_option("reset_required=0", "reset_required"), false);
  EXPECT_EQ(bool_option("reset_required=N", "reset_required"), false);
  EXPECT_EQ(bool_option("reset_required=off", "reset_required"), false);
  EXPECT_EQ(bool_option("foo=1 reset_required=y", "reset_required"), true);
  EXPECT_EQ(bool_option("reset_required", "reset_required"), true) << "a bare bool parameter";
  EXPECT_EQ(bool_option("reset_required=0 reset_required=1", "reset_required"), true) << "the last one wins";
  EXPECT_EQ(bool_option("allow_unsafe_interrupts=1", "allow_unsafe_interrupts"), true);
  EXPECT_EQ(bool_option("allow_unsafe_interrupts=1", "reset_required"), std::nullopt);
}

}  // namespace
}  // namespace vfioctl
