#include "resolve/candidate_ranker.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace vfioctl {

namespace {

std::string upper_case(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

int source_rank(AliasSource s) {
  switch (s) {
    case AliasSource::kModprobeConfig: return 0;
    case AliasSource::kModulesAlias: return 1;
    case AliasSource::kBuiltin: return 2;
  }
  return 3;
}

// True when a should come before b (steps 1-5 of the header comment).
bool ranks_before(const Candidate& a, const Candidate& b) {
  if (a.score != b.score) return a.score > b.score;
  if (a.specificity.literal_chars != b.specificity.literal_chars) {
    return a.specificity.literal_chars > b.specificity.literal_chars;
  }
  if (a.source != b.source) return source_rank(a.source) < source_rank(b.source);
  if (a.generic != b.generic) return !a.generic;
  return a.module < b.module;
}

}  // namespace

std::string_view reported_state(const Candidate& c) {
  if (c.blacklisted && !is_present(c.state)) return "blacklisted";
  return to_string(c.state);
}

CandidateRanker::CandidateRanker(const Bus& bus, const VfioAliasIndex& index, ModuleCatalog& catalog,
                                 DriverPolicy policy)
    : bus_(bus), index_(index), catalog_(catalog), policy_(std::move(policy)) {}

std::shared_ptr<const Resolution> CandidateRanker::resolve(const Device& device) {
  auto key = bus_.vfio_alias_key(device);
  if (!key && bus_.vfio_alias_prefix().empty()) {
    // A bus without vfio aliases: vfio-platform, vfio-amba and vfio-fsl-mc have no id table, and
    // vfio_ccw's names a subchannel type (css:t0), which file2alias writes as a plain alias, not a
    // vfio_ one. Nothing to match; the generic driver is the candidate (compute adds it).
    return compute(std::string());
  }
  if (!key) {
    auto r = std::make_shared<Resolution>();
    r->reason = "the device has no usable modalias, so no vfio alias can match it";
    if (policy_.pinned_module) {
      // A pinned driver needs no alias: driver_override forces the match
      // (pci_match_device() returns pci_device_id_any for the named driver).
      return compute(std::string());
    }
    return r;
  }
  if (auto it = cache_.find(*key); it != cache_.end()) return it->second;
  auto r = compute(*key);
  cache_.emplace(*key, r);
  return r;
}

std::shared_ptr<const Resolution> CandidateRanker::compute(const std::string& key) {
  auto r = std::make_shared<Resolution>();
  r->key = key;
  const std::string prefix(bus_.vfio_alias_prefix());
  const std::string generic(bus_.generic_vfio_module());

  // One candidate per module: the most specific of its matching aliases.
  if (!key.empty()) {
    for (const VfioAlias* a : index_.match(key)) {
      Candidate c;
      c.module = a->module;
      c.alias = a->pattern;
      c.source = a->source;
      std::string_view body = a->pattern;
      if (body.substr(0, prefix.size()) == prefix) body.remove_prefix(prefix.size());
      c.specificity = alias_specificity(body, bus_.modalias_fields());
      c.score = c.specificity.score();
      auto same = std::find_if(r->candidates.begin(), r->candidates.end(),
                               [&](const Candidate& x) { return x.module == c.module; });
      if (same == r->candidates.end()) r->candidates.push_back(std::move(c));
      else if (ranks_before(c, *same)) *same = std::move(c);
    }
    r->kmod_modules = index_.kmod_resolution(key);
  }
  if (bus_.vfio_alias_prefix().empty() && !generic.empty() &&
      std::none_of(r->candidates.begin(), r->candidates.end(), [&](const Candidate& c) { return c.module == generic; })) {
    Candidate c;
    c.module = generic;
    r->candidates.push_back(std::move(c));
  }
  if (policy_.pinned_module &&
      std::none_of(r->candidates.begin(), r->candidates.end(),
                   [&](const Candidate& c) { return c.module == *policy_.pinned_module; })) {
    Candidate c;
    c.module = *policy_.pinned_module;
    r->candidates.push_back(std::move(c));
  }

  for (auto& c : r->candidates) {
    c.generic = c.module == generic;
    c.state = catalog_.state(c.module);
    c.blacklisted = catalog_.blacklisted(c.module);
    if (is_present(c.state)) c.drivers = catalog_.drivers_of(c.module, bus_.name());
    if (policy_.pinned_module && c.module != *policy_.pinned_module) {
      c.excluded = "not the driver asked for (" + *policy_.pinned_module + ")";
    } else if (policy_.generic_only && !c.generic) {
      c.excluded = "--generic asks for " + generic + " only";
    } else if (policy_.denied_modules.count(c.module)) {
      c.excluded = "denied by policy";
    } else if (c.state == ModuleState::kNotFound && c.generic && c.alias.empty()) {
      // A bus's generic driver has no alias to be stale: the kernel lacks it. Each one's Kconfig
      // symbol is its module name in capitals (drivers/vfio/pci/Kconfig VFIO_PCI,
      // platform/Kconfig VFIO_PLATFORM and VFIO_AMBA, fsl-mc/Kconfig VFIO_FSL_MC,
      // cdx/Kconfig VFIO_CDX, arch/s390/Kconfig VFIO_CCW and VFIO_AP).
      c.excluded = "not in this kernel: neither built in nor in its module tree (a kernel built with CONFIG_" +
                   upper_case(c.module) + " is needed)";
    } else if (c.state == ModuleState::kNotFound) {
      c.excluded = "module not found in the module tree (stale modules.alias? run depmod)";
    } else if (c.blacklisted && c.state == ModuleState::kAvailable && !policy_.pinned_module) {
      c.excluded = "blacklisted in modprobe.d";
    }
  }

  std::stable_sort(r->candidates.begin(), r->candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.excluded.has_value() != b.excluded.has_value()) return !a.excluded.has_value();
    return ranks_before(a, b);
  });
  int rank = 0;
  for (auto& c : r->candidates) {
    if (!c.excluded) c.rank = ++rank;
  }
  if (!r->candidates.empty() && !r->candidates.front().excluded) r->chosen = 0;
  describe_choice(*r);
  return r;
}

void CandidateRanker::describe_choice(Resolution& r) const {
  const Candidate* c = r.chosen_candidate();
  if (!c) {
    if (r.candidates.empty()) {
      r.reason = r.key.empty() ? "no vfio driver is known for this device"
                               : "no vfio alias matches " + r.key;
    } else {
      r.reason = "every matching vfio driver is excluded (see each candidate's reason)";
    }
    return;
  }
  if (policy_.pinned_module) {
    r.reason = fmt::format("{} was asked for{}", c->module,
                           c->alias.empty() ? " (no alias of it matches; driver_override forces it)" : "");
    return;
  }
  std::size_t usable = 0;
  for (const auto& x : r.candidates) usable += !x.excluded;
  if (c->alias.empty()) {
    r.reason = fmt::format("{} is the {} bus's vfio driver; no vfio alias names the device, so it {}", c->module,
                           bus_.name(),
                           bus_.uses_driver_override() ? "binds through driver_override alone"
                                                       : "takes what the bus's masks leave to it");
    return;
  }
  if (usable == 1) {
    r.reason = fmt::format("{} is the only vfio driver whose alias matches", c->module);
    return;
  }
  const Candidate& next = r.candidates[1];
  if (c->score != next.score) {
    r.reason = fmt::format("{} has the most specific alias: {} of {} fields fixed (next: {}, {})",
                           c->module, c->score, c->specificity.fields, next.module, next.score);
  } else if (c->specificity.literal_chars != next.specificity.literal_chars) {
    r.reason = fmt::format("{} ties with {} on fixed fields and wins on literal characters ({} vs {})",
                           c->module, next.module, c->specificity.literal_chars,
                           next.specificity.literal_chars);
  } else if (c->source != next.source) {
    r.reason = fmt::format("{} ties with {} and wins by alias source ({} before {})", c->module,
                           next.module, to_string(c->source), to_string(next.source));
  } else if (c->generic != next.generic) {
    r.reason = fmt::format("{} ties with {} and wins as the variant over the generic driver",
                           c->module, next.module);
  } else {
    r.reason = fmt::format("{} ties with {} on every rule; chosen by module name (ambiguous: "
                           "consider pinning one with --driver)", c->module, next.module);
  }
}

}  // namespace vfioctl
