// bind and release for s390 AP queues ("ap/05.0004"): through the ap bus's masks, since the
// bus has no driver_override (src/ap/ap_masks.h). Same contract as for PCI: bad input exit 2,
// a refusal exit 3 with nothing touched, a failure puts the masks back (exit 1), and release
// only undoes what vfioctl did. One write makes the change, so a crash leaves either the old
// mask or the new one; the ownership records say which bits vfioctl cleared.
#include "cli/ap_operations.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ap/ap_bind.h"
#include "bind/binding_state.h"
#include "bind/ownership.h"
#include "cli/operation_common.h"
#include "host/file_io.h"
#include "report/operation_report.h"

namespace vfioctl {

namespace {

int fail_input(const GlobalOptions& g, CliIo& io, const char* op, int rc, const std::vector<PlanProblem>& problems,
               bool dry_run) {
  const std::vector<PlanProblem>* bad = rc == kExitBadInput ? &problems : nullptr;
  const std::vector<PlanProblem>* refused = rc == kExitRefused ? &problems : nullptr;
  ProblemLists lists{bad, refused, nullptr};
  if (g.json) {
    io.out << operation_json(op, rc == kExitBadInput ? "invalid" : "refused", rc, nullptr, lists, dry_run).dump(2) << "\n";
  }
  print_problems(lists, io.err);
  return rc;
}

void finish(const GlobalOptions& g, CliIo& io, const char* op, const OperationResult& result) {
  int rc = result.ok ? kExitOk : kExitFailed;
  if (g.json) {
    io.out << operation_json(op, result.ok ? (result.devices.empty() ? "nothing-to-do" : "ok") : "failed", rc, &result,
                             ProblemLists{}, false)
                  .dump(2)
           << "\n";
  } else {
    print_operation_table(result, io.out, g.style(io));
  }
  for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
  if (!result.ok && result.rollback_complete && !g.json) io.err << "vfioctl: every queue was put back where it was\n";
}

}  // namespace

bool any_ap(const std::vector<DeviceRef>& refs) {
  return std::any_of(refs.begin(), refs.end(), [](const DeviceRef& r) { return r.bus->name() == "ap"; });
}

int run_ap_bind(const GlobalOptions& g, const BindArgs& a, CliIo& io, Session& session,
                const std::vector<DeviceRef>& refs) {
  std::vector<PlanProblem> bad;
  if (!std::all_of(refs.begin(), refs.end(), [](const DeviceRef& r) { return r.bus->name() == "ap"; })) {
    bad.push_back({"", "AP queues go to vfio_ap through the AP masks: bind them in a command of their own"});
  }
  if (a.driver && *a.driver != kVfioAp && *a.driver != "vfio-ap") {
    bad.push_back({"", "AP queues can only go to vfio_ap, not " + *a.driver});
  }
  if (a.owner) bad.push_back({"", "--owner does not apply to AP queues: their VFIO device is the vfio_ap mdev"});
  if (!bad.empty()) return fail_input(g, io, "bind", kExitBadInput, bad, a.dry_run);

  const HostRoot& host = session.host();
  ApBindPrepared prepared = prepare_ap_bind(session, refs, a.group);
  if (prepared.block() != BindPlan::Block::kNone) {
    bool input = prepared.block() == BindPlan::Block::kBadInput;
    return fail_input(g, io, "bind", input ? kExitBadInput : kExitRefused, input ? prepared.bad_input : prepared.refusals,
                      a.dry_run);
  }
  const ApBindPlan& plan = prepared.plan;
  OperationEnvironment env(session, io, g);
  if (a.dry_run) {
    if (g.json) {
      auto j = operation_json("bind", "planned", kExitOk, nullptr, ProblemLists{}, true);
      nlohmann::json moved = nlohmann::json::array();
      for (const auto& q : plan.moved) moved.push_back(ap_id(q));
      j["plan"] = {{"load_module", kVfioAp},
                   {"write", plan.edit ? nlohmann::json{{"path", plan.edit->path()}, {"value", plan.edit->value(false)}}
                                       : nlohmann::json(nullptr)},
                   {"moved", moved}};
      io.out << j.dump(2) << "\n";
    } else if (!plan.edit) {
      io.out << "nothing to do: " << ap_names(plan.already) << " already off the host's AP drivers\n";
    } else {
      io.out << "load module " << kVfioAp << "\n";
      io.out << "write " << plan.edit->value(false) << " > " << plan.edit->path() << "\n";
      for (const auto& q : plan.moved) {
        io.out << "  " << ap_id(q) << ": " << ap_queue_driver(host, q).value_or("none") << " → vfio_ap\n";
      }
    }
    return kExitOk;
  }
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  OperationResult result = execute_ap_bind(env.context(), prepared);
  finish(g, io, "bind", result);
  for (const auto& n : result.notes) io.err << "vfioctl: " << n << "\n";
  return result.ok ? kExitOk : kExitFailed;
}

int run_ap_release(const GlobalOptions& g, const ReleaseArgs& a, CliIo& io, Session& session,
                   const std::vector<DeviceRef>& refs) {
  std::vector<PlanProblem> bad;
  if (!std::all_of(refs.begin(), refs.end(), [](const DeviceRef& r) { return r.bus->name() == "ap"; })) {
    bad.push_back({"", "AP queues come back through the AP masks: release them in a command of their own"});
  }
  if (a.to) bad.push_back({"", "--to does not apply to AP queues: the host's zcrypt drivers take them back"});
  if (!bad.empty()) return fail_input(g, io, "release", kExitBadInput, bad, a.dry_run);
  const HostRoot& host = session.host();
  std::string error;
  auto masks = ApMasks::read(host, &error);
  if (!masks) {
    bad.push_back({"", "cannot read the AP masks: " + error});
    return fail_input(g, io, "release", kExitBadInput, bad, a.dry_run);
  }
  const std::vector<Apqn> present = present_ap_queues(session);
  const std::vector<Apqn> wanted = ap_queues_of(refs, present, bad);
  if (!bad.empty()) return fail_input(g, io, "release", kExitBadInput, bad, a.dry_run);

  // The edit behind each queue: its record's, or with --force the bit that keeps it off the host.
  OperationEnvironment env(session, io, g);
  OwnershipStore owners(env.context().state_dir);
  std::map<std::pair<ApMaskKind, std::vector<int>>, ApMaskEdit> edits;
  std::vector<PlanProblem> refused;
  std::set<Apqn> asked(wanted.begin(), wanted.end());
  for (const auto& q : wanted) {
    if (masks->host_owned(q)) continue;  // already the host's: nothing to give back
    auto rec = owners.get("ap", q.name());
    ApMaskEdit edit;
    if (rec && rec->ap_mask) {
      edit.kind = *rec->ap_mask == "aqmask" ? ApMaskKind::kDomains : ApMaskKind::kAdapters;
      edit.bits = rec->ap_bits;
    } else if (a.force) {
      edit.kind = masks->apm.test(q.adapter) ? ApMaskKind::kDomains : ApMaskKind::kAdapters;
      edit.bits = {edit.kind == ApMaskKind::kAdapters ? q.adapter : q.domain};
    } else {
      refused.push_back({ap_id(q), "was not given to vfio_ap by vfioctl; use --force to give it back anyway"});
      continue;
    }
    edits.emplace(std::make_pair(edit.kind, edit.bits), edit);
  }
  for (const auto& [key, edit] : edits) {
    std::vector<Apqn> extra;
    for (const auto& q : queues_restored_by(*masks, present, edit)) {
      if (!asked.count(q)) extra.push_back(q);
    }
    if (!extra.empty()) {
      refused.push_back({"", "setting " + edit.describe() + " back in " + std::string(mask_file(edit.kind)) +
                                 " also gives " + ap_names(extra) + " back to the host; release them together"});
    }
  }
  if (!refused.empty()) return fail_input(g, io, "release", kExitRefused, refused, a.dry_run);

  if (a.dry_run) {
    if (edits.empty()) io.out << "nothing to do\n";
    for (const auto& [key, edit] : edits) io.out << "write " << edit.value(true) << " > " << edit.path() << "\n";
    return kExitOk;
  }
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  OperationResult result;
  for (const auto& [key, edit] : edits) {
    std::vector<Apqn> back = queues_restored_by(*masks, present, edit);
    std::map<std::string, std::optional<std::string>> before;
    for (const auto& q : back) before[q.name()] = ap_queue_driver(host, q);
    int e = env.kernel().write_attribute(edit.path(), edit.value(true));
    bool ok = e == 0 && wait_for_ap_queues(env.kernel(), host, back, false);
    if (e) {
      // ap_bus.c apmask_store/aqmask_store: vfio_ap refuses to give back queues a
      // vfio_ap-passthrough mdev still has assigned (its in_use callback).
      result.errors.push_back(edit.path() + ": " + errno_text(e) +
                              (e == EBUSY || e == EADDRINUSE
                                   ? " (a vfio_ap mdev still has them assigned: unassign them from the matrix device first)"
                                   : ""));
    } else if (!ok) {
      result.errors.push_back("the host's drivers did not take back " + ap_names(back));
    }
    result.ok = result.ok && ok;
    for (const auto& q : back) {
      DeviceResult r;
      r.device = ap_id(q);
      r.before = BindingState{before[q.name()], std::nullopt, true};
      r.after = BindingState{ap_queue_driver(host, q), std::nullopt, true};
      r.changed = e == 0;
      r.ok = ok;
      r.driver = r.after.driver;
      if (ok) owners.remove("ap", q.name());
      result.devices.push_back(std::move(r));
    }
    if (!ok) break;
  }
  finish(g, io, "release", result);
  return result.ok ? kExitOk : kExitFailed;
}

}  // namespace vfioctl
