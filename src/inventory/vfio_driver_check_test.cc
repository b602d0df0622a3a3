#include "inventory/vfio_driver_check.h"

#include <gtest/gtest.h>

#include "modules/kmod_session.h"
#include "modules/module_catalog.h"
#include "support/fake_sysfs.h"

namespace vfioctl {
namespace {

using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleKind;
using vfioctl::testing::TempRoot;

// "Is the bound driver a vfio driver?": vfio-pci by name, anything with vfio-dev, or a driver
// whose module carries a vfio alias.
class VfioDriverCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sysfs.driver("vfio-pci", "vfio_pci");
    sysfs.driver("mlx5_vfio_pci", "mlx5_vfio_pci");
    sysfs.driver("xe-vfio-pci", "xe_vfio_pci");          // a variant the index does not know
    sysfs.driver("virtio_vfio_pci", "virtio_vfio_pci", ModuleKind::kBuiltin);
    sysfs.driver("mlx5_core", "mlx5_core");
    sysfs.driver("pci-stub", "pci_stub", ModuleKind::kBuiltin);
    sysfs.driver("pcieport");
    host.emplace(sysfs.host());
    kmod.emplace(*host);
    catalog.emplace(*host, *kmod);
    check.emplace(index, *catalog);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  VfioAliasIndex index{{
      {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "mlx5_vfio_pci", AliasSource::kModulesAlias, 1},
      {"vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i*", "virtio_vfio_pci", AliasSource::kBuiltin, 1},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 2},
      {"vfio_pci:v00001DD8d00001006sv*sd*bc*sc*i*", "pds_vfio_pci", AliasSource::kModulesAlias, 3},  // not loaded
  }};
  std::optional<HostRoot> host;
  std::optional<KmodSession> kmod;
  std::optional<ModuleCatalog> catalog;
  std::optional<VfioDriverCheck> check;
};

TEST_F(VfioDriverCheckTest, GenericDriverByName) {
  EXPECT_TRUE(check->is_vfio("pci", "vfio-pci", false));
  EXPECT_TRUE(check->is_vfio("platform", "vfio-platform", false));
}

TEST_F(VfioDriverCheckTest, AnyDriverWithVfioDev) {
  EXPECT_TRUE(check->is_vfio("pci", "xe-vfio-pci", true));
  EXPECT_FALSE(check->is_vfio("pci", "xe-vfio-pci", false));
}

TEST_F(VfioDriverCheckTest, DriverWhoseModuleHasAVfioAlias) {
  EXPECT_TRUE(check->is_vfio("pci", "mlx5_vfio_pci", false));
  EXPECT_TRUE(check->is_vfio("pci", "virtio_vfio_pci", false));  // built-in with a module link
}

TEST_F(VfioDriverCheckTest, HostDriversAreNot) {
  EXPECT_FALSE(check->is_vfio("pci", "mlx5_core", false));
  EXPECT_FALSE(check->is_vfio("pci", "pcieport", false));  // no module link at all
  EXPECT_FALSE(check->is_vfio("pci", "no-such-driver", false));
}

// A driver_override outlives the driver it names: after `modprobe -r vfio_pci` the device is
// unbound but still held for vfio by its override.
TEST_F(VfioDriverCheckTest, OverrideNamingAnUnregisteredVfioDriver) {
  EXPECT_TRUE(check->names_vfio_driver("pci", "vfio-pci"));
  EXPECT_TRUE(check->names_vfio_driver("platform", "vfio-platform"));
  EXPECT_TRUE(check->names_vfio_driver("pci", "pds-vfio-pci")) << "no driver registered: by module name";
  EXPECT_TRUE(check->names_vfio_driver("pci", "pds_vfio_pci"));
  EXPECT_TRUE(check->names_vfio_driver("pci", "mlx5_vfio_pci"));
  EXPECT_FALSE(check->names_vfio_driver("pci", "mlx5_core"));
  EXPECT_FALSE(check->names_vfio_driver("pci", "pci-stub"));
  EXPECT_FALSE(check->names_vfio_driver("pci", "e1000e"));
}

TEST_F(VfioDriverCheckTest, GroupOwnershipAllowsStubAndPortDriversOnPciOnly) {
  EXPECT_TRUE(check->allows_group_ownership("pci", "pci-stub", false));
  EXPECT_TRUE(check->allows_group_ownership("pci", "pcieport", false));
  EXPECT_TRUE(check->allows_group_ownership("pci", "vfio-pci", false));
  EXPECT_TRUE(check->allows_group_ownership("pci", "mlx5_vfio_pci", false));
  EXPECT_FALSE(check->allows_group_ownership("pci", "mlx5_core", false));
  EXPECT_FALSE(check->allows_group_ownership("platform", "pci-stub", false));
}

}  // namespace
}  // namespace vfioctl
