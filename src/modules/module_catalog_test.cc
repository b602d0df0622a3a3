#include "modules/module_catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "support/module_tree.h"

namespace vfioctl {
namespace {

using testing::fixture_file;
using testing::fixture_kernel;
using testing::fixture_kernels;
using testing::ModuleTree;
using testing::TempRoot;

// Owns what a ModuleCatalog refers to.
struct CatalogFor {
  HostRoot host;
  KmodSession kmod;
  ModuleCatalog catalog;
  CatalogFor(const TempRoot& root, const std::string& release)
      : host(root.path(), release), kmod(host), catalog(host, kmod) {}
};

TEST(ModuleNameFromPath, StripsDirectoriesExtensionsAndDashes) {
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/vfio-pci.ko"), "vfio_pci");
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/vfio-pci.ko.xz"), "vfio_pci");
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/vfio-pci.ko.zst"), "vfio_pci");
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/vfio-pci.ko.gz"), "vfio_pci");
  EXPECT_EQ(module_name_from_path("/lib/modules/6.1.0-50-amd64/kernel/drivers/vfio/vfio.ko"), "vfio");
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/qat/qat_vfio_pci.ko"), "qat_vfio_pci");
  EXPECT_EQ(module_name_from_path("kernel/drivers/vfio/pci/xe/xe-vfio-pci.ko"), "xe_vfio_pci");
  EXPECT_EQ(module_name_from_path("vfio-pci"), "vfio_pci");
  EXPECT_EQ(module_name_from_path(".ko"), ".ko");  // nothing before the extension: not stripped
}

// Every path of every real modules.builtin and modules.dep gives a plausible module name, and
// the known ones come out right (6.1 "vfio-pci.ko", 6.12 "vfio-pci.ko.xz").
TEST(ModuleNameFromPath, RealPathsOfEveryKernel) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    std::set<std::string> dep_names;
    std::string dep = fixture_file(k, "modules.dep");
    std::size_t pos = 0;
    while (pos < dep.size()) {
      std::size_t colon = dep.find(':', pos);
      std::size_t nl = dep.find('\n', pos);
      ASSERT_LT(colon, nl);
      std::string name = module_name_from_path(std::string_view(dep).substr(pos, colon - pos));
      ASSERT_EQ(name.find_first_of("/.-"), std::string::npos) << name;
      dep_names.insert(name);
      pos = nl + 1;
    }
    EXPECT_EQ(dep_names.count("vfio_pci"), k.has_vfio ? 1u : 0u);
    EXPECT_EQ(dep_names.count("vfio_pci_core"), k.has_vfio ? 1u : 0u);
    EXPECT_EQ(dep_names.count("vfio_virqfd"), k.folder.find("6.1.0") != std::string::npos && k.has_vfio ? 1u : 0u);

    std::string builtin = fixture_file(k, "modules.builtin");
    pos = 0;
    while (pos < builtin.size()) {
      std::size_t nl = builtin.find('\n', pos);
      std::string name = module_name_from_path(std::string_view(builtin).substr(pos, nl - pos));
      ASSERT_EQ(name.find_first_of("/.-"), std::string::npos) << name;
      ASSERT_EQ(dep_names.count(name), 0u) << name << " is both built in and loadable";
      pos = nl + 1;
    }
  }
}

TEST(ModuleCatalog, StatesFromSysModuleAndTheModuleTree) {
  TempRoot root;
  // amd64 6.12: virtio_pci is built in (CONFIG_VIRTIO_PCI=y), vfio_pci is a module.
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.12.95+deb12-amd64"));
  testing::fake_loaded_module(root, "vfio", {}, "live");
  testing::fake_loaded_module(root, "vfio_pci_core", {}, "coming");
  testing::fake_loaded_module(root, "vfio_iommu_type1", {}, "going");
  testing::fake_builtin_module(root, "pcieport_like");
  tree.add_synthetic({"only_in_dep", {}, ""});
  CatalogFor c(root, tree.release());

  EXPECT_EQ(c.catalog.state("vfio"), ModuleState::kLoaded);
  EXPECT_EQ(c.catalog.state("vfio_pci_core"), ModuleState::kLoaded);   // "coming": loading now
  EXPECT_EQ(c.catalog.state("vfio_iommu_type1"), ModuleState::kAvailable);  // "going": leaving
  EXPECT_EQ(c.catalog.state("pcieport_like"), ModuleState::kBuiltin);  // /sys/module, no initstate
  EXPECT_EQ(c.catalog.state("virtio_pci"), ModuleState::kBuiltin);     // modules.builtin
  EXPECT_EQ(c.catalog.state("virtio-pci"), ModuleState::kBuiltin);
  EXPECT_EQ(c.catalog.state("vfio_pci"), ModuleState::kAvailable);     // text modules.dep (.ko.xz)
  EXPECT_EQ(c.catalog.state("only_in_dep"), ModuleState::kAvailable);
  EXPECT_EQ(c.catalog.state("no_such_module"), ModuleState::kNotFound);
  EXPECT_TRUE(is_present(ModuleState::kLoaded));
  EXPECT_TRUE(is_present(ModuleState::kBuiltin));
  EXPECT_FALSE(is_present(ModuleState::kAvailable));
  EXPECT_FALSE(is_present(ModuleState::kNotFound));
  EXPECT_EQ(to_string(ModuleState::kLoaded), "loaded");
  EXPECT_EQ(to_string(ModuleState::kBuiltin), "builtin");
  EXPECT_EQ(to_string(ModuleState::kAvailable), "available");
  EXPECT_EQ(to_string(ModuleState::kNotFound), "not-found");
}

TEST(ModuleCatalog, AvailableFromTheRealTextModulesDepOfEveryKernel) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    TempRoot root;
    ModuleTree::from_fixture(root, k);
    CatalogFor c(root, k.release);
    ModuleState expected = k.has_vfio ? ModuleState::kAvailable : ModuleState::kNotFound;
    EXPECT_EQ(c.catalog.state("vfio_pci"), expected);
    EXPECT_EQ(c.catalog.state("vfio"), expected);
    EXPECT_EQ(c.catalog.state("mlx5_vfio_pci"), ModuleState::kNotFound);  // finding 1
  }
}

TEST(ModuleCatalog, AvailableFromTheBinaryDependencyIndex) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  TempRoot root;
  ASSERT_EQ(testing::build_depmod_tree(root, "6.99.0-stub", testing::synthetic_variants(),
                                       {testing::generic_vfio_pci()}),
            std::nullopt);
  // Proof that the answer comes from modules.dep.bin: the text file is gone.
  ModuleTree(root, "6.99.0-stub").remove("modules.dep");
  CatalogFor c(root, "6.99.0-stub");
  EXPECT_EQ(c.catalog.state("xe_vfio_pci"), ModuleState::kAvailable);
  EXPECT_EQ(c.catalog.state("qat_vfio_pci"), ModuleState::kAvailable);
  EXPECT_EQ(c.catalog.state("vfio_pci"), ModuleState::kBuiltin);
  EXPECT_EQ(c.catalog.state("mlx5_core"), ModuleState::kNotFound);
}

TEST(ModuleCatalog, BlacklistComesFromModprobeDWithNormalisedNames) {
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("arm64-6.1.0-50-arm64"));
  testing::write_modprobe_conf(root, "blacklist-vfio.conf", "blacklist mlx5-vfio-pci\nblacklist nouveau\n");
  CatalogFor c(root, tree.release());
  EXPECT_TRUE(c.catalog.blacklisted("mlx5_vfio_pci"));
  EXPECT_TRUE(c.catalog.blacklisted("mlx5-vfio-pci"));
  EXPECT_TRUE(c.catalog.blacklisted("nouveau"));
  EXPECT_FALSE(c.catalog.blacklisted("vfio_pci"));
}

// Module -> driver names come from /sys/module/<m>/drivers/<bus>:<driver> (drivers/base/module.c
// module_add_driver()), never from the module name: xe_vfio_pci registers "xe-vfio-pci".
TEST(ModuleCatalog, DriversOfAModuleOnABus) {
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.1.0-50-amd64"));
  testing::fake_loaded_module(root, "xe_vfio_pci", {"xe-vfio-pci"});
  testing::fake_loaded_module(root, "vfio_pci", {"vfio-pci"});
  testing::fake_loaded_module(root, "two_drivers", {"zeta-drv", "alpha-drv"});
  // vfio_ap registers two drivers on two buses (drivers.tsv): the ap queue driver and the mdev one.
  testing::fake_loaded_module(root, "vfio_ap");
  root.symlink("/sys/module/vfio_ap/drivers/ap:vfio_ap", "../../../bus/ap/drivers/vfio_ap");
  root.symlink("/sys/module/vfio_ap/drivers/mdev:vfio_ap_mdev", "../../../bus/mdev/drivers/vfio_ap_mdev");
  testing::fake_builtin_module(root, "virtio_pci", {"virtio-pci"});
  CatalogFor c(root, tree.release());

  using V = std::vector<std::string>;
  EXPECT_EQ(c.catalog.drivers_of("xe_vfio_pci", "pci"), V{"xe-vfio-pci"});
  EXPECT_EQ(c.catalog.drivers_of("xe-vfio-pci", "pci"), V{"xe-vfio-pci"});  // a module name typed with dashes
  EXPECT_EQ(c.catalog.drivers_of("vfio_pci", "pci"), V{"vfio-pci"});
  EXPECT_EQ(c.catalog.drivers_of("two_drivers", "pci"), (V{"alpha-drv", "zeta-drv"}));
  EXPECT_EQ(c.catalog.drivers_of("vfio_ap", "ap"), V{"vfio_ap"});
  EXPECT_EQ(c.catalog.drivers_of("vfio_ap", "mdev"), V{"vfio_ap_mdev"});
  EXPECT_EQ(c.catalog.drivers_of("vfio_ap", "pci"), V{});
  EXPECT_EQ(c.catalog.drivers_of("virtio_pci", "pci"), V{"virtio-pci"});
  EXPECT_EQ(c.catalog.drivers_of("mlx5_vfio_pci", "pci"), V{});  // not loaded

  EXPECT_EQ(c.catalog.module_of_driver("pci", "xe-vfio-pci"), "xe_vfio_pci");
  EXPECT_EQ(c.catalog.module_of_driver("pci", "vfio-pci"), "vfio_pci");
  EXPECT_EQ(c.catalog.module_of_driver("pci", "virtio-pci"), "virtio_pci");
  EXPECT_EQ(c.catalog.module_of_driver("pci", "nvme"), std::nullopt);
  // A built-in driver on a kernel that gives it no module link (host-virtio.json, finding 9).
  root.mkdir("/sys/bus/pci/drivers/pcieport");
  EXPECT_EQ(c.catalog.module_of_driver("pci", "pcieport"), std::nullopt);
}

TEST(ModuleCatalog, ForgetDropsWhatSysModuleSaidButNotTheTree) {
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.12.95+deb12-amd64"));
  for (const auto& v : testing::synthetic_variants()) tree.add_synthetic(v);
  CatalogFor c(root, tree.release());
  EXPECT_EQ(c.catalog.state("mlx5_vfio_pci"), ModuleState::kAvailable);
  EXPECT_TRUE(c.catalog.drivers_of("mlx5_vfio_pci", "pci").empty());
  EXPECT_EQ(c.catalog.module_of_driver("pci", "mlx5_vfio_pci"), std::nullopt);

  // modprobe mlx5_vfio_pci happens here.
  testing::fake_loaded_module(root, "mlx5_vfio_pci", {"mlx5_vfio_pci"});
  EXPECT_EQ(c.catalog.state("mlx5_vfio_pci"), ModuleState::kAvailable);  // cached until forget()
  EXPECT_TRUE(c.catalog.drivers_of("mlx5_vfio_pci", "pci").empty());

  c.catalog.forget();
  EXPECT_EQ(c.catalog.state("mlx5_vfio_pci"), ModuleState::kLoaded);
  EXPECT_EQ(c.catalog.drivers_of("mlx5_vfio_pci", "pci"), std::vector<std::string>{"mlx5_vfio_pci"});
  EXPECT_EQ(c.catalog.module_of_driver("pci", "mlx5_vfio_pci"), "mlx5_vfio_pci");
  EXPECT_EQ(c.catalog.state("virtio_pci"), ModuleState::kBuiltin);
}

}  // namespace
}  // namespace vfioctl
