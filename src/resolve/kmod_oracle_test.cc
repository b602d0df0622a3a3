// vfioctl's alias matching against kmod's own answers:
//   - recorded: kernels/resolve-oracle.tsv, kmod 30's `modprobe -C /dev/null -d ROOT -S REL -R Q`
//     over the nine real Debian kernels, for the host-virtio modaliases ("pci:" and "vfio_pci:");
//   - live: the same command run now over a tree that kmod's depmod built from stub modules
//     with the synthetic variants, so the "most specific wins" cases are checked against kmod
//     too.
// kmod looks in one source after another and stops at the first that matches
// (libkmod-module.c kmod_module_new_from_lookup(): modprobe.d aliases, modules.dep names,
// symbols, install commands, modules.alias(.bin), modules.builtin.alias.bin, modules.builtin).
// vfioctl's candidate list is the union of the vfio sources instead: a built-in vfio_pci stays
// a fallback when a loadable variant matches (see CandidateSetDiffersFromKmodOnlyByTheBuiltinFallback).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "modules/vfio_alias_index.h"
#include "pci/pci_bus.h"
#include "resolve/alias_match.h"
#include "resolve/candidate_ranker.h"
#include "support/kmod_oracle.h"
#include "support/module_tree.h"

namespace vfioctl {
namespace {

using testing::fixture_file;
using testing::fixture_kernels;
using testing::ModuleTree;
using testing::TempRoot;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

Device pci_device(const std::string& modalias) {
  Device d;
  d.bus = "pci";
  d.name = "0000:01:00.0";
  d.modalias = modalias;
  d.pci = parse_pci_modalias(modalias);
  return d;
}

// Everything vfioctl builds over one host root, in the order Session builds it.
struct Resolver {
  HostRoot host;
  KmodSession kmod;
  ModuleCatalog catalog;
  VfioAliasIndex index;
  PciBus bus;
  CandidateRanker ranker;
  Resolver(const std::string& root, const std::string& release)
      : host(root, release), kmod(host), catalog(host, kmod), index(VfioAliasIndex::load(host, kmod)),
        ranker(bus, index, catalog) {}
  std::vector<std::string> candidate_modules(const std::string& modalias) {
    std::vector<std::string> out;
    for (const auto& c : ranker.resolve(pci_device(modalias))->candidates) out.push_back(c.module);
    return sorted(out);
  }
};

// kmod's answer for a plain "pci:" modalias, computed with vfioctl's matcher: every alias of
// modules.alias, else every alias of modules.builtin.alias.bin (read through libkmod).
std::vector<std::string> first_source_wins(const std::vector<AliasEntry>& modules_alias,
                                           const std::vector<AliasEntry>& builtin, const std::string& key) {
  for (const auto* source : {&modules_alias, &builtin}) {
    std::set<std::string> found;
    for (const auto& a : *source) {
      if (alias_matches(a.pattern, key)) found.insert(a.module);
    }
    if (!found.empty()) return {found.begin(), found.end()};
  }
  return {};
}

TEST(KmodOracleRecorded, PlainPciQueriesMatchKmodOverTheWholeRealFiles) {
  auto rows = testing::read_resolve_oracle();
  std::size_t checked = 0, non_empty = 0;
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    TempRoot root;
    ModuleTree::from_fixture(root, k);
    KmodSession kmod(HostRoot(root.path(), k.release));
    std::vector<AliasEntry> modules_alias;
    parse_alias_lines(fixture_file(k, "modules.alias"), "pci:", modules_alias);
    auto builtin = kmod.builtin_aliases("pci:");
    ASSERT_TRUE(builtin);
    EXPECT_GT(modules_alias.size(), 2000u);
    for (const auto& row : rows) {
      if (row.kernel != k.folder || row.query.rfind("pci:", 0) != 0) continue;
      auto got = first_source_wins(modules_alias, *builtin, row.query);
      EXPECT_EQ(got, row.modules) << row.query;
      ++checked;
      non_empty += !got.empty();
    }
  }
  EXPECT_EQ(checked, 9u * 6u);
  // virtio_pci on 6.1 (module) and 7.2 (built in, with device-table aliases): 5 virtio devices
  // on 5 kernels; nothing on 6.12, where it is built in without aliases (fixtures finding 4).
  EXPECT_EQ(non_empty, 5u * 5u);
}

// On the real kernels the only vfio alias is the catch-all, so kmod's precedence and vfioctl's
// union agree: the candidate set is exactly kmod's set.
TEST(KmodOracleRecorded, RankerCandidatesEqualKmodForEveryRealVfioQuery) {
  auto rows = testing::read_resolve_oracle();
  std::size_t checked = 0;
  for (const auto& k : fixture_kernels()) {
    SCOPED_TRACE(k.folder);
    TempRoot root;
    ModuleTree::from_fixture(root, k);
    Resolver r(root.path(), k.release);
    for (const auto& row : rows) {
      if (row.kernel != k.folder || row.query.rfind("vfio_pci:", 0) != 0) continue;
      std::string modalias = row.query.substr(5);  // "vfio_pci:..." -> "pci:..."
      EXPECT_EQ(r.candidate_modules(modalias), row.modules) << row.query;
      auto res = r.ranker.resolve(pci_device(modalias));
      EXPECT_EQ(res->key, row.query);
      EXPECT_EQ(sorted(res->kmod_modules), row.modules);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9u * 6u);
}

// ---- live: kmod's modprobe over a tree its depmod built ----

class KmodOracleLive : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod and modprobe (scripts/install-deps.sh)";
  }
  static constexpr const char* kRelease = "6.99.0-vfioctl-stub";

  // Checks that modprobe -R, VfioAliasIndex::kmod_resolution and (when `union_equal`) the
  // ranker's candidate set all name the same modules.
  void expect_agreement(const TempRoot& root, const std::vector<std::string>& modaliases,
                        const std::string& config = "/dev/null") {
    Resolver r(root.path(), kRelease);
    for (const auto& m : modaliases) {
      SCOPED_TRACE(m);
      std::string key = "vfio_" + m;
      auto kmod = testing::modprobe_resolve(root.path(), kRelease, key, config);
      ASSERT_TRUE(kmod.exit_code == 0 || kmod.exit_code == 1) << kmod.error;
      EXPECT_EQ(kmod.exit_code == 0, !kmod.modules.empty());
      EXPECT_EQ(sorted(r.index.kmod_resolution(key)), kmod.modules);
      EXPECT_EQ(r.candidate_modules(m), kmod.modules);
    }
  }
};

// One device per synthetic variant, shaped like the real hardware (a VF or PF with the
// vendor's subsystem ids), plus devices that only the generic or the class alias can take.
std::vector<std::string> live_devices() {
  std::vector<std::string> devices;
  for (const auto& v : testing::synthetic_variants()) devices.push_back(testing::synthetic_device_for(v));
  devices.push_back("pci:v00008086d00001572sv00008086sd00000000bc02sc00i00");  // X710: only class + generic
  devices.push_back("pci:v00008086d00001572sv00008086sd00000000bc02sc00i01");  // prog-if 01: not "i00*"
  devices.push_back("pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02");  // NVMe: generic only
  devices.push_back("pci:v00008086d00000D57sv00000000sd00000000bc06sc00i00");  // host bridge of the snapshot
  return devices;
}

TEST_F(KmodOracleLive, SyntheticVariantsResolveLikeModprobe) {
  TempRoot root;
  std::vector<testing::SyntheticModule> modules = testing::synthetic_variants();
  modules.push_back(testing::synthetic_class_variant());
  modules.push_back(testing::generic_vfio_pci());
  ASSERT_EQ(testing::build_depmod_tree(root, kRelease, modules), std::nullopt);
  auto devices = live_devices();
  for (const auto& m : testing::host_virtio_modaliases()) devices.push_back(m);
  expect_agreement(root, devices);

  // Spot checks, so that agreement on nothing could not pass.
  auto mlx5 = testing::modprobe_resolve(root.path(), kRelease, "vfio_" + devices[0]);
  EXPECT_EQ(mlx5.modules, (std::vector<std::string>{"mlx5_vfio_pci", "synthetic_class_vfio_pci", "vfio_pci"}));
  auto nvme = testing::modprobe_resolve(root.path(), kRelease, "vfio_" + devices[9]);
  EXPECT_EQ(nvme.modules, std::vector<std::string>{"vfio_pci"});
  auto xe = testing::modprobe_resolve(root.path(), kRelease, "vfio_" + devices[6]);
  EXPECT_EQ(xe.modules, (std::vector<std::string>{"vfio_pci", "xe_vfio_pci"}));
}

// With modprobe.d in play kmod answers from the config alone when it matches; vfioctl's
// kmod_resolution reproduces that (its ranker keeps the other sources as candidates).
TEST_F(KmodOracleLive, ModprobeDAliasesTakePrecedenceLikeInModprobe) {
  TempRoot root;
  ASSERT_EQ(testing::build_depmod_tree(root, kRelease, {testing::synthetic_variants()[0], testing::generic_vfio_pci()}),
            std::nullopt);
  testing::write_modprobe_conf(root, "vfio.conf",
                               "alias vfio_pci:v000015B3d0000101E* vfio-pci\n"
                               "alias vfio_pci:v00008086d* admin_choice\n");
  std::string config = root.at("/etc/modprobe.d");
  Resolver r(root.path(), kRelease);
  for (const auto& m : live_devices()) {
    SCOPED_TRACE(m);
    std::string key = "vfio_" + m;
    auto kmod = testing::modprobe_resolve(root.path(), kRelease, key, config);
    EXPECT_EQ(sorted(r.index.kmod_resolution(key)), kmod.modules);
  }
  auto mlx5 = testing::modprobe_resolve(root.path(), kRelease, "vfio_" + live_devices()[0], config);
  EXPECT_EQ(mlx5.modules, std::vector<std::string>{"vfio_pci"});  // the admin's alias hides mlx5's
}

// A kernel with CONFIG_VFIO_PCI=y: kmod answers a variant's device with the variant alone
// (modules.alias comes before modules.builtin.alias.bin), while vfioctl lists the built-in
// vfio_pci too, as the fallback if the variant's probe refuses the device. Everywhere else the
// three answers are the same.
TEST_F(KmodOracleLive, CandidateSetDiffersFromKmodOnlyByTheBuiltinFallback) {
  TempRoot root;
  ASSERT_EQ(testing::build_depmod_tree(root, kRelease, testing::synthetic_variants(), {testing::generic_vfio_pci()}),
            std::nullopt);
  Resolver r(root.path(), kRelease);
  EXPECT_EQ(r.index.info().builtin_origin, "modules.builtin.alias.bin");
  std::size_t differing = 0;
  for (const auto& m : live_devices()) {
    SCOPED_TRACE(m);
    std::string key = "vfio_" + m;
    auto kmod = testing::modprobe_resolve(root.path(), kRelease, key);
    EXPECT_EQ(sorted(r.index.kmod_resolution(key)), kmod.modules);
    auto candidates = r.candidate_modules(m);
    if (candidates == kmod.modules) continue;
    ++differing;
    // The only difference allowed: vfioctl adds the built-in generic module.
    auto with_fallback = kmod.modules;
    with_fallback.push_back("vfio_pci");
    EXPECT_EQ(candidates, sorted(with_fallback));
    EXPECT_EQ(kmod.modules.size(), 1u);
  }
  EXPECT_EQ(differing, 7u);  // the seven variant devices
}

// Dashes: depmod normalises the keys of its binary indexes and modprobe normalises the query
// (kmod shared/util.c alias_normalize()), so kmod treats '-' and '_' alike outside [...].
TEST_F(KmodOracleLive, DashesAndUnderscoresAreTheSameToKmodAndToVfioctl) {
  TempRoot root;
  ASSERT_EQ(testing::build_depmod_tree(root, kRelease,
                                       {{"dash_text", {"vfio_pci:dash_text*"}, ""}},
                                       {{"dash_builtin", {"vfio_pci:dash-builtin*"}, ""}}),
            std::nullopt);
  Resolver r(root.path(), kRelease);
  for (std::string key : {"vfio_pci:dash-text-1", "vfio_pci:dash_text_1", "vfio_pci:dash-builtin-1",
                          "vfio_pci:dash_builtin_1", "vfio_pci:dash-other"}) {
    SCOPED_TRACE(key);
    auto kmod = testing::modprobe_resolve(root.path(), kRelease, key);
    EXPECT_EQ(sorted(r.index.kmod_resolution(key)), kmod.modules);
  }
  EXPECT_EQ(testing::modprobe_resolve(root.path(), kRelease, "vfio_pci:dash-builtin-1").modules,
            std::vector<std::string>{"dash_builtin"});
}

}  // namespace
}  // namespace vfioctl
