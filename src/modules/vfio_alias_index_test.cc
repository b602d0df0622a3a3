#include "modules/vfio_alias_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "support/kmod_oracle.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using testing::fixture_kernel;
using testing::fixture_kernels;
using testing::ModuleTree;
using testing::TempRoot;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

struct Loaded {
  HostRoot host;
  KmodSession kmod;
  VfioAliasIndex index;
  explicit Loaded(const TempRoot& root, const std::string& release)
      : host(root.path(), release), kmod(host), index(VfioAliasIndex::load(host, kmod)) {}
};

// kmod's own answers for the real kernels (resolve-oracle.tsv, made with kmod 30's modprobe -R
// over the full extracted packages) against vfioctl's reading of the same kernels' files.
TEST(VfioAliasIndexOracle, ResolvesEveryVfioQueryLikeKmodOnEveryRealKernel) {
  auto rows = testing::read_resolve_oracle();
  std::size_t checked = 0;
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    TempRoot root;
    ModuleTree::from_fixture(root, k);
    Loaded l(root, k.release);
    EXPECT_TRUE(l.index.info().modules_alias_read);
    EXPECT_EQ(l.index.info().builtin_origin, "modules.builtin.alias.bin");
    EXPECT_TRUE(l.index.info().warnings.empty());
    for (const auto& row : rows) {
      if (row.kernel != k.folder || row.query.rfind("vfio_pci:", 0) != 0) continue;
      EXPECT_EQ(sorted(l.index.kmod_resolution(row.query)), row.modules) << row.query;
      EXPECT_EQ(row.modprobe_rc == 0, !row.modules.empty()) << row.query;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9u * 6u);  // 9 kernels x 6 modaliases
}

TEST(VfioAliasIndex, KeepsEverySourceInKmodsOrder) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("amd64-6.12.95+deb12-amd64"));
  for (const auto& v : testing::synthetic_variants()) tree.add_synthetic(v);
  ASSERT_EQ(tree.make_builtin(testing::synthetic_class_variant()), std::nullopt);
  testing::write_modprobe_conf(root, "vfio.conf", "alias vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i* my-mlx5\n");
  Loaded l(root, tree.release());

  std::vector<std::tuple<std::string, AliasSource>> got;
  for (const auto& a : l.index.aliases()) got.emplace_back(a.module, a.source);
  std::vector<std::tuple<std::string, AliasSource>> expected = {
      {"my_mlx5", AliasSource::kModprobeConfig},  // kmod's underscores() applies to config names
      {"vfio_pci", AliasSource::kModulesAlias},
  };
  for (const auto& v : testing::synthetic_variants()) expected.emplace_back(v.name, AliasSource::kModulesAlias);
  expected.emplace_back("synthetic_class_vfio_pci", AliasSource::kBuiltin);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(l.index.info().builtin_origin, "modules.builtin.alias.bin");
  // Line numbers point into modules.alias: the synthetic lines come after depmod's own.
  EXPECT_GT(l.index.aliases()[2].line, l.index.aliases()[1].line);
}

// modprobe -R stops at the first source with a match (libkmod-module.c
// kmod_module_new_from_lookup: config, modules.dep, symbols, commands, modules.alias,
// modules.builtin.alias, modules.builtin).
TEST(VfioAliasIndex, KmodResolutionStopsAtTheFirstSourceThatMatches) {
  VfioAliasIndex index({
      {"vfio_pci:v000015B3d0000101E*", "admin_choice", AliasSource::kModprobeConfig, 1},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 10},
      {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "mlx5_vfio_pci", AliasSource::kModulesAlias, 11},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 12},  // repeated: listed once
      {"vfio_pci:v*d*sv*sd*bc02sc00i00*", "builtin_net", AliasSource::kBuiltin, 1},
      {"vfio_cdx:v*d*", "vfio_cdx", AliasSource::kBuiltin, 2},
  });
  EXPECT_EQ(index.kmod_resolution("vfio_pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00"),
            std::vector<std::string>{"admin_choice"});
  EXPECT_EQ(index.kmod_resolution("vfio_pci:v00008086d00001572sv00008086sd00000000bc02sc00i00"),
            (std::vector<std::string>{"vfio_pci"}));
  EXPECT_EQ(index.kmod_resolution("vfio_cdx:v00001AD0d00001234"), std::vector<std::string>{"vfio_cdx"});
  EXPECT_TRUE(index.kmod_resolution("vfio_platform:foo").empty());
  EXPECT_TRUE(index.kmod_resolution("").empty());
  // match() keeps every source, in index order.
  auto all = index.match("vfio_pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00");
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all.front()->module, "admin_choice");
  EXPECT_EQ(all.back()->module, "builtin_net");
}

// kmod compares aliases after alias_normalize() on both sides (depmod's indexes, libkmod's
// config, and the key in kmod_module_new_from_lookup()), so '-' and '_' are the same outside a
// bracket expression.
TEST(VfioAliasIndex, MatchesInKmodsNormalForm) {
  VfioAliasIndex index({
      {"vfio_pci:dash-x*", "dash_x", AliasSource::kModulesAlias, 1},
      {"vfio_pci:[a-c]-y", "range_y", AliasSource::kModulesAlias, 2},
  });
  EXPECT_EQ(index.aliases()[0].pattern, "vfio_pci:dash_x*");
  EXPECT_EQ(index.aliases()[1].pattern, "vfio_pci:[a-c]_y");
  EXPECT_EQ(index.kmod_resolution("vfio_pci:dash-x1"), std::vector<std::string>{"dash_x"});
  EXPECT_EQ(index.kmod_resolution("vfio_pci:dash_x1"), std::vector<std::string>{"dash_x"});
  EXPECT_EQ(index.kmod_resolution("vfio_pci:b-y"), std::vector<std::string>{"range_y"});
  EXPECT_TRUE(index.kmod_resolution("vfio_pci:d-y").empty());
  EXPECT_TRUE(index.match("vfio_pci:dash-x]").empty());  // kmod refuses the key (EINVAL)
}

TEST(VfioAliasIndex, FallsBackToBuiltinModinfoWithoutTheBinaryIndex) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("ppc64el-6.12.95+deb12-powerpc64le"));
  ASSERT_EQ(tree.make_builtin(testing::generic_vfio_pci()), std::nullopt);
  tree.remove("modules.builtin.alias.bin");
  Loaded l(root, tree.release());
  EXPECT_EQ(l.index.info().builtin_origin, "modules.builtin.modinfo");
  ASSERT_EQ(l.index.aliases().size(), 1u);
  EXPECT_EQ(l.index.aliases()[0].module, "vfio_pci");
  EXPECT_EQ(l.index.aliases()[0].source, AliasSource::kBuiltin);
  EXPECT_EQ(l.index.kmod_resolution("vfio_pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00"),
            std::vector<std::string>{"vfio_pci"});
}

TEST(VfioAliasIndex, WarnsWhenTheTreeOrModulesAliasIsMissing) {
  {
    TempRoot root;
    Loaded l(root, "0.0.0-none");
    ASSERT_EQ(l.index.info().warnings.size(), 1u);
    EXPECT_NE(l.index.info().warnings[0].find("no module tree for kernel 0.0.0-none"), std::string::npos);
    EXPECT_TRUE(l.index.aliases().empty());
  }
  TempRoot root;
  auto tree = ModuleTree::from_fixture(root, fixture_kernel("s390x-6.12.95+deb12-s390x"));
  tree.remove("modules.alias");
  Loaded l(root, tree.release());
  EXPECT_FALSE(l.index.info().modules_alias_read);
  ASSERT_EQ(l.index.info().warnings.size(), 1u);
  EXPECT_NE(l.index.info().warnings[0].find("run depmod"), std::string::npos);
  EXPECT_TRUE(l.index.aliases().empty());
}

// The merged-/usr layout of Debian 14 (7.x kernels install to /usr/lib/modules).
TEST(VfioAliasIndex, ReadsAMergedUsrTree) {
  TempRoot root;
  auto k = fixture_kernel("amd64-7.2.13+deb14-amd64");
  ModuleTree::from_fixture(root, k, /*merged_usr=*/true);
  Loaded l(root, k.release);
  EXPECT_TRUE(l.index.info().modules_alias_read);
  EXPECT_EQ(l.index.kmod_resolution("vfio_pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00"),
            std::vector<std::string>{"vfio_pci"});
}

}  // namespace
}  // namespace vfioctl
