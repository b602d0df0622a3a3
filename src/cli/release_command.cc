#include "bind/release.h"
#include "cli/ap_operations.h"
#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_release(const GlobalOptions& g, const ReleaseArgs& a, CliIo& io) {
  Session session(g.host());
  std::string error;
  auto refs = parse_device_args(session.buses(), a.devices, &error);
  if (!refs) {
    io.err << "vfioctl: " << error << "\n";
    return kExitBadInput;
  }
  if (any_ap(*refs)) return run_ap_release(g, a, io, session, *refs);
  OperationEnvironment env(session, io, g);
  if (!a.dry_run) {
    if (int rc = env.begin(/*require_clean=*/true)) return rc;
  }
  ReleaseOptions options{*refs, a.to, a.force};
  ReleasePlan plan = plan_release(session, options);
  ProblemLists problems{&plan.bad_input, &plan.refusals, nullptr};
  if (plan.block() != BindPlan::Block::kNone) {
    int rc = exit_code_for(plan.block());
    if (g.json) {
      io.out << operation_json("release", rc == kExitBadInput ? "invalid" : "refused", rc, nullptr, problems, a.dry_run).dump(2) << "\n";
    }
    print_problems(problems, io.err);
    return rc;
  }
  if (a.dry_run) {
    if (g.json) {
      auto j = operation_json("release", "planned", kExitOk, nullptr, problems, true);
      j["plan"] = release_plan_json(plan);
      io.out << j.dump(2) << "\n";
    } else {
      print_release_dry_run(plan, io.out);
    }
    return kExitOk;
  }
  OperationResult result = execute_release(env.context(), plan);
  int rc = result.ok ? kExitOk : kExitFailed;
  if (g.json) {
    std::string word = result.ok ? (plan.nothing_to_do() ? "nothing-to-do" : "ok") : "failed";
    io.out << operation_json("release", word, rc, &result, problems, false).dump(2) << "\n";
  } else {
    print_operation_table(result, io.out, g.style(io));
  }
  for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
  return rc;
}

}  // namespace vfioctl
