#include "cli/commands.h"
#include "cli/device_args.h"
#include "inventory/snapshot.h"
#include "report/explain_report.h"

namespace vfioctl {

int run_explain(const GlobalOptions& g, const std::string& device, CliIo& io) {
  Session session(g.host());
  auto refs = parse_device_args(session.buses(), {device}, io.err);
  if (!refs) return kExitBadInput;
  Snapshot snap = take_snapshot(session, *refs);
  if (!snap.missing.empty() || snap.devices.empty()) {
    io.err << "vfioctl: no such device: " << refs->front().id() << " (run 'vfioctl status' to list devices)\n";
    return kExitBadInput;
  }
  const DeviceReport& report = snap.devices.front();
  std::vector<std::string> notes = refs->front().bus->notes(session, report.device);
  if (auto warning = refs->front().bus->use_warning(session, report.device)) notes.push_back(*warning);
  if (g.json) {
    io.out << explain_json(report, snap, notes).dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& w : snap.warnings) io.err << "vfioctl: warning: " << w << "\n";
  PciNames names(session.host());
  print_explain(report, snap, notes, io.out, names, g.style(io));
  return kExitOk;
}

}  // namespace vfioctl
