#include "bind/driver_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "modules/kmod_session.h"
#include "modules/module_catalog.h"
#include "pci/pci_bus.h"
#include "support/module_tree.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::HasSubstr;
using vfioctl::testing::fake_builtin_module;
using vfioctl::testing::fake_loaded_module;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-test";

// A module tree whose text modules.dep lists the vfio modules (kbuild names files with '-',
// modules with '_'), and whatever /sys the test adds. No .bin indexes: ModuleCatalog then reads
// the text modules.dep, as on a tree depmod has not indexed.
class DriverNamesTest : public ::testing::Test {
 protected:
  DriverNamesTest() {
    root.write(std::string("/lib/modules/") + kRelease + "/modules.dep",
               "kernel/drivers/vfio/vfio.ko.xz: kernel/drivers/iommu/iommufd/iommufd.ko.xz\n"
               "kernel/drivers/vfio/pci/vfio-pci-core.ko.xz: kernel/drivers/vfio/vfio.ko.xz\n"
               "kernel/drivers/vfio/pci/vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz\n"
               "kernel/drivers/vfio/pci/mlx5/mlx5-vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz\n"
               "kernel/drivers/vfio/pci/xe/xe-vfio-pci.ko.xz: kernel/drivers/vfio/pci/vfio-pci-core.ko.xz\n");
    root.write(std::string("/lib/modules/") + kRelease + "/modules.builtin", "");
    root.mkdir("/sys/bus/pci/drivers");
    root.mkdir("/sys/module");
  }

  // Built after the test has laid out the files (the catalog caches what it reads).
  ModuleCatalog& catalog() {
    if (!catalog_) {
      host_ = std::make_unique<HostRoot>(root.path(), kRelease);
      kmod_ = std::make_unique<KmodSession>(*host_);
      catalog_ = std::make_unique<ModuleCatalog>(*host_, *kmod_);
    }
    return *catalog_;
  }

  std::optional<DriverSpelling> resolve(std::string_view text, std::string* error) {
    ModuleCatalog& c = catalog();
    return resolve_driver_spelling(*host_, c, bus, text, error);
  }

  TempRoot root;
  PciBus bus;
  std::unique_ptr<HostRoot> host_;
  std::unique_ptr<KmodSession> kmod_;
  std::unique_ptr<ModuleCatalog> catalog_;
};

TEST_F(DriverNamesTest, ADriverNameOnTheBusGivesItsModuleFromTheModuleLink) {
  fake_loaded_module(root, "vfio_pci", {"vfio-pci"});
  std::string error;
  auto s = resolve("vfio-pci", &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->driver, "vfio-pci");
  EXPECT_EQ(s->module, "vfio_pci");
}

TEST_F(DriverNamesTest, TheModuleSpellingOfALoadedModuleGivesTheDriverItRegistered) {
  fake_loaded_module(root, "vfio_pci", {"vfio-pci"});
  std::string error;
  auto s = resolve("vfio_pci", &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->module, "vfio_pci");
  EXPECT_EQ(s->driver, "vfio-pci");
}

TEST_F(DriverNamesTest, AnInstalledModuleNotLoadedHasNoDriverYet) {
  for (const char* text : {"mlx5_vfio_pci", "mlx5-vfio-pci"}) {
    std::string error;
    auto s = resolve(text, &error);
    ASSERT_TRUE(s) << text << ": " << error;
    EXPECT_EQ(s->module, "mlx5_vfio_pci") << text;
    EXPECT_FALSE(s->driver) << text;
  }
}

// Module xe_vfio_pci registers its pci_driver as "xe-vfio-pci" (drivers/vfio/pci/xe/main.c,
// xe_vfio_pci_driver.name), so the two spellings differ and both must lead to both names.
TEST_F(DriverNamesTest, XeVariantBothSpellingsWhenLoaded) {
  fake_loaded_module(root, "xe_vfio_pci", {"xe-vfio-pci"});
  for (const char* text : {"xe_vfio_pci", "xe-vfio-pci"}) {
    std::string error;
    auto s = resolve(text, &error);
    ASSERT_TRUE(s) << text << ": " << error;
    EXPECT_EQ(s->module, "xe_vfio_pci") << text;
    EXPECT_EQ(s->driver, "xe-vfio-pci") << text;
  }
}

TEST_F(DriverNamesTest, XeVariantDriverSpellingBeforeLoadingNamesTheModule) {
  std::string error;
  auto s = resolve("xe-vfio-pci", &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->module, "xe_vfio_pci");
  EXPECT_FALSE(s->driver);
}

// A kernel built without module support has no /sys/module/<m>/drivers links and no module
// link in the driver directory (the host-virtio fixture machine); a built-in module's driver is
// then only found by its name.
TEST_F(DriverNamesTest, BuiltinDriverWithoutModuleLinksIsFoundByNameOnly) {
  root.write(std::string("/lib/modules/") + kRelease + "/modules.builtin", "kernel/drivers/vfio/pci/vfio-pci.ko\n");
  root.mkdir("/sys/bus/pci/drivers/vfio-pci");
  bool by_name_only = false;
  ModuleCatalog& c = catalog();
  EXPECT_EQ(c.state("vfio_pci"), ModuleState::kBuiltin);
  EXPECT_EQ(driver_of_module(*host_, c, bus, "vfio_pci", &by_name_only), "vfio-pci");
  EXPECT_TRUE(by_name_only);

  std::string error;
  auto s = resolve("vfio_pci", &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->module, "vfio_pci");
  EXPECT_EQ(s->driver, "vfio-pci");
}

TEST_F(DriverNamesTest, BuiltinWithParametersButNoDriverLinksIsFoundByNameOnly) {
  // kernel/params.c makes /sys/module/<m> for built-in code with parameters, without initstate.
  root.write("/sys/module/vfio_pci/parameters/ids", "\n");
  root.mkdir("/sys/bus/pci/drivers/vfio-pci");
  bool by_name_only = false;
  ModuleCatalog& c = catalog();
  EXPECT_EQ(c.state("vfio_pci"), ModuleState::kBuiltin);
  EXPECT_EQ(driver_of_module(*host_, c, bus, "vfio_pci", &by_name_only), "vfio-pci");
  EXPECT_TRUE(by_name_only);
}

TEST_F(DriverNamesTest, DriverLinksAreNotByNameOnly) {
  fake_builtin_module(root, "vfio_pci", {"vfio-pci"});
  bool by_name_only = true;
  ModuleCatalog& c = catalog();
  EXPECT_EQ(driver_of_module(*host_, c, bus, "vfio_pci", &by_name_only), "vfio-pci");
  EXPECT_FALSE(by_name_only);
}

TEST_F(DriverNamesTest, ADriverDirOfAnotherModuleIsNotTakenByName) {
  // Module "foo" is loaded but registered nothing; a "foo" driver exists, owned by "bar".
  root.write("/sys/module/foo/initstate", "live\n");
  fake_loaded_module(root, "bar", {"foo"});
  ModuleCatalog& c = catalog();
  bool by_name_only = true;
  EXPECT_FALSE(driver_of_module(*host_, c, bus, "foo", &by_name_only));
  EXPECT_FALSE(by_name_only);
}

TEST_F(DriverNamesTest, UnknownNamesAreAnErrorPointingAtTheDriversDirectory) {
  std::string error;
  EXPECT_FALSE(resolve("nosuch_vfio_pci", &error));
  EXPECT_THAT(error, HasSubstr("no driver or module named 'nosuch_vfio_pci'"));
  EXPECT_THAT(error, HasSubstr(root.at("/sys/bus/pci/drivers")));
}

TEST_F(DriverNamesTest, InvalidNamesAreRejectedBeforeAnyLookup) {
  for (const std::string& text :
       std::vector<std::string>{"x;y", "../a", "", "a/b", ".", "..", "vfio pci", "vfio-pci\n", std::string(65, 'a')}) {
    std::string error;
    EXPECT_FALSE(resolve(text, &error)) << "'" << text << "'";
    EXPECT_THAT(error, HasSubstr("is not a valid driver or module name")) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace vfioctl
