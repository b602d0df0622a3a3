// The autoload policy on real module trees (every fixture kernel of tests/data/kernels) and on
// synthetic modules shaped like the ones that do autoload for hardware.
#include "policy/autoload_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_file.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleTree;
using vfioctl::testing::SyntheticModule;
using vfioctl::testing::TempRoot;
using D = AutoloadEntry::Decision;

const AutoloadEntry* entry(const AutoloadPolicy& p, const std::string& module) {
  for (const auto& e : p.modules) {
    if (e.module == module) return &e;
  }
  return nullptr;
}

Config config_of(const std::string& toml) {
  Config c;
  std::vector<std::string> errors;
  parse_config_text(toml, "test.toml", c, errors);
  EXPECT_THAT(errors, IsEmpty());
  return c;
}

// Real data: on Debian's kernels (amd64, arm64, ppc64el, s390x; 6.1, 6.12, 7.2) no vfio module
// autoloads for hardware. vfio-pci and its variants carry only override-only vfio_pci: aliases,
// and vfio's own aliases name its container node. So the policy blocks nothing there.
TEST(AutoloadPolicyFixtureTest, NoVfioModuleOfADebianKernelAutoloadsForHardware) {
  for (const auto& kernel : vfioctl::testing::fixture_kernels()) {
    SCOPED_TRACE(kernel.folder);
    TempRoot root;
    FakeSysfs sysfs(root);
    HostRoot host = sysfs.host(kernel.release);
    ModuleTree::from_fixture(root, kernel);
    Session session(HostRoot(root.path(), kernel.release));
    AutoloadPolicy p = compute_autoload_policy(session, Config{});
    EXPECT_THAT(p.blocked(), IsEmpty());
    EXPECT_EQ(autoload_policy_file(p, {}), "");
    if (!kernel.has_vfio) {
      EXPECT_EQ(entry(p, "vfio_pci"), nullptr);
      continue;
    }
    const AutoloadEntry* core = entry(p, "vfio");
    ASSERT_TRUE(core);
    EXPECT_THAT(core->node_aliases, ElementsAre("devname:vfio/vfio", "char-major-10-196"));
    EXPECT_THAT(core->device_aliases, IsEmpty());
    const AutoloadEntry* pci = entry(p, "vfio_pci");
    ASSERT_TRUE(pci);
    EXPECT_THAT(pci->device_aliases, IsEmpty()) << "vfio_pci: aliases are override-only";
    EXPECT_EQ(pci->decision, D::kNoDeviceAutoload);
    EXPECT_TRUE(entry(p, "vfio_pci_core")) << "vfio modules without aliases are listed too (modules.dep)";
  }
}

class AutoloadPolicyTest : public ::testing::Test {
 protected:
  static constexpr const char* kRelease = "6.12.0-policy";
  void SetUp() override {
    sysfs.pci("0000:01:00.0").ids(0x15b3, 0x101e).cls(0x020000).group(1);
    sysfs.pci("0000:02:00.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(2);
    sysfs.write();
    tree.add_synthetic(vfioctl::testing::generic_vfio_pci());
    // SYNTHETIC, shaped like the s390 drivers the kernel threads were about: a css driver's
    // table gives "css:t<type>" (scripts/mod/file2alias.c do_css_entry; vfio_ccw matches I/O
    // subchannels, type 0), which every I/O subchannel's uevent carries.
    tree.add_synthetic(SyntheticModule{"vfio_ccw", {"css:t0"}, "kernel/drivers/s390/cio/vfio_ccw.ko"});
    // SYNTHETIC: a PCI variant that, unlike every upstream one, was built with an ordinary id
    // table, so it has a pci: alias besides its vfio_pci: one.
    tree.add_synthetic(SyntheticModule{"eager_vfio_pci",
                                       {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "pci:v000015B3d0000101Esv*sd*bc*sc*i*"},
                                       ""});
  }
  AutoloadPolicy policy(const Config& c) {
    Session session(sysfs.host(kRelease));
    return compute_autoload_policy(session, c);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  ModuleTree tree{root, kRelease};
};

TEST_F(AutoloadPolicyTest, ModulesThatAutoloadForHardwareAreBlockedWhenNoRuleNeedsThem) {
  AutoloadPolicy p = policy(Config{});
  EXPECT_THAT(p.blocked(), ElementsAre("eager_vfio_pci", "vfio_ccw"));
  EXPECT_THAT(entry(p, "vfio_ccw")->device_aliases, ElementsAre("css:t0"));
  EXPECT_THAT(entry(p, "eager_vfio_pci")->device_aliases, ElementsAre("pci:v000015B3d0000101Esv*sd*bc*sc*i*"));
  EXPECT_EQ(entry(p, "vfio_pci")->decision, D::kNoDeviceAutoload);
  std::string file = autoload_policy_file(p, {"/etc/vfioctl/vfioctl.toml"});
  EXPECT_THAT(file, HasSubstr("\nblacklist eager_vfio_pci\nblacklist vfio_ccw\n"));
  EXPECT_THAT(file, HasSubstr("# Configuration: /etc/vfioctl/vfioctl.toml\n"));
}

TEST_F(AutoloadPolicyTest, AnAutoRuleNeedsEveryCandidateOfItsDevice) {
  AutoloadPolicy p = policy(config_of("[[device]]\naddress = \"0000:01:00.0\"\n"));
  const AutoloadEntry* eager = entry(p, "eager_vfio_pci");
  EXPECT_EQ(eager->decision, D::kNeeded);
  EXPECT_THAT(eager->needed_by, ElementsAre("test.toml:1"));
  EXPECT_THAT(entry(p, "vfio_pci")->needed_by, ElementsAre("test.toml:1")) << "the fallback is needed too";
  EXPECT_THAT(p.blocked(), ElementsAre("vfio_ccw"));
}

TEST_F(AutoloadPolicyTest, AGenericRuleDoesNotNeedTheVariant) {
  AutoloadPolicy p = policy(config_of("[[device]]\naddress = \"0000:01:00.0\"\ndriver = \"generic\"\n"));
  EXPECT_EQ(entry(p, "eager_vfio_pci")->decision, D::kBlocked);
  EXPECT_THAT(entry(p, "vfio_pci")->needed_by, ElementsAre("test.toml:1"));
}

TEST_F(AutoloadPolicyTest, ANamedDriverIsNeededInEitherSpelling) {
  AutoloadPolicy p = policy(config_of("[[device]]\nids = \"15b3:101e\"\ndriver = \"eager-vfio-pci\"\n"));
  EXPECT_EQ(entry(p, "eager_vfio_pci")->decision, D::kNeeded);
}

TEST_F(AutoloadPolicyTest, ARuleThatSelectsNothingNeedsNothing) {
  AutoloadPolicy p = policy(config_of("[[device]]\naddress = \"0000:09:00.0\"\n"));
  EXPECT_THAT(p.blocked(), ElementsAre("eager_vfio_pci", "vfio_ccw"));
}

TEST_F(AutoloadPolicyTest, BuiltInCodeCannotBeBlocked) {
  ASSERT_EQ(tree.make_builtin(SyntheticModule{"vfio_ccw", {"css:t0"}, "kernel/drivers/s390/cio/vfio_ccw.ko"}),
            std::nullopt);
  AutoloadPolicy p = policy(Config{});
  const AutoloadEntry* ccw = entry(p, "vfio_ccw");
  ASSERT_TRUE(ccw);
  EXPECT_EQ(ccw->decision, D::kBuiltIn);
  EXPECT_THAT(p.blocked(), ElementsAre("eager_vfio_pci"));
}

}  // namespace
}  // namespace vfioctl
