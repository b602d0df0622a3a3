#include "modules/kmod_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>

#include "support/module_tree.h"

namespace vfioctl {
namespace {

using testing::fixture_file;
using testing::fixture_kernel;
using testing::fixture_kernels;
using testing::ModuleTree;
using testing::TempRoot;
using testing::write_modprobe_conf;

using Pair = std::pair<std::string, std::string>;

std::vector<Pair> sorted_pairs(const std::vector<AliasEntry>& entries) {
  std::vector<Pair> out;
  for (const auto& e : entries) out.emplace_back(e.pattern, e.module);
  std::sort(out.begin(), out.end());
  return out;
}

// depmod stores every alias key through kmod's alias_normalize() (kmod shared/util.c): '-'
// becomes '_' except inside a bracket expression. The text twin keeps the kernel's spelling, so
// it is normalised the same way before the two are compared.
std::string kmod_alias_normalize(std::string_view alias) {
  std::string out(alias);
  bool in_bracket = false;
  for (char& c : out) {
    if (c == '[') in_bracket = true;
    else if (c == ']') in_bracket = false;
    else if (c == '-' && !in_bracket) c = '_';
  }
  return out;
}

std::vector<Pair> twin_pairs(const testing::FixtureKernel& k, std::string_view prefix) {
  std::vector<AliasEntry> twin;
  parse_alias_lines(fixture_file(k, "modules.builtin.alias"), "", twin);
  std::vector<Pair> out;
  for (const auto& e : twin) {
    std::string key = kmod_alias_normalize(e.pattern);
    if (key.compare(0, prefix.size(), prefix) == 0) out.emplace_back(key, e.module);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(KmodSessionFixtures, BuiltinAliasesFromTheBinaryIndexEqualTheTextTwin) {
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    TempRoot root;
    ModuleTree::from_fixture(root, k);
    KmodSession kmod(HostRoot(root.path(), k.release));
    ASSERT_TRUE(kmod.has_module_tree());
    for (std::string_view prefix : {"", "vfio_", "pci:", "platform:"}) {
      auto bin = kmod.builtin_aliases(prefix);
      ASSERT_TRUE(bin) << "no modules.builtin.alias.bin read";
      EXPECT_EQ(sorted_pairs(*bin), twin_pairs(k, prefix)) << "prefix '" << prefix << "'";
    }
    // Finding 3: vfio is never built in, so no kernel has a built-in vfio alias.
    EXPECT_TRUE(kmod.builtin_aliases("vfio_")->empty());
    EXPECT_GT(kmod.builtin_aliases("")->size(), 40u);
    EXPECT_TRUE(kmod.log().empty());
  }
}

// A kernel with CONFIG_VFIO_PCI=y: the generic alias is in modules.builtin.alias.bin only
// (vfio-landscape.md a4), and libkmod's dump finds it there.
TEST(KmodSessionFixtures, BuiltinVfioPciIsFoundInTheBinaryIndex) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  TempRoot root;
  auto k = fixture_kernel("amd64-6.12.95+deb12-amd64");
  auto tree = ModuleTree::from_fixture(root, k);
  ASSERT_EQ(tree.make_builtin(testing::generic_vfio_pci()), std::nullopt);
  KmodSession kmod(HostRoot(root.path(), k.release));
  auto vfio = kmod.builtin_aliases("vfio_");
  ASSERT_TRUE(vfio);
  EXPECT_EQ(sorted_pairs(*vfio), (std::vector<Pair>{{"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci"}}));
  // Everything else of the real index survived the rebuild.
  auto all = kmod.builtin_aliases("");
  ASSERT_TRUE(all);
  auto expected = twin_pairs(k, "");
  expected.emplace_back("vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(sorted_pairs(*all), expected);
}

TEST(KmodSession, NoIndexMeansNoAnswerRatherThanAnEmptyOne) {
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("arm64-6.1.0-50-arm64"));
  tree.remove("modules.builtin.alias.bin");
  KmodSession kmod(HostRoot(root.path(), tree.release()));
  EXPECT_TRUE(kmod.has_module_tree());
  EXPECT_EQ(kmod.builtin_aliases(""), std::nullopt);
}

TEST(KmodSession, WithoutAModuleTreeEveryLookupIsEmpty) {
  TempRoot root;
  write_modprobe_conf(root, "vfio.conf", "alias vfio_pci:v* some_module\nblacklist some_module\n");
  KmodSession kmod(HostRoot(root.path(), "0.0.0-none"));
  EXPECT_FALSE(kmod.has_module_tree());
  EXPECT_EQ(kmod.builtin_aliases(""), std::nullopt);
  EXPECT_TRUE(kmod.config_aliases("").empty());
  EXPECT_TRUE(kmod.blacklisted_modules().empty());
  EXPECT_EQ(kmod.in_dependency_index("vfio_pci"), std::nullopt);
}

// modprobe.d grammar and file selection are libkmod's (libkmod-config.c): only "*.conf" and
// "*.alias" files count, a file name in an earlier directory hides the same name in a later
// one (/etc before /run, /usr/local/lib, /usr/lib, /lib), files are read in name order, and
// alias names and blacklisted names go through underscores().
TEST(KmodSession, ReadsAliasesAndBlacklistsFromTheRootsModprobeD) {
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.1.0-50-amd64"));
  write_modprobe_conf(root, "50-vfio.conf",
                      "# pin a variant for ConnectX VFs\n"
                      "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* my-variant\n"
                      "alias pci:v00001AF4d* not_vfio\n"
                      "blacklist nouveau\n"
                      "blacklist foo-bar\n");
  write_modprobe_conf(root, "10-first.conf", "alias vfio_cdx:v*d* from_etc_first\n");
  write_modprobe_conf(root, "50-vfio.conf", "alias vfio_pci:v* hidden_by_etc\nblacklist hidden_by_etc\n",
                      "/usr/lib/modprobe.d");
  write_modprobe_conf(root, "90-late.conf", "alias vfio_pci:v00008086d* from_usr_lib\n", "/usr/lib/modprobe.d");
  write_modprobe_conf(root, "70-old.alias", "alias vfio_pci:v000010DEd* from_dot_alias\n", "/lib/modprobe.d");
  write_modprobe_conf(root, "README", "alias vfio_pci:v* not_a_conf_file\nblacklist not_a_conf_file\n");
  write_modprobe_conf(root, "x.conf.disabled", "alias vfio_pci:v* disabled\n");

  KmodSession kmod(HostRoot(root.path(), tree.release()));
  std::vector<Pair> got;
  for (const auto& e : kmod.config_aliases("vfio_")) got.emplace_back(e.pattern, e.module);
  EXPECT_EQ(got, (std::vector<Pair>{{"vfio_cdx:v*d*", "from_etc_first"},
                                    {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "my_variant"},
                                    {"vfio_pci:v000010DEd*", "from_dot_alias"},
                                    {"vfio_pci:v00008086d*", "from_usr_lib"}}));
  std::vector<Pair> all;
  for (const auto& e : kmod.config_aliases("")) all.emplace_back(e.pattern, e.module);
  EXPECT_NE(std::find(all.begin(), all.end(), Pair{"pci:v00001AF4d*", "not_vfio"}), all.end());
  EXPECT_EQ(all.size(), 5u);

  auto blacklist = kmod.blacklisted_modules();
  auto has = [&](const char* m) { return std::find(blacklist.begin(), blacklist.end(), m) != blacklist.end(); };
  EXPECT_TRUE(has("nouveau"));
  EXPECT_TRUE(has("foo_bar"));
  EXPECT_FALSE(has("foo-bar"));
  EXPECT_FALSE(has("hidden_by_etc"));
  EXPECT_FALSE(has("not_a_conf_file"));
}

TEST(KmodSession, DependencyIndexAnswersOnlyWhenDepmodWroteIt) {
  {
    // The fixtures keep the text modules.dep only (README: the other .bin files were dropped).
    TempRoot root;
    auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.1.0-50-amd64"));
    KmodSession kmod(HostRoot(root.path(), tree.release()));
    EXPECT_EQ(kmod.in_dependency_index("vfio_pci"), std::nullopt);
  }
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  TempRoot root;
  ASSERT_EQ(testing::build_depmod_tree(root, "6.99.0-stub", {testing::generic_vfio_pci(),
                                                             testing::synthetic_variants()[0]},
                                       {testing::synthetic_class_variant()}),
            std::nullopt);
  KmodSession kmod(HostRoot(root.path(), "6.99.0-stub"));
  EXPECT_EQ(kmod.in_dependency_index("vfio_pci"), true);
  EXPECT_EQ(kmod.in_dependency_index("vfio-pci"), true);  // libkmod normalises the name
  EXPECT_EQ(kmod.in_dependency_index("mlx5_vfio_pci"), true);
  EXPECT_EQ(kmod.in_dependency_index("synthetic_class_vfio_pci"), false);  // built in: no path
  EXPECT_EQ(kmod.in_dependency_index("no_such_module"), false);
}

}  // namespace
}  // namespace vfioctl
