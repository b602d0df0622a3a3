#include <charconv>

#include "bind/sriov_control.h"
#include "cli/commands.h"
#include "cli/device_args.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_vfs(const GlobalOptions& g, const VfsArgs& a, CliIo& io) {
  Session session(g.host());
  auto refs = parse_device_args(session.buses(), {a.pf}, io.err);
  if (!refs) return kExitBadInput;
  if (refs->front().bus->name() != "pci") {
    io.err << "vfioctl: SR-IOV is a PCI feature; " << a.pf << " is not a PCI device\n";
    return kExitBadInput;
  }
  OperationEnvironment env(session, io, g);
  if (int rc = env.begin(/*require_clean=*/true)) return rc;
  VfsOptions options{refs->front(), a.count, a.bind, a.driver, a.generic, a.force};
  VfsOutcome outcome = run_vfs(env.context(), options, env.addresses());
  if (outcome.block != BindPlan::Block::kNone) {
    ProblemLists problems;
    if (outcome.block == BindPlan::Block::kBadInput) problems.bad_input = &outcome.problems;
    else problems.refusals = &outcome.problems;
    return report_blocked(g, io, "vfs", outcome.block, problems, false);
  }
  const std::string& pf = refs->front().name;
  ResultReport how("vfs", outcome.nothing_to_do);
  how.add_json = [&](nlohmann::json& j) {
    j["pf"] = pf;
    j["vfs"] = outcome.vfs;
  };
  how.print_header = [&](std::ostream& out) {
    out << pf << ": " << outcome.vfs.size() << " VFs";
    for (const auto& vf : outcome.vfs) out << " " << vf;
    out << "\n";
  };
  return report_result(g, io, outcome.result, how);
}

}  // namespace vfioctl
