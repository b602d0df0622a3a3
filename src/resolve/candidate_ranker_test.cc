#include "resolve/candidate_ranker.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>

#include "inventory/session.h"
#include "inventory/snapshot.h"
#include "pci/pci_bus.h"
#include "report/explain_report.h"
#include "report/status_report.h"
#include "support/module_tree.h"
#include "support/run_program.h"

namespace vfioctl {
namespace {

using testing::fixture_kernel;
using testing::ModuleTree;
using testing::SyntheticModule;
using testing::TempRoot;

constexpr const char* kMlx5Vf = "pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00";
constexpr const char* kVirtioNet = "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00";
constexpr const char* kNvme = "pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02";

Device pci_device(const std::string& modalias) {
  Device d;
  d.bus = "pci";
  d.name = "0000:01:00.0";
  d.modalias = modalias;
  d.pci = parse_pci_modalias(modalias);
  return d;
}

// A host root whose module tree holds exactly what a test puts in it. The index is either
// loaded from the tree (as Session does) or given, to control sources and order precisely.
class World {
 public:
  explicit World(std::string release = "6.99.0-ranker") : release_(std::move(release)), tree_(root_, release_) {}
  explicit World(const testing::FixtureKernel& k)
      : release_(k.release), tree_(ModuleTree::from_fixture(root_, k)) {}

  TempRoot& root() { return root_; }
  ModuleTree& tree() { return tree_; }
  // Installed and indexed the way depmod would write it into the text files.
  World& loadable(const SyntheticModule& m) {
    tree_.add_synthetic(m);
    return *this;
  }
  World& builtin(const SyntheticModule& m) {
    auto error = tree_.make_builtin(m);
    if (error) ADD_FAILURE() << *error;
    return *this;
  }
  World& conf(std::string_view text) {
    testing::write_modprobe_conf(root_, "test.conf", text);
    return *this;
  }

  std::shared_ptr<const Resolution> rank(const std::string& modalias, DriverPolicy policy = {}) {
    HostRoot host(root_.path(), release_);
    KmodSession kmod(host);
    ModuleCatalog catalog(host, kmod);
    VfioAliasIndex index = VfioAliasIndex::load(host, kmod);
    PciBus bus;
    CandidateRanker ranker(bus, index, catalog, std::move(policy));
    return ranker.resolve(pci_device(modalias));
  }
  std::shared_ptr<const Resolution> rank_with(const std::vector<VfioAlias>& aliases, const std::string& modalias,
                                              DriverPolicy policy = {}) {
    HostRoot host(root_.path(), release_);
    KmodSession kmod(host);
    ModuleCatalog catalog(host, kmod);
    VfioAliasIndex index(aliases);
    PciBus bus;
    CandidateRanker ranker(bus, index, catalog, std::move(policy));
    return ranker.resolve(pci_device(modalias));
  }

 private:
  TempRoot root_;
  std::string release_;
  ModuleTree tree_;
};

std::vector<std::string> order(const Resolution& r) {
  std::vector<std::string> out;
  for (const auto& c : r.candidates) out.push_back(c.module);
  return out;
}

const Candidate& find(const Resolution& r, std::string_view module) {
  for (const auto& c : r.candidates) {
    if (c.module == module) return c;
  }
  throw std::runtime_error("no candidate " + std::string(module));
}

SyntheticModule variant(std::string_view name) {
  for (auto& v : testing::synthetic_variants()) {
    if (v.name == name) return v;
  }
  throw std::runtime_error("no synthetic variant " + std::string(name));
}

std::string device_for(const SyntheticModule& v) { return testing::synthetic_device_for(v); }

std::vector<std::string> sorted_copy(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// A loadable module with no alias, so that a test can use it in a hand-made index.
SyntheticModule plain(std::string name) { return {std::move(name), {}, ""}; }

// ---- ranking ----

TEST(CandidateRanker, EveryVariantRanksFirstOnItsDevice) {
  World w(fixture_kernel("amd64-6.12.95+deb12-amd64"));
  for (const auto& v : testing::synthetic_variants()) w.loadable(v);
  for (const auto& v : testing::synthetic_variants()) {
    SCOPED_TRACE(v.name);
    auto r = w.rank(device_for(v));
    EXPECT_EQ(order(*r), (std::vector<std::string>{v.name, "vfio_pci"}));
    ASSERT_TRUE(r->chosen_candidate());
    EXPECT_EQ(r->chosen_candidate()->module, v.name);
    const Candidate& first = r->candidates[0];
    EXPECT_EQ(first.rank, 1);
    EXPECT_EQ(first.score, 2);  // PCI_DRIVER_OVERRIDE_DEVICE_VFIO: vendor and device fixed
    EXPECT_EQ(first.specificity.fields, 7);
    EXPECT_EQ(first.specificity.wildcard_fields, 5);
    EXPECT_EQ(first.alias, v.aliases.front());
    EXPECT_EQ(first.source, AliasSource::kModulesAlias);
    EXPECT_EQ(first.state, ModuleState::kAvailable);
    EXPECT_FALSE(first.generic);
    EXPECT_TRUE(first.drivers.empty());
    const Candidate& generic = r->candidates[1];
    EXPECT_EQ(generic.rank, 2);
    EXPECT_EQ(generic.score, 0);
    EXPECT_TRUE(generic.generic);
    EXPECT_NE(r->reason.find("most specific alias: 2 of 7 fields fixed (next: vfio_pci, 0)"), std::string::npos)
        << r->reason;
    EXPECT_EQ(sorted_copy(r->kmod_modules), sorted_copy({v.name, "vfio_pci"}));
  }
  // A device no variant claims goes to the generic driver alone.
  auto nvme = w.rank(kNvme);
  EXPECT_EQ(order(*nvme), std::vector<std::string>{"vfio_pci"});
  EXPECT_NE(nvme->reason.find("only vfio driver"), std::string::npos);
}

// file2alias.c writes a class-qualified entry as "...bc02sc00i00*": three fixed fields, the
// last one followed by add_wildcard()'s '*', which does not make it a wildcard field.
TEST(CandidateRanker, ClassQualifiedAliasMatchesAndScoresThreeOfSeven) {
  World w;
  w.loadable(testing::synthetic_class_variant()).loadable(testing::generic_vfio_pci());
  auto r = w.rank(kVirtioNet);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"synthetic_class_vfio_pci", "vfio_pci"}));
  const Candidate& c = r->candidates[0];
  EXPECT_EQ(c.score, 3);
  EXPECT_EQ(c.specificity.fields, 7);
  EXPECT_EQ(c.specificity.wildcard_fields, 4);
  EXPECT_EQ(c.alias, "vfio_pci:v*d*sv*sd*bc02sc00i00*");
  // Other classes and other prog-ifs are not its business.
  EXPECT_EQ(order(*w.rank(kNvme)), std::vector<std::string>{"vfio_pci"});
  EXPECT_EQ(order(*w.rank("pci:v00008086d00001572sv00008086sd00000000bc02sc00i01")),
            std::vector<std::string>{"vfio_pci"});
}

// Rule 1 counts fixed fields whatever they are: a class-qualified alias (bc, sc, i: 3) outranks a
// vendor:device one (v, d: 2) on a device both match. This pins the documented order; it is a
// policy choice of vfioctl(8), not a kernel rule.
TEST(CandidateRanker, FixedFieldCountDecidesBetweenClassAndDeviceAliases) {
  World w;
  w.loadable(variant("mlx5_vfio_pci")).loadable(testing::synthetic_class_variant()).loadable(testing::generic_vfio_pci());
  auto r = w.rank(kMlx5Vf);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"synthetic_class_vfio_pci", "mlx5_vfio_pci", "vfio_pci"}));
}

TEST(CandidateRanker, TieBreakLiteralCharactersBeatABracketExpression) {
  World w;
  w.loadable(plain("a_bracket_vfio_pci")).loadable(plain("mlx5_vfio_pci")).loadable(plain("vfio_pci"));
  std::vector<VfioAlias> aliases = {
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 1},
      // Same two fixed fields, but the device field is a class of 16 ids: fewer literal characters.
      {"vfio_pci:v000015B3d0000101[0-9A-F]sv*sd*bc*sc*i*", "a_bracket_vfio_pci", AliasSource::kModulesAlias, 2},
      {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "mlx5_vfio_pci", AliasSource::kModulesAlias, 3},
  };
  auto r = w.rank_with(aliases, kMlx5Vf);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"mlx5_vfio_pci", "a_bracket_vfio_pci", "vfio_pci"}));
  EXPECT_EQ(r->candidates[0].score, r->candidates[1].score);
  EXPECT_GT(r->candidates[0].specificity.literal_chars, r->candidates[1].specificity.literal_chars);
  EXPECT_NE(r->reason.find("wins on literal characters"), std::string::npos) << r->reason;
}

TEST(CandidateRanker, TieBreakSourceModprobeDThenModulesAliasThenBuiltin) {
  World w;
  w.loadable(plain("zz_from_config")).loadable(plain("mm_from_modules_alias")).loadable(plain("vfio_pci"));
  testing::fake_builtin_module(w.root(), "aa_builtin");
  const std::string p = "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*";
  std::vector<VfioAlias> aliases = {
      {p, "aa_builtin", AliasSource::kBuiltin, 1},
      {p, "mm_from_modules_alias", AliasSource::kModulesAlias, 1},
      {p, "zz_from_config", AliasSource::kModprobeConfig, 1},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 2},
  };
  auto r = w.rank_with(aliases, kMlx5Vf);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"zz_from_config", "mm_from_modules_alias", "aa_builtin", "vfio_pci"}));
  EXPECT_EQ(find(*r, "aa_builtin").state, ModuleState::kBuiltin);
  EXPECT_NE(r->reason.find("wins by alias source (modprobe.d before modules.alias)"), std::string::npos) << r->reason;
  // kmod would have stopped at the config alias.
  EXPECT_EQ(r->kmod_modules, std::vector<std::string>{"zz_from_config"});
}

TEST(CandidateRanker, TieBreakVariantBeforeTheGenericModule) {
  World w;
  w.loadable(plain("zz_catchall_vfio_pci")).loadable(plain("vfio_pci"));
  std::vector<VfioAlias> aliases = {
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 1},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "zz_catchall_vfio_pci", AliasSource::kModulesAlias, 2},
  };
  auto r = w.rank_with(aliases, kNvme);
  // By name alone vfio_pci would come first.
  EXPECT_EQ(order(*r), (std::vector<std::string>{"zz_catchall_vfio_pci", "vfio_pci"}));
  EXPECT_NE(r->reason.find("wins as the variant over the generic driver"), std::string::npos) << r->reason;
}

TEST(CandidateRanker, TieBreakModuleNameNotFileOrder) {
  World w;
  w.loadable(plain("b_vfio_pci")).loadable(plain("a_vfio_pci"));
  const std::string p = "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*";
  auto r = w.rank_with({{p, "b_vfio_pci", AliasSource::kModulesAlias, 1}, {p, "a_vfio_pci", AliasSource::kModulesAlias, 2}},
                       kMlx5Vf);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"a_vfio_pci", "b_vfio_pci"}));
  EXPECT_NE(r->reason.find("chosen by module name (ambiguous"), std::string::npos) << r->reason;
}

// Every order of the same aliases gives the same ranking: the rules, not the index order, decide.
TEST(CandidateRanker, RankingIsStableUnderEveryIndexOrder) {
  World w;
  for (const char* m : {"zz_config", "b_vfio_pci", "a_vfio_pci", "zz_catchall", "vfio_pci", "c_bracket"}) {
    w.loadable(plain(m));
  }
  const std::string p = "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*";
  const std::vector<VfioAlias> aliases = {
      {p, "zz_config", AliasSource::kModprobeConfig, 1},
      {p, "b_vfio_pci", AliasSource::kModulesAlias, 1},
      {p, "a_vfio_pci", AliasSource::kModulesAlias, 2},
      {"vfio_pci:v000015B3d0000101[DE]sv*sd*bc*sc*i*", "c_bracket", AliasSource::kModulesAlias, 3},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "zz_catchall", AliasSource::kModulesAlias, 4},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 5},
  };
  const std::vector<std::string> expected = {"zz_config", "a_vfio_pci", "b_vfio_pci", "c_bracket", "zz_catchall", "vfio_pci"};
  std::vector<std::size_t> idx(aliases.size());
  std::iota(idx.begin(), idx.end(), 0);
  int permutations = 0;
  do {
    std::vector<VfioAlias> shuffled;
    for (auto i : idx) shuffled.push_back(aliases[i]);
    ASSERT_EQ(order(*w.rank_with(shuffled, kMlx5Vf)), expected) << "permutation " << permutations;
    ++permutations;
  } while (std::next_permutation(idx.begin(), idx.end()));
  EXPECT_EQ(permutations, 720);
}

TEST(CandidateRanker, OneCandidatePerModuleWithItsMostSpecificAlias) {
  World w;
  w.loadable(plain("nvgrace_gpu_vfio_pci")).loadable(plain("vfio_pci"));
  auto r = w.rank_with({{"vfio_pci:v000010DEd*sv*sd*bc*sc*i*", "nvgrace_gpu_vfio_pci", AliasSource::kModulesAlias, 1},
                        {"vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*", "nvgrace_gpu_vfio_pci", AliasSource::kModulesAlias, 2},
                        {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 3}},
                       "pci:v000010DEd00002342sv000010DEsd000016EBbc03sc02i00");
  EXPECT_EQ(order(*r), (std::vector<std::string>{"nvgrace_gpu_vfio_pci", "vfio_pci"}));
  EXPECT_EQ(r->candidates[0].alias, "vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*");
  EXPECT_EQ(r->candidates[0].score, 2);
}

TEST(CandidateRanker, SameKeyIsResolvedOnce) {
  World w;
  w.loadable(variant("mlx5_vfio_pci")).loadable(testing::generic_vfio_pci());
  HostRoot host(w.root().path(), "6.99.0-ranker");
  KmodSession kmod(host);
  ModuleCatalog catalog(host, kmod);
  VfioAliasIndex index = VfioAliasIndex::load(host, kmod);
  PciBus bus;
  CandidateRanker ranker(bus, index, catalog);
  auto first = ranker.resolve(pci_device(kMlx5Vf));
  Device another_vf = pci_device(kMlx5Vf);
  another_vf.name = "0000:01:00.3";
  EXPECT_EQ(ranker.resolve(another_vf), first);
  EXPECT_NE(ranker.resolve(pci_device(kNvme)), first);
}

TEST(CandidateRanker, ADeviceWithoutModaliasHasNoCandidates) {
  World w;
  w.loadable(testing::generic_vfio_pci());
  HostRoot host(w.root().path(), "6.99.0-ranker");
  KmodSession kmod(host);
  ModuleCatalog catalog(host, kmod);
  VfioAliasIndex index = VfioAliasIndex::load(host, kmod);
  PciBus bus;
  Device d;
  d.bus = "pci";
  d.name = "0000:01:00.0";
  auto r = CandidateRanker(bus, index, catalog).resolve(d);
  EXPECT_TRUE(r->candidates.empty());
  EXPECT_FALSE(r->chosen);
  EXPECT_NE(r->reason.find("no usable modalias"), std::string::npos);
  // A pinned driver needs no alias (driver_override forces the match).
  auto pinned = CandidateRanker(bus, index, catalog, DriverPolicy{"vfio_pci", false, {}}).resolve(d);
  EXPECT_EQ(order(*pinned), std::vector<std::string>{"vfio_pci"});
  EXPECT_TRUE(pinned->chosen);
}

// ---- policy ----

class RankerPolicy : public ::testing::Test {
 protected:
  RankerPolicy() {
    w.loadable(variant("mlx5_vfio_pci")).loadable(variant("xe_vfio_pci")).loadable(testing::generic_vfio_pci());
  }
  World w;
};

TEST_F(RankerPolicy, PinnedModuleWithAnAlias) {
  auto r = w.rank(kMlx5Vf, DriverPolicy{"vfio_pci", false, {}});
  EXPECT_EQ(order(*r), (std::vector<std::string>{"vfio_pci", "mlx5_vfio_pci"}));
  EXPECT_EQ(r->chosen_candidate()->module, "vfio_pci");
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").rank, 0);
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").excluded, "not the driver asked for (vfio_pci)");
  EXPECT_EQ(r->reason, "vfio_pci was asked for");
}

TEST_F(RankerPolicy, PinnedModuleWithoutAnAlias) {
  auto r = w.rank(kVirtioNet, DriverPolicy{"xe_vfio_pci", false, {}});
  ASSERT_TRUE(r->chosen_candidate());
  const Candidate& c = *r->chosen_candidate();
  EXPECT_EQ(c.module, "xe_vfio_pci");
  EXPECT_EQ(c.alias, "");
  EXPECT_EQ(c.score, 0);
  EXPECT_EQ(c.state, ModuleState::kAvailable);
  EXPECT_EQ(find(*r, "vfio_pci").excluded, "not the driver asked for (xe_vfio_pci)");
  EXPECT_NE(r->reason.find("no alias of it matches; driver_override forces it"), std::string::npos);
}

TEST_F(RankerPolicy, PinnedModuleThatIsNotInstalled) {
  auto r = w.rank(kMlx5Vf, DriverPolicy{"no_such_vfio_pci", false, {}});
  EXPECT_FALSE(r->chosen);
  EXPECT_EQ(find(*r, "no_such_vfio_pci").state, ModuleState::kNotFound);
  EXPECT_NE(find(*r, "no_such_vfio_pci").excluded->find("not found"), std::string::npos);
  EXPECT_EQ(r->reason, "every matching vfio driver is excluded (see each candidate's reason)");
}

TEST_F(RankerPolicy, GenericOnly) {
  auto r = w.rank(kMlx5Vf, DriverPolicy{std::nullopt, true, {}});
  EXPECT_EQ(order(*r), (std::vector<std::string>{"vfio_pci", "mlx5_vfio_pci"}));
  EXPECT_EQ(r->chosen_candidate()->module, "vfio_pci");
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").excluded, "--generic asks for vfio_pci only");
}

TEST_F(RankerPolicy, DeniedModule) {
  auto r = w.rank(kMlx5Vf, DriverPolicy{std::nullopt, false, {"mlx5_vfio_pci"}});
  EXPECT_EQ(order(*r), (std::vector<std::string>{"vfio_pci", "mlx5_vfio_pci"}));
  EXPECT_EQ(find(*r, "vfio_pci").rank, 1);
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").rank, 0);
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").excluded, "denied by policy");
}

// libvirt reports a blacklisted variant as administratively prohibited; vfioctl excludes it
// while it is not loaded (modprobe would refuse an alias load of it: KMOD_PROBE_APPLY_BLACKLIST),
// but a module someone already loaded is usable.
TEST_F(RankerPolicy, BlacklistedAndNotLoadedIsExcluded) {
  w.conf("blacklist mlx5_vfio_pci\n");
  auto r = w.rank(kMlx5Vf);
  EXPECT_EQ(r->chosen_candidate()->module, "vfio_pci");
  const Candidate& c = find(*r, "mlx5_vfio_pci");
  EXPECT_TRUE(c.blacklisted);
  EXPECT_EQ(c.state, ModuleState::kAvailable);
  EXPECT_EQ(c.excluded, "blacklisted in modprobe.d");
  EXPECT_EQ(reported_state(c), "blacklisted");  // cli-contract.md's state for it
  // Pinning it overrides the blacklist.
  auto pinned = w.rank(kMlx5Vf, DriverPolicy{"mlx5_vfio_pci", false, {}});
  EXPECT_EQ(pinned->chosen_candidate()->module, "mlx5_vfio_pci");
}

TEST_F(RankerPolicy, BlacklistedButLoadedIsUsed) {
  w.conf("blacklist mlx5-vfio-pci\n");
  testing::fake_loaded_module(w.root(), "mlx5_vfio_pci", {"mlx5_vfio_pci"});
  auto r = w.rank(kMlx5Vf);
  const Candidate& c = find(*r, "mlx5_vfio_pci");
  EXPECT_TRUE(c.blacklisted);
  EXPECT_EQ(c.state, ModuleState::kLoaded);
  EXPECT_EQ(reported_state(c), "loaded");
  EXPECT_FALSE(c.excluded);
  EXPECT_EQ(r->chosen_candidate()->module, "mlx5_vfio_pci");
  EXPECT_EQ(c.drivers, std::vector<std::string>{"mlx5_vfio_pci"});
}

TEST_F(RankerPolicy, StatesOfTheCandidates) {
  testing::fake_loaded_module(w.root(), "vfio_pci", {"vfio-pci"});
  // An alias whose module left the tree: the index is stale.
  w.tree().add_synthetic({"gone_vfio_pci", {"vfio_pci:v000015B3d*sv*sd*bc*sc*i*"}, ""});
  std::string dep = w.tree().read("modules.dep");
  dep.erase(dep.find("kernel/drivers/vfio/pci/gone-vfio-pci.ko:\n"));
  w.tree().write("modules.dep", dep);
  auto r = w.rank(kMlx5Vf);
  EXPECT_EQ(order(*r), (std::vector<std::string>{"mlx5_vfio_pci", "vfio_pci", "gone_vfio_pci"}));
  EXPECT_EQ(find(*r, "vfio_pci").state, ModuleState::kLoaded);
  EXPECT_EQ(find(*r, "vfio_pci").drivers, std::vector<std::string>{"vfio-pci"});
  EXPECT_EQ(find(*r, "mlx5_vfio_pci").state, ModuleState::kAvailable);
  EXPECT_EQ(find(*r, "gone_vfio_pci").state, ModuleState::kNotFound);
  EXPECT_EQ(find(*r, "gone_vfio_pci").excluded,
            "module not found in the module tree (stale modules.alias? run depmod)");
}

// xe_vfio_pci's driver is "xe-vfio-pci" (upstream drivers/vfio/pci/xe/main.c .name), so the name
// to write into driver_override is only known from /sys/module/xe_vfio_pci/drivers/pci:*.
TEST_F(RankerPolicy, XeDriverNameComesFromSysModule) {
  const std::string xe_device = device_for(variant("xe_vfio_pci"));
  auto before = w.rank(xe_device);
  const Candidate& unloaded = find(*before, "xe_vfio_pci");
  EXPECT_TRUE(unloaded.drivers.empty());
  EXPECT_EQ(candidate_json(unloaded)["driver"], nullptr);
  EXPECT_EQ(candidate_json(unloaded)["driver_note"], "driver name known after load");

  testing::fake_loaded_module(w.root(), "xe_vfio_pci", {"xe-vfio-pci"});
  auto after = w.rank(xe_device);
  const Candidate& loaded = find(*after, "xe_vfio_pci");
  EXPECT_EQ(loaded.drivers, std::vector<std::string>{"xe-vfio-pci"});
  EXPECT_EQ(candidate_json(loaded)["driver"], "xe-vfio-pci");
  EXPECT_FALSE(candidate_json(loaded).contains("driver_note"));
}

// ---- a built-in vfio_pci, visible only in modules.builtin.alias.bin ----

TEST(CandidateRankerBuiltin, BuiltinVfioPciIsFoundThroughTheBinaryIndexOnly) {
  if (!testing::kmod_tools_available()) GTEST_SKIP() << "needs kmod's depmod (scripts/install-deps.sh)";
  World w(fixture_kernel("amd64-6.12.95+deb12-amd64"));
  w.builtin(testing::generic_vfio_pci()).loadable(variant("mlx5_vfio_pci"));
  // The generic alias is gone from every text file vfioctl could read instead.
  EXPECT_EQ(w.tree().read("modules.alias").find("vfio_pci:v*d*"), std::string::npos);
  w.tree().remove("modules.builtin.modinfo");

  auto generic = w.rank(kNvme);
  EXPECT_EQ(order(*generic), std::vector<std::string>{"vfio_pci"});
  const Candidate& c = generic->candidates[0];
  EXPECT_EQ(c.source, AliasSource::kBuiltin);
  EXPECT_EQ(c.state, ModuleState::kBuiltin);
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(candidate_json(c)["driver_note"], "the module registered no driver on this bus");

  // A variant still wins where it matches; the built-in generic stays listed as the fallback
  // although kmod, which stops at modules.alias, would not name it.
  auto mlx5 = w.rank(kMlx5Vf);
  EXPECT_EQ(order(*mlx5), (std::vector<std::string>{"mlx5_vfio_pci", "vfio_pci"}));
  EXPECT_EQ(mlx5->kmod_modules, std::vector<std::string>{"mlx5_vfio_pci"});
}

// ---- explain ----

// A fake PCI device: what PciBus reads of /sys/bus/pci/devices/<address>.
void add_pci_device(TempRoot& root, const std::string& address, const std::string& modalias) {
  root.write("/sys/bus/pci/devices/" + address + "/modalias", modalias + "\n");
  root.write("/sys/bus/pci/devices/" + address + "/driver_override", "(null)\n");
}

TEST(Explain, RanksTheVariantFirstInTheJsonDocument) {
  World w(fixture_kernel("amd64-6.12.95+deb12-amd64"));
  for (const auto& v : testing::synthetic_variants()) w.loadable(v);
  add_pci_device(w.root(), "0000:03:00.2", kMlx5Vf);

  Session session(HostRoot(w.root().path(), "6.12.95+deb12-amd64"));
  Snapshot snap = take_snapshot(session, {});
  ASSERT_EQ(snap.devices.size(), 1u);
  nlohmann::json j = explain_json(snap.devices[0], snap, {});
  ASSERT_EQ(j["candidates"].size(), 2u);
  EXPECT_EQ(j["candidates"][0]["module"], "mlx5_vfio_pci");
  EXPECT_EQ(j["candidates"][0]["rank"], 1);
  EXPECT_EQ(j["candidates"][0]["score"], 2);
  EXPECT_EQ(j["candidates"][0]["driver"], nullptr);
  EXPECT_EQ(j["candidates"][0]["driver_note"], "driver name known after load");
  EXPECT_EQ(j["candidates"][1]["module"], "vfio_pci");
  EXPECT_EQ(j["candidates"][1]["rank"], 2);
  EXPECT_EQ(j["chosen"]["module"], "mlx5_vfio_pci");
  EXPECT_EQ(j["key"], std::string("vfio_") + kMlx5Vf);
}

// The same through the built binary, as a user runs it.
TEST(Explain, TheBinaryRanksTheVariantFirst) {
  World w(fixture_kernel("amd64-6.12.95+deb12-amd64"));
  for (const auto& v : testing::synthetic_variants()) w.loadable(v);
  w.loadable(testing::synthetic_class_variant());
  add_pci_device(w.root(), "0000:03:00.2", kMlx5Vf);
  add_pci_device(w.root(), "0000:04:00.0", device_for(variant("xe_vfio_pci")));
  testing::fake_loaded_module(w.root(), "xe_vfio_pci", {"xe-vfio-pci"});

  auto run = testing::run_program({VFIOCTL_BINARY, "--root", w.root().path(), "--kernel-release",
                                   "6.12.95+deb12-amd64", "--json", "explain", "0000:04:00.0"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  ASSERT_GE(j["candidates"].size(), 2u);
  EXPECT_EQ(j["candidates"][0]["module"], "xe_vfio_pci");
  EXPECT_EQ(j["candidates"][0]["driver"], "xe-vfio-pci");
  EXPECT_EQ(j["chosen"]["driver"], "xe-vfio-pci");
  EXPECT_EQ(j["candidates"].back()["module"], "vfio_pci");
}

}  // namespace
}  // namespace vfioctl
