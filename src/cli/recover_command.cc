#include "bind/recover.h"
#include "cli/commands.h"
#include "cli/operation_common.h"
#include "report/operation_report.h"

namespace vfioctl {

int run_recover(const GlobalOptions& g, CliIo& io) {
  Session session(g.host());
  OperationEnvironment env(session, io, g);
  if (int rc = env.begin(/*require_clean=*/false)) return rc;
  RecoverOutcome outcome = recover_interrupted(env.context());
  ResultReport how("recover", !outcome.had_journal);
  if (outcome.had_journal) {
    const Journal& journal = outcome.journal;
    how.add_json = [&](nlohmann::json& j) {
      j["interrupted"] = {{"operation", journal.operation}, {"pid", journal.pid}, {"started", journal.started}};
    };
    how.print_header = [&](std::ostream& out) {
      out << "recovering an interrupted '" << journal.operation << "' (pid " << journal.pid << ", started "
          << journal.started << ")\n";
    };
  } else if (outcome.result.ok) {
    how.print_header = [](std::ostream& out) { out << "nothing to recover: no interrupted operation\n"; };
  }
  return report_result(g, io, outcome.result, how);
}

}  // namespace vfioctl
