#include "bind/release.h"
#include "cli/ap_operations.h"
#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_release(const GlobalOptions& g, const ReleaseArgs& a, CliIo& io) {
  Session session(g.host());
  auto refs = parse_device_args(session.buses(), a.devices, io.err);
  if (!refs) return kExitBadInput;
  if (any_ap(*refs)) return run_ap_release(g, a, io, session, *refs);
  OperationEnvironment env(session, io, g);
  if (!a.dry_run) {
    if (int rc = env.begin(/*require_clean=*/true)) return rc;
  }
  ReleaseOptions options{*refs, a.to, a.force};
  ReleasePlan plan = plan_release(session, options);
  ProblemLists problems{&plan.bad_input, &plan.refusals, nullptr};
  if (plan.block() != BindPlan::Block::kNone) return report_blocked(g, io, "release", plan.block(), problems, a.dry_run);
  if (a.dry_run) {
    return report_dry_run(g, io, "release", problems, release_plan_json(plan),
                          [&](std::ostream& out) { print_release_dry_run(plan, out); });
  }
  OperationResult result = execute_release(env.context(), plan);
  return report_result(g, io, result,
                       ResultReport("release", plan.nothing_to_do(), problems));
}

}  // namespace vfioctl
