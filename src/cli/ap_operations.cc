// bind and release for s390 AP queues ("ap/05.0004"): through the ap bus's masks, since the
// bus has no driver_override (src/ap/ap_masks.h). Same contract as for PCI: bad input exit 2,
// a refusal exit 3 with nothing touched, a failure puts the masks back (exit 1), and release
// only undoes what vfioctl did (the ownership records say which bits vfioctl cleared). A journal
// is written before the first mask write, so `vfioctl recover` undoes an interrupted one.
#include "cli/ap_operations.h"

#include <algorithm>

#include "ap/ap_bind.h"
#include "ap/ap_release.h"
#include "cli/operation_common.h"
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
  OperationEnvironment env(session, io, g);
  ApReleasePrepared prepared = prepare_ap_release(session, env.context().state_dir, refs, a.force);
  if (prepared.block() != BindPlan::Block::kNone) {
    bool input = prepared.block() == BindPlan::Block::kBadInput;
    return fail_input(g, io, "release", input ? kExitBadInput : kExitRefused,
                      input ? prepared.bad_input : prepared.refusals, a.dry_run);
  }
  if (a.dry_run) {
    if (prepared.edits.empty()) io.out << "nothing to do\n";
    for (const auto& edit : prepared.edits) io.out << "write " << edit.value(true) << " > " << edit.path() << "\n";
    return kExitOk;
  }
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  OperationResult result = execute_ap_release(env.context(), prepared);
  finish(g, io, "release", result);
  return result.ok ? kExitOk : kExitFailed;
}

}  // namespace vfioctl
