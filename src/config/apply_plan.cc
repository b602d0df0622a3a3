#include "config/apply_plan.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "config/rule_match.h"
#include "modules/module_name.h"

namespace vfioctl {

namespace {

// What a rule wants for a device; rules that agree on all of it may overlap.
struct Settings {
  DriverKind driver = DriverKind::kAuto;
  std::string driver_name;  // normalised module spelling, so vfio-pci and vfio_pci agree
  bool group = false;
  std::string owner;
  friend auto operator<=>(const Settings&, const Settings&) = default;
};

Settings settings_of(const DeviceRule& r) {
  return Settings{r.driver, r.driver == DriverKind::kNamed ? normalize_module_name(r.driver_name) : std::string(),
                  r.group, r.owner ? r.owner->text : std::string()};
}

std::string driver_text(const DeviceRule& r) {
  return r.driver == DriverKind::kAuto ? "auto" : r.driver == DriverKind::kGeneric ? "generic" : r.driver_name;
}

std::string describe(const DeviceRule& r) {
  std::string s = "driver " + driver_text(r);
  if (r.group) s += ", group";
  if (r.owner) s += ", owner " + r.owner->text;
  return s;
}

struct Intent {
  const DeviceRule* rule;
  Settings settings;
};

struct Batch {
  const DeviceRule* first_rule = nullptr;
  std::vector<DeviceRef> devices;
};

void add_intent(std::map<std::string, Intent>& intents, const std::string& key, const DeviceRule& rule,
                std::vector<PlanProblem>& bad_input) {
  Intent want{&rule, settings_of(rule)};
  auto [it, inserted] = intents.emplace(key, want);
  if (inserted || it->second.settings == want.settings) return;
  const DeviceRule& other = *it->second.rule;
  bad_input.push_back({key, "is selected by the rule at " + other.source.where() + " (" + describe(other) +
                                ") and by the rule at " + rule.source.where() + " (" + describe(rule) +
                                "); make them agree or make one of them more specific"});
}

// The [[pf]] rules: conflicts, validity against the host, and what changes.
std::map<std::string, const PfRule*> plan_sriov(Session& session, const Config& config, ApplyPlan& plan,
                                                const std::set<std::string>* only) {
  std::map<std::string, const PfRule*> by_pf;
  const Bus& pci = session.buses().pci();
  for (const auto& rule : config.pfs) {
    if (only && !only->count(rule.address)) continue;
    auto [it, inserted] = by_pf.emplace(rule.address, &rule);
    if (!inserted) {
      if (it->second->num_vfs != rule.num_vfs) {
        plan.bind.bad_input.push_back({rule.address, "has num_vfs = " + std::to_string(it->second->num_vfs) + " at " +
                                                         it->second->source.where() + " and num_vfs = " +
                                                         std::to_string(rule.num_vfs) + " at " + rule.source.where()});
      }
      continue;
    }
    auto dev = pci.read(session.host(), rule.address);
    if (!dev) {
      plan.notes.push_back("the [[pf]] rule at " + rule.source.where() + " selects no device: " + rule.address +
                           " is not present");
      continue;
    }
    if (!dev->sriov.is_pf()) {
      plan.bind.bad_input.push_back({rule.address, "is not an SR-IOV PF (no sriov_totalvfs), but the rule at " +
                                                       rule.source.where() + " sets its num_vfs"});
      continue;
    }
    if (rule.num_vfs > *dev->sriov.totalvfs) {
      plan.bind.bad_input.push_back({rule.address, "supports 0 to " + std::to_string(*dev->sriov.totalvfs) +
                                                       " VFs, not " + std::to_string(rule.num_vfs) + " (rule at " +
                                                       rule.source.where() + ")"});
      continue;
    }
    const int now = dev->sriov.numvfs.value_or(0);
    if (now != rule.num_vfs) plan.sriov.push_back({rule.address, now, rule.num_vfs, rule.source});
  }
  return by_pf;
}

const SriovChange* change_of(const ApplyPlan& plan, const std::string& pf) {
  for (const auto& c : plan.sriov) {
    if (c.pf == pf) return &c;
  }
  return nullptr;
}

void merge(BindPlan& into, BindPlan&& part, const Batch& batch, ApplyPlan& plan,
           std::map<std::string, std::string>& batch_of_device) {
  const std::string where = batch.first_rule->source.where();
  for (auto& p : part.bad_input) {
    if (p.device.empty()) p.message = "rule at " + where + ": " + p.message;
    else p.message += " (rule at " + where + ")";
    into.bad_input.push_back(std::move(p));
  }
  using Lists = std::pair<std::vector<PlanProblem>*, std::vector<PlanProblem>*>;
  for (const Lists& lists : {Lists{&part.refusals, &into.refusals}, Lists{&part.cannot, &into.cannot}}) {
    for (auto& p : *lists.first) {
      p.message += " (rule at " + where + ")";
      lists.second->push_back(std::move(p));
    }
  }
  for (auto& n : part.notes) into.notes.push_back(std::move(n));
  into.noiommu = into.noiommu || part.noiommu;
  // Only the load of a pinned module ignores the blacklist (bind --driver); the candidates of
  // the other devices never include a blacklisted module, so one pin is enough for all.
  if (part.pinned && !into.pinned) into.pinned = part.pinned;
  for (auto& p : part.devices) {
    const std::string name = p.device.id();
    auto [it, inserted] = batch_of_device.emplace(name, where);
    if (!inserted) {
      into.bad_input.push_back({p.device.id(), "is taken by the rule at " + it->second + " and by the rule at " + where +
                                                   " (through its IOMMU group) with different settings"});
      continue;
    }
    if (!plan.rule_of.count(name)) {
      // Pulled in by group = true: the rule of a selected device in the same group.
      plan.rule_of[name] = batch.first_rule->source;
    }
    p.owner = batch.first_rule->owner;
    into.devices.push_back(std::move(p));
  }
}

}  // namespace

ApplyPlan plan_apply(Session& session, const Config& config, const AddressSource& addresses,
                     const std::set<std::string>* only) {
  ApplyPlan plan;
  const HostRoot& host = session.host();
  auto pf_rules = plan_sriov(session, config, plan, only);

  Snapshot snap = take_snapshot(session, {});
  std::map<std::string, Intent> intents;  // device name (or "VF i of PF") -> what its rule wants
  std::vector<PlanProblem>& bad = plan.bind.bad_input;
  for (const auto& rule : config.devices) {
    const DeviceSelector& s = rule.selector;
    if (s.pf) {
      if (const SriovChange* c = change_of(plan, *s.pf)) {
        PendingVfs pending{*s.pf, {}, driver_text(rule), rule.source};
        if (s.all_vfs) {
          for (int i = 0; i < c->to; ++i) pending.indexes.push_back(i);
        }
        for (int i : s.vfs) {
          if (i >= c->to) {
            bad.push_back({*s.pf, "the rule at " + rule.source.where() + " selects VF " + std::to_string(i) +
                                      ", but the [[pf]] rule at " + c->rule.where() + " gives it " +
                                      std::to_string(c->to) + " VFs"});
          } else {
            pending.indexes.push_back(i);
          }
        }
        for (int i : pending.indexes) add_intent(intents, "VF " + std::to_string(i) + " of " + *s.pf, rule, bad);
        if (pending.indexes.empty()) {
          plan.notes.push_back("the rule at " + rule.source.where() + " selects no device (" + s.describe() + ")");
        } else {
          plan.pending.push_back(std::move(pending));
        }
        continue;
      }
    }
    auto selected = select_devices(host, snap, s);
    if (only) {
      std::erase_if(selected, [&](const std::string& name) { return !only->count(name); });
      if (selected.empty()) continue;  // a rule about other devices
    }
    if (selected.empty()) {
      plan.notes.push_back("the rule at " + rule.source.where() + " selects no device (" + s.describe() + ")");
    }
    for (const auto& name : selected) {
      add_intent(intents, name, rule, bad);
      auto pf = pf_rules.find(name);
      if (pf != pf_rules.end() && pf->second->num_vfs > 0) {
        bad.push_back({name, "the rule at " + rule.source.where() + " binds it, but the [[pf]] rule at " +
                                 pf->second->source.where() + " gives it VFs, and vfio refuses a PF with VFs enabled "
                                 "(\"Cannot bind to PF with SR-IOV enabled\")"});
      }
    }
  }
  if (!bad.empty()) return plan;

  // One plan_bind per distinct setting, in rule order.
  std::map<Settings, Batch> batches;
  std::vector<Settings> order;
  for (const auto& [name, intent] : intents) {
    plan.rule_of[name] = intent.rule->source;
  }
  for (const auto& rule : config.devices) {
    Settings key = settings_of(rule);
    if (!batches.count(key)) order.push_back(key);
    Batch& b = batches[key];
    if (!b.first_rule) b.first_rule = &rule;
  }
  std::vector<DeviceRef> ap_devices;
  bool ap_take_extra = false;
  for (const auto& [name, intent] : intents) {
    if (name.rfind("VF ", 0) == 0) continue;  // pending: no device yet
    std::string error;
    auto ref = session.buses().parse(name, &error);  // a PCI address or BUS/NAME, as select_devices gives it
    if (!ref) continue;
    if (!ref->bus->uses_driver_override()) {
      ap_devices.push_back(*ref);
      ap_take_extra = ap_take_extra || intent.rule->group;
      continue;
    }
    batches[intent.settings].devices.push_back(*ref);
  }
  if (!ap_devices.empty()) {
    plan.ap = prepare_ap_bind(session, ap_devices, ap_take_extra);
    for (const auto& p : plan.ap->bad_input) plan.bind.bad_input.push_back(p);
    for (const auto& p : plan.ap->refusals) plan.bind.refusals.push_back(p);
  }
  std::map<std::string, std::string> batch_of_device;
  for (const auto& key : order) {
    Batch& b = batches[key];
    if (b.devices.empty()) continue;
    std::sort(b.devices.begin(), b.devices.end(), [](const DeviceRef& x, const DeviceRef& y) { return x.name < y.name; });
    BindOptions options;
    options.devices = b.devices;
    options.generic = b.first_rule->driver == DriverKind::kGeneric;
    if (b.first_rule->driver == DriverKind::kNamed) options.driver = b.first_rule->driver_name;
    options.group = b.first_rule->group;
    merge(plan.bind, plan_bind(session, options, addresses), b, plan, batch_of_device);
  }
  return plan;
}

std::vector<PlannedChange> planned_changes(const ApplyPlan& plan) {
  std::vector<PlannedChange> out;
  for (const auto& c : plan.sriov) {
    out.push_back({c.pf, "sriov_numvfs", std::to_string(c.from), std::to_string(c.to), c.rule.where()});
  }
  for (const auto& p : plan.bind.devices) {
    if (p.already_done) continue;
    std::string to = p.candidates.empty() ? "?" : p.candidates.front().module;
    auto rule = plan.rule_of.find(p.device.id());
    out.push_back({p.device.id(), "bind", p.original.driver.value_or("(none)"), to,
                   rule == plan.rule_of.end() ? std::string() : rule->second.where()});
  }
  if (plan.ap && plan.ap->plan.edit) {
    for (const auto& q : plan.ap->plan.moved) {
      auto rule = plan.rule_of.find(ap_id(q));
      auto d = plan.ap->drivers.find(q.name());
      out.push_back({ap_id(q), "bind", d == plan.ap->drivers.end() ? "(none)" : d->second, kVfioAp,
                     rule == plan.rule_of.end() ? std::string() : rule->second.where()});
    }
  }
  for (const auto& v : plan.pending) {
    for (int i : v.indexes) {
      out.push_back({"VF " + std::to_string(i) + " of " + v.pf, "bind", "(created by sriov_numvfs)", v.driver,
                     v.rule.where()});
    }
  }
  return out;
}

std::vector<PlannedChange> unchanged_devices(const ApplyPlan& plan) {
  std::vector<PlannedChange> out;
  for (const auto& p : plan.bind.devices) {
    if (!p.already_done) continue;
    auto rule = plan.rule_of.find(p.device.id());
    out.push_back({p.device.id(), "bind", p.original.driver.value_or("(none)"), p.original.driver.value_or("(none)"),
                   rule == plan.rule_of.end() ? std::string() : rule->second.where()});
  }
  if (plan.ap) {
    for (const auto& q : plan.ap->plan.already) {
      auto rule = plan.rule_of.find(ap_id(q));
      out.push_back({ap_id(q), "bind", kVfioAp, kVfioAp, rule == plan.rule_of.end() ? std::string() : rule->second.where()});
    }
  }
  return out;
}

}  // namespace vfioctl
