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
  int rc = outcome.result.ok ? kExitOk : kExitFailed;
  std::string word = !outcome.had_journal ? "nothing-to-do" : outcome.result.ok ? "ok" : "failed";
  if (g.json) {
    auto j = operation_json("recover", word, rc, &outcome.result, ProblemLists{}, false);
    if (outcome.had_journal) {
      j["interrupted"] = {{"operation", outcome.journal.operation}, {"pid", outcome.journal.pid}, {"started", outcome.journal.started}};
    }
    io.out << j.dump(2) << "\n";
  } else if (!outcome.had_journal) {
    if (outcome.result.ok) io.out << "nothing to recover: no interrupted operation\n";
  } else {
    io.out << "recovering an interrupted '" << outcome.journal.operation << "' (pid " << outcome.journal.pid
           << ", started " << outcome.journal.started << ")\n";
    print_operation_table(outcome.result, io.out, g.style(io));
  }
  for (const auto& e : outcome.result.errors) io.err << "vfioctl: " << e << "\n";
  return rc;
}

}  // namespace vfioctl
