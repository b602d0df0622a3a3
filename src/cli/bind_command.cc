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
  auto refs = parse_device_args(session.buses(), a.devices, &error);
  if (!refs) {
    io.err << "vfioctl: " << error << "\n";
    return kExitBadInput;
  }
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

  if (plan.block() != BindPlan::Block::kNone) {
    int rc = exit_code_for(plan.block());
    if (g.json) {
      const char* result = rc == kExitBadInput ? "invalid" : rc == kExitRefused ? "refused" : "failed";
      io.out << operation_json("bind", result, rc, nullptr, problems, a.dry_run).dump(2) << "\n";
    }
    print_problems(problems, io.err);
    return rc;
  }
  if (a.dry_run) {
    if (g.json) {
      auto j = operation_json("bind", "planned", kExitOk, nullptr, problems, true);
      j["plan"] = bind_plan_json(plan);
      io.out << j.dump(2) << "\n";
    } else {
      print_bind_dry_run(plan, io.out);
    }
    return kExitOk;
  }

  OperationResult result = execute_bind(env.context(), plan);
  int rc = result.ok ? kExitOk : kExitFailed;
  if (g.json) {
    std::string word = result.ok ? (plan.nothing_to_do() ? "nothing-to-do" : "ok") : "failed";
    io.out << operation_json("bind", word, rc, &result, problems, false).dump(2) << "\n";
  } else {
    print_operation_table(result, io.out, g.style(io));
  }
  for (const auto& e : result.errors) io.err << "vfioctl: " << e << "\n";
  if (!result.ok && result.rollback_complete && !g.json) {
    io.err << "vfioctl: every device was put back where it was\n";
  }
  return rc;
}

}  // namespace vfioctl
