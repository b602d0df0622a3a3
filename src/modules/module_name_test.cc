#include "modules/module_name.h"

#include <gtest/gtest.h>

namespace vfioctl {
namespace {

TEST(ModuleName, NormalizesDashesLikeKmod) {
  EXPECT_EQ(normalize_module_name("vfio-pci"), "vfio_pci");
  EXPECT_EQ(normalize_module_name("xe_vfio_pci"), "xe_vfio_pci");
  EXPECT_EQ(normalize_module_name("nvgrace-gpu-vfio-pci"), "nvgrace_gpu_vfio_pci");
}

// kmod shared/util.c alias_normalize(): dashes outside [...] only; ']' alone or an unterminated
// '[' make the alias invalid.
TEST(ModuleName, NormalizesAliasesLikeKmod) {
  EXPECT_EQ(normalize_alias("vfio_pci:v*d*sv*sd*bc*sc*i*"), "vfio_pci:v*d*sv*sd*bc*sc*i*");
  EXPECT_EQ(normalize_alias("of:N*T*Cfsl,imx8mq-vpu"), "of:N*T*Cfsl,imx8mq_vpu");
  EXPECT_EQ(normalize_alias("usb:v13FDp3940d0[0-2]*dc*"), "usb:v13FDp3940d0[0-2]*dc*");
  EXPECT_EQ(normalize_alias("a-[x-z]-b"), "a_[x-z]_b");
  EXPECT_EQ(normalize_alias(""), "");
  EXPECT_EQ(normalize_alias("a]"), std::nullopt);
  EXPECT_EQ(normalize_alias("a[0-9"), std::nullopt);
}

TEST(ModuleName, AcceptsOnlyPlainNames) {
  for (const char* good : {"vfio-pci", "xe-vfio-pci", "mlx5_vfio_pci", "vfio_ap_mdev", "a.b"}) {
    EXPECT_TRUE(is_valid_module_or_driver_name(good)) << good;
  }
  for (const char* bad : {"", ".", "..", "../vfio-pci", "vfio pci", "vfio/pci", "vfio\npci",
                          "x]", "0123456789012345678901234567890123456789012345678901234567890123456"}) {
    EXPECT_FALSE(is_valid_module_or_driver_name(bad)) << bad;
  }
}

}  // namespace
}  // namespace vfioctl
