#include <charconv>

#include "bind/sriov_control.h"
#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_vfs(const GlobalOptions& g, const VfsArgs& a, CliIo& io) {
  Session session(g.host());
  std::string error;
  auto refs = parse_device_args(session.buses(), {a.pf}, &error);
  if (!refs) {
    io.err << "vfioctl: " << error << "\n";
    return kExitBadInput;
  }
  if (refs->front().bus->name() != "pci") {
    io.err << "vfioctl: SR-IOV is a PCI feature; " << a.pf << " is not a PCI device\n";
    return kExitBadInput;
  }
  OperationEnvironment env(session, io, g);
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  VfsOptions options{refs->front(), a.count, a.bind, a.driver, a.generic, a.force};
  VfsOutcome outcome = run_vfs(env.context(), options, env.addresses());
  if (outcome.block != BindPlan::Block::kNone) {
    int rc = exit_code_for(outcome.block);
    ProblemLists problems;
    if (outcome.block == BindPlan::Block::kBadInput) problems.bad_input = &outcome.problems;
    else problems.refusals = &outcome.problems;
    if (g.json) io.out << operation_json("vfs", rc == kExitBadInput ? "invalid" : "refused", rc, nullptr, problems, false).dump(2) << "\n";
    print_problems(problems, io.err);
    return rc;
  }
  int rc = outcome.result.ok ? kExitOk : kExitFailed;
  if (g.json) {
    auto j = operation_json("vfs", outcome.nothing_to_do ? "nothing-to-do" : outcome.result.ok ? "ok" : "failed", rc,
                            &outcome.result, ProblemLists{}, false);
    j["pf"] = refs->front().name;
    j["vfs"] = outcome.vfs;
    io.out << j.dump(2) << "\n";
  } else {
    io.out << refs->front().name << ": " << outcome.vfs.size() << " VFs";
    for (const auto& vf : outcome.vfs) io.out << " " << vf;
    io.out << "\n";
    if (!outcome.result.devices.empty()) print_operation_table(outcome.result, io.out, g.style(io));
  }
  for (const auto& e : outcome.result.errors) io.err << "vfioctl: " << e << "\n";
  return rc;
}

}  // namespace vfioctl
