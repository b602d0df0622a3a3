#include <unistd.h>

#include "cli/commands.h"
#include "cli/device_args.h"
#include "host/file_io.h"
#include "inventory/snapshot.h"
#include "report/status_json_text.h"
#include "report/status_report.h"

namespace vfioctl {

int run_status(const GlobalOptions& g, const std::vector<std::string>& devices, CliIo& io) {
  Session session(g.host());
  auto refs = parse_device_args(session.buses(), devices, io.err);
  if (!refs) return kExitBadInput;
  Snapshot snap = take_snapshot(session, *refs);
  if (!snap.missing.empty()) {
    for (const auto& m : snap.missing) {
      io.err << "vfioctl: no such device: " << m << " (run 'vfioctl status' to list devices)\n";
    }
    return kExitBadInput;
  }
  if (g.json) {
    io.out << status_json_text(snap, session.host()) << "\n";
    return kExitOk;
  }
  if (!g.quiet) {
    for (const auto& w : snap.warnings) io.err << "vfioctl: warning: " << w << "\n";
  }
  if (snap.devices.empty()) {
    io.err << "vfioctl: no devices found under " << session.host().sys("bus/pci/devices") << "\n";
    return kExitOk;
  }
  PciNames names(session.host());
  print_status_table(snap, io.out, &names, g.style(io));
  if (g.verbose) {
    for (const auto& r : snap.devices) {
      for (const auto& w : r.device.warnings) io.err << "vfioctl: " << r.device.id() << ": " << w << "\n";
    }
  }
  return kExitOk;
}

}  // namespace vfioctl
