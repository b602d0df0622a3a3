#include "bind/bind_executor.h"
#include "bind/bind_plan.h"
#include "cli/ap_operations.h"
#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_bind(const GlobalOptions& g, const BindArgs& a, CliIo& io) {
  Session session(g.host());
  std::string error;
  auto refs = parse_device_args(session.buses(), a.devices, io.err);
  if (!refs) return kExitBadInput;
  if (any_ap(*refs)) return run_ap_bind(g, a, io, session, *refs);
  std::optional<OwnerSpec> owner;
  if (a.owner) {
    owner = parse_owner(*a.owner, &error);
    if (!owner) {
      io.err << "vfioctl: " << error << "\n";
      return kExitBadInput;
    }
  }
  OperationEnvironment env(session, io, g);
  env.context().owner = owner;
  if (!a.dry_run) {
    if (int rc = env.begin(/*require_clean=*/true)) return rc;
  }

  BindOptions options;
  options.devices = *refs;
  options.driver = a.driver;
  options.generic = a.generic;
  options.group = a.group;
  options.force = a.force;
  options.noiommu = a.noiommu;
  BindPlan plan = plan_bind(session, options, env.addresses());
  ProblemLists problems{&plan.bad_input, &plan.refusals, &plan.cannot};

  if (plan.block() != BindPlan::Block::kNone) return report_blocked(g, io, "bind", plan.block(), problems, a.dry_run);
  if (a.dry_run) {
    return report_dry_run(g, io, "bind", problems, bind_plan_json(plan),
                          [&](std::ostream& out) { print_bind_dry_run(plan, out); });
  }
  OperationResult result = execute_bind(env.context(), plan);
  return report_result(g, io, result, ResultReport("bind", plan.nothing_to_do(), problems));
}

}  // namespace vfioctl
