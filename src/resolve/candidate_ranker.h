// Orders the vfio drivers that could take a device.
//
// Order (each step only breaks ties left by the previous one; all documented in vfioctl(8)):
//   1. score: fields of the alias that are not a bare '*' (kernel commit cc6711b0bf36: the
//      entry with the fewest wildcards is the most specific);
//   2. literal characters in the pattern (an exact value beats a character class);
//   3. source: modprobe.d alias (the admin's word) > modules.alias > built-in alias, which is
//      also the order in which kmod looks;
//   4. a variant before the bus's generic module;
//   5. module name, in byte order; a stable sort keeps anything still equal in index order.
// Candidates that cannot be used stay in the list with a reason and no rank: blacklisted and
// not yet loaded, absent from the module tree, or denied by policy.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bus/bus.h"
#include "modules/module_catalog.h"
#include "modules/vfio_alias_index.h"
#include "resolve/alias_match.h"
#include "resolve/driver_policy.h"

namespace vfioctl {

struct Candidate {
  std::string module;
  std::string alias;  // the most specific of the module's matching patterns; "" when pinned
  AliasSource source = AliasSource::kModulesAlias;
  Specificity specificity;
  int score = 0;
  int rank = 0;  // 1 = preferred; 0 = excluded
  ModuleState state = ModuleState::kNotFound;
  bool blacklisted = false;
  bool generic = false;                  // the bus's generic module (vfio_pci)
  std::vector<std::string> drivers;      // driver names it registered on the bus; empty until loaded
  std::optional<std::string> excluded;   // why it cannot be used
};

// The module state as status and explain report it (cli-contract.md: loaded / builtin /
// available / blacklisted, and not-found for a stale index). "blacklisted" only for a module
// that is not present: a blacklist stops alias-driven loading (modprobe.d(5)), so a blacklisted
// module that is loaded or built in is still usable and reads as loaded or builtin.
std::string_view reported_state(const Candidate& c);

struct Resolution {
  std::string key;  // what was matched: "vfio_pci:v...", the modalias with the vfio prefix
  std::vector<Candidate> candidates;  // ranked ones first (by rank), then excluded ones
  std::optional<std::size_t> chosen;  // index into candidates
  std::string reason;                 // one sentence: why the chosen one, or why none
  std::vector<std::string> kmod_modules;  // what modprobe -R <key> answers, for comparison
  const Candidate* chosen_candidate() const { return chosen ? &candidates[*chosen] : nullptr; }
};

class CandidateRanker {
 public:
  CandidateRanker(const Bus& bus, const VfioAliasIndex& index, ModuleCatalog& catalog,
                  DriverPolicy policy = {});

  // Ranks for a device. Results for the same alias key are shared (policy is per ranker), so
  // listing thousands of identical VFs matches each distinct modalias once.
  std::shared_ptr<const Resolution> resolve(const Device& device);

 private:
  std::shared_ptr<const Resolution> compute(const std::string& key);
  void describe_choice(Resolution& r) const;

  const Bus& bus_;
  const VfioAliasIndex& index_;
  ModuleCatalog& catalog_;
  DriverPolicy policy_;
  std::map<std::string, std::shared_ptr<const Resolution>, std::less<>> cache_;
};

}  // namespace vfioctl
