#include "cli/commands.h"
#include "doctor/doctor.h"
#include "report/doctor_report.h"

namespace vfioctl {

// Exit 1 when a finding blocks device assignment, so scripts can gate on `vfioctl doctor`.
int run_doctor(const GlobalOptions& g, CliIo& io) {
  Session session(g.host());
  std::vector<Finding> findings = diagnose(session);
  if (g.json) io.out << doctor_json(findings).dump(2) << "\n";
  else print_doctor(findings, io.out, g.style(io));
  return any_blocking(findings) ? kExitFailed : kExitOk;
}

}  // namespace vfioctl
