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

int fail_input(const GlobalOptions& g, CliIo& io, const char* op, BindPlan::Block block,
               const std::vector<PlanProblem>& problems, bool dry_run) {
  ProblemLists lists;
  if (block == BindPlan::Block::kBadInput) lists.bad_input = &problems;
  else lists.refusals = &problems;
  return report_blocked(g, io, op, block, lists, dry_run);
}

int finish(const GlobalOptions& g, CliIo& io, const char* op, const OperationResult& result) {
  ResultReport how(op, result.devices.empty());
  how.unit = "queue";
  return report_result(g, io, result, how);
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
  if (!bad.empty()) return fail_input(g, io, "bind", BindPlan::Block::kBadInput, bad, a.dry_run);

  const HostRoot& host = session.host();
  ApBindPrepared prepared = prepare_ap_bind(session, refs, a.group);
  if (prepared.block() != BindPlan::Block::kNone) {
    bool input = prepared.block() == BindPlan::Block::kBadInput;
    return fail_input(g, io, "bind", prepared.block(), input ? prepared.bad_input : prepared.refusals, a.dry_run);
  }
  const ApBindPlan& plan = prepared.plan;
  OperationEnvironment env(session, io, g);
  if (a.dry_run) {
    nlohmann::json moved = nlohmann::json::array();
    for (const auto& q : plan.moved) moved.push_back(ap_id(q));
    nlohmann::json json_plan = {
        {"load_module", kVfioAp},
        {"write", plan.edit ? nlohmann::json{{"path", plan.edit->path()}, {"value", plan.edit->value(false)}}
                            : nlohmann::json(nullptr)},
        {"moved", moved}};
    return report_dry_run(g, io, "bind", ProblemLists{}, std::move(json_plan), [&](std::ostream& out) {
      if (!plan.edit) {
        out << "nothing to do: " << ap_names(plan.already) << " already off the host's AP drivers\n";
        return;
      }
      out << "load module " << kVfioAp << "\n";
      out << "write " << plan.edit->value(false) << " > " << plan.edit->path() << "\n";
      for (const auto& q : plan.moved) {
        out << "  " << ap_id(q) << ": " << ap_queue_driver(host, q).value_or("none") << " → vfio_ap\n";
      }
    });
  }
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  OperationResult result = execute_ap_bind(env.context(), prepared);
  int rc = finish(g, io, "bind", result);
  for (const auto& n : result.notes) io.err << "vfioctl: " << n << "\n";
  return rc;
}

int run_ap_release(const GlobalOptions& g, const ReleaseArgs& a, CliIo& io, Session& session,
                   const std::vector<DeviceRef>& refs) {
  std::vector<PlanProblem> bad;
  if (!std::all_of(refs.begin(), refs.end(), [](const DeviceRef& r) { return r.bus->name() == "ap"; })) {
    bad.push_back({"", "AP queues come back through the AP masks: release them in a command of their own"});
  }
  if (a.to) bad.push_back({"", "--to does not apply to AP queues: the host's zcrypt drivers take them back"});
  if (!bad.empty()) return fail_input(g, io, "release", BindPlan::Block::kBadInput, bad, a.dry_run);
  OperationEnvironment env(session, io, g);
  ApReleasePrepared prepared = prepare_ap_release(session, env.context().state_dir, refs, a.force);
  if (prepared.block() != BindPlan::Block::kNone) {
    bool input = prepared.block() == BindPlan::Block::kBadInput;
    return fail_input(g, io, "release", prepared.block(), input ? prepared.bad_input : prepared.refusals, a.dry_run);
  }
  if (a.dry_run) {
    nlohmann::json writes = nlohmann::json::array();
    for (const auto& edit : prepared.edits) writes.push_back({{"path", edit.path()}, {"value", edit.value(true)}});
    return report_dry_run(g, io, "release", ProblemLists{}, nlohmann::json{{"writes", writes}}, [&](std::ostream& out) {
      if (prepared.edits.empty()) out << "nothing to do\n";
      for (const auto& edit : prepared.edits) out << "write " << edit.value(true) << " > " << edit.path() << "\n";
    });
  }
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  return finish(g, io, "release", execute_ap_release(env.context(), prepared));
}

}  // namespace vfioctl
