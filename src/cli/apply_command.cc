// `vfioctl apply [FILE] [--dry-run]`: bring the host to the configuration, all or nothing.
//   1. parse every file (any error: exit 2, nothing read from or written to sysfs);
//   2. plan against the host (conflicts and bad values: 2; safety refusals: 3);
//   3. set the VF counts ([[pf]] rules, through run_vfs), plan again now that the new VFs
//      exist, then bind everything in one execute_bind. A failure in any step puts the devices
//      and the VF counts back (exit 1).
#include <set>

#include <fmt/format.h>

#include "bind/bind_executor.h"
#include "bind/journal.h"
#include "bind/override_binder.h"
#include "bind/sriov_control.h"
#include "host/file_io.h"

#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "config/apply_plan.h"
#include "config/config_file.h"
#include "config/rule_match.h"
#include "report/operation_report.h"
#include "report/table.h"

namespace vfioctl {

namespace {

nlohmann::json changes_json(const std::vector<PlannedChange>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : changes) {
    out.push_back({{"device", c.device}, {"action", c.action}, {"from", c.from}, {"to", c.to}, {"rule", c.rule}});
  }
  return out;
}

void print_changes(const std::vector<PlannedChange>& changes, std::ostream& out, const OutputStyle& style) {
  Table t({"DEVICE", "CHANGE", "RULE"});
  for (const auto& c : changes) {
    // The arrow of the result table (print_operation_table), so plan and result read alike.
    std::string what = (c.action == "sriov_numvfs" ? "sriov_numvfs " : "") + c.from + " → " + c.to;
    t.add_row({c.device, what, c.rule});
  }
  t.print(out, style.width);
}

ProblemLists problems_of(const BindPlan& plan) { return ProblemLists{&plan.bad_input, &plan.refusals, &plan.cannot}; }

struct SriovUndo {
  OperationContext& ctx;
  std::vector<SriovChange> done;
  // Newest first; returns false when a PF could not be put back.
  bool run(OperationResult& out) {
    bool ok = true;
    for (auto it = done.rbegin(); it != done.rend(); ++it) {
      std::string error;
      if (!restore_sriov(ctx, it->pf, it->from, std::nullopt, &error)) {
        ok = false;
        out.errors.push_back(it->pf + ": could not put sriov_numvfs back to " + std::to_string(it->from) + ": " + error);
      }
    }
    done.clear();
    return ok;
  }
};

// VFs created with autoprobe off that no rule selected: drivers_probe gives each to whatever
// host driver matches, as autoprobe would have (drivers/pci/pci-driver.c pci_device_probe,
// which sriov_drivers_autoprobe no longer blocks once it is back on). Not all or nothing: a VF
// left unbound is only a note, as it would be on a PF whose autoprobe is off.
void probe_unselected_vfs(OperationContext& ctx, const std::vector<SriovChange>& done, const ApplyPlan& plan,
                          std::vector<std::string>& notes) {
  const HostRoot& host = ctx.session.host();
  OverrideBinder binder(host, ctx.kernel, ctx.session.buses().pci());
  for (const auto& change : done) {
    for (const auto& vf : list_vfs(host, change.pf)) {
      if (plan.rule_of.count(vf)) continue;
      BindingState s = binder.state(vf);
      if (!s.present || s.driver) continue;
      if (int e = binder.probe(vf)) notes.push_back(vf + ": drivers_probe: " + errno_text(e) + "; it is left unbound");
    }
  }
}

}  // namespace

int run_apply(const GlobalOptions& g, const ApplyArgs& a, CliIo& io) {
  Session session(g.host());
  ConfigResult loaded = a.file ? load_config_file(*a.file) : load_default_config(session.host());
  if (!loaded.config) {
    if (g.json) {
      std::vector<PlanProblem> bad;
      for (const auto& e : loaded.errors) bad.push_back({"", e});
      io.out << operation_json("apply", "invalid", kExitBadInput, nullptr, ProblemLists{&bad}, a.dry_run).dump(2) << "\n";
    }
    for (const auto& e : loaded.errors) io.err << "vfioctl: " << e << "\n";
    return kExitBadInput;
  }
  const Config& config = *loaded.config;
  // --device: validated like every DEVICE argument, before anything is read from sysfs.
  std::optional<std::set<std::string>> only;
  if (!a.devices.empty()) {
    auto refs = parse_device_args(session.buses(), a.devices, io.err);
    if (!refs) return kExitBadInput;
    only.emplace();
    for (const auto& r : *refs) only->insert(r.id());
  }
  const std::set<std::string>* filter = only ? &*only : nullptr;
  if (config.files.empty() && !g.quiet && !filter) {
    io.err << "vfioctl: no configuration (" << kMainConfigPath << ", " << kDropInDir << "/*.toml): nothing to do\n";
  }

  OperationEnvironment env(session, io, g);
  if (!a.dry_run) {
    if (int rc = env.begin(/*require_clean=*/true)) return rc;
  }
  ApplyPlan plan = plan_apply(session, config, env.addresses(), filter);
  auto print_notes = [&](const std::vector<std::string>& notes) {
    if (g.quiet) return;
    for (const auto& n : notes) io.err << "vfioctl: " << n << "\n";
  };
  auto base_json = [&](const std::string& result, int rc, const OperationResult* outcome, const ApplyPlan& p) {
    auto j = operation_json("apply", result, rc, outcome, problems_of(p.bind), a.dry_run);
    j["files"] = config.files;
    j["changes"] = changes_json(planned_changes(p));
    j["unchanged"] = changes_json(unchanged_devices(p));
    for (const auto& n : p.notes) j["notes"].push_back(n);
    if (!outcome) {
      for (const auto& n : p.bind.notes) j["notes"].push_back(n);
    }
    return j;
  };
  auto blocked = [&](const ApplyPlan& p) {
    int rc = exit_code_for(p.block());
    if (g.json) {
      io.out << base_json(rc == kExitBadInput ? "invalid" : rc == kExitRefused ? "refused" : "failed", rc, nullptr, p)
                    .dump(2)
             << "\n";
    }
    print_problems(problems_of(p.bind), io.err);
    return rc;
  };

  if (plan.block() != BindPlan::Block::kNone) return blocked(plan);
  if (plan.nothing_to_do()) {
    if (g.json) {
      io.out << base_json(a.dry_run ? "planned" : "nothing-to-do", kExitOk, nullptr, plan).dump(2) << "\n";
    } else {
      io.out << fmt::format("nothing to do: {} rule{}, every selected device is as configured\n",
                            config.devices.size() + config.pfs.size(),
                            config.devices.size() + config.pfs.size() == 1 ? "" : "s");
    }
    print_notes(plan.notes);
    return kExitOk;
  }
  if (a.dry_run) {
    if (g.json) io.out << base_json("planned", kExitOk, nullptr, plan).dump(2) << "\n";
    else print_changes(planned_changes(plan), io.out, g.style(io));
    print_notes(plan.notes);
    print_notes(plan.bind.notes);
    return kExitOk;
  }

  // Execution. The plan shown is the one made before any write.
  const std::vector<PlannedChange> shown = planned_changes(plan);
  OperationResult result;
  SriovUndo undo{env.context(), {}};
  std::optional<ApBindPrepared> ap_done;  // AP queues given to vfio_ap by this run
  auto fail = [&](int rc, const ApplyPlan& p) {
    result.ok = false;
    result.rolled_back = true;
    if (ap_done) {
      std::string error;
      if (!undo_ap_bind(env.context(), *ap_done, &error)) {
        result.rollback_complete = false;
        result.errors.push_back("AP queues: " + error);
      }
    }
    if (!undo.run(result)) result.rollback_complete = false;
    if (g.json) {
      auto j = base_json("failed", rc, &result, p);
      j["changes"] = changes_json(shown);
      io.out << j.dump(2) << "\n";
    }
    for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
    if (result.rollback_complete && !g.json) io.err << "vfioctl: every device was put back where it was\n";
    return rc;
  };

  // AP queues first: one mask write, undone by one write if a later step fails.
  if (plan.ap && plan.ap->plan.edit) {
    OperationResult ap = execute_ap_bind(env.context(), *plan.ap);
    for (auto& d : ap.devices) result.devices.push_back(std::move(d));
    for (auto& e : ap.errors) result.errors.push_back(std::move(e));
    if (!ap.ok) {
      // The AP step put its own mask back; nothing else has been done yet.
      result.ok = false;
      result.rolled_back = true;
      result.rollback_complete = ap.rollback_complete;
      if (g.json) io.out << base_json("failed", kExitFailed, &result, plan).dump(2) << "\n";
      for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
      return kExitFailed;
    }
    ap_done = plan.ap;
  }
  for (const auto& change : plan.sriov) {
    // The VFs appear unbound: the rules' VFs go to vfio without a host VF driver probing them
    // first (and racing the bind), and the others are probed below, once the binds are done.
    VfsOptions options{DeviceRef{&session.buses().pci(), change.pf}, change.to, false, std::nullopt, false, false};
    options.unbound_vfs = true;
    VfsOutcome vfs = run_vfs(env.context(), options, env.addresses());
    if (vfs.block != BindPlan::Block::kNone) {
      for (const auto& p : vfs.problems) result.errors.push_back(p.device + ": " + p.message);
      return fail(exit_code_for(vfs.block), plan);
    }
    for (const auto& e : vfs.result.errors) result.errors.push_back(e);
    if (!vfs.result.ok) return fail(kExitFailed, plan);  // run_vfs put this PF back itself
    undo.done.push_back(change);
  }
  if (!undo.done.empty()) {
    // The VFs a PF of --device just got belong to this run too (their own udev events wait for
    // the lock and then find them done).
    if (only) {
      for (const auto& change : undo.done) {
        for (int i = 0; i < change.to; ++i) {
          if (auto vf = vf_address(session.host(), change.pf, i)) only->insert(*vf);
        }
      }
    }
    ApplyPlan after = plan_apply(session, config, env.addresses(), filter);
    if (after.block() != BindPlan::Block::kNone) {
      int rc = exit_code_for(after.block());
      for (auto* list : {&after.bind.bad_input, &after.bind.refusals, &after.bind.cannot}) {
        for (const auto& p : *list) result.errors.push_back((p.device.empty() ? "" : p.device + ": ") + p.message);
      }
      return fail(rc, after);
    }
    plan = std::move(after);
  }
  if (!plan.bind.nothing_to_do()) {
    // With one PF changed, the bind journal also holds its old VF count, so `vfioctl recover`
    // after a crash while binding undoes the whole apply. The journal has room for one PF only;
    // with several, a crash leaves the new VF counts (a state a second apply completes).
    Journal base;
    base.operation = "apply";
    if (undo.done.size() == 1) {
      base.sriov_pf = undo.done.front().pf;
      base.sriov_numvfs = undo.done.front().from;
    }
    OperationResult bound = execute_bind(env.context(), plan.bind, base);
    for (const auto& d : bound.devices) result.devices.push_back(d);
    result.notes = bound.notes;
    for (auto& e : bound.errors) result.errors.push_back(e);
    if (!bound.ok) {
      if (!bound.rollback_complete) {
        // The journal is kept for recover; the VF counts are left so recover finds the VFs.
        result.ok = false;
        result.rollback_complete = false;
        if (g.json) io.out << base_json("failed", kExitFailed, &result, plan).dump(2) << "\n";
        for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
        return kExitFailed;
      }
      return fail(kExitFailed, plan);
    }
  }
  probe_unselected_vfs(env.context(), undo.done, plan, result.notes);
  if (g.json) {
    auto j = base_json("ok", kExitOk, &result, plan);
    j["changes"] = changes_json(shown);
    io.out << j.dump(2) << "\n";
  } else {
    print_changes(shown, io.out, g.style(io));
    if (!result.devices.empty()) print_operation_table(result, io.out, g.style(io));
  }
  print_notes(plan.notes);
  for (const auto& n : result.notes) io.err << "vfioctl: " << n << "\n";
  return kExitOk;
}

}  // namespace vfioctl
