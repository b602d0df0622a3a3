#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

constexpr const char* kDescription =
    "vfioctl hands devices to VFIO (virtual machines, DPDK/SPDK, user-space drivers) and gives "
    "them back.\nDEVICE is a PCI address (0000:01:00.0 or 01:00.0) or BUS/NAME.";

}  // namespace

int run_cli(const std::vector<std::string>& args, CliIo& io) {
  CLI::App app{kDescription, "vfioctl"};
  app.fallthrough();  // global options may follow the command name
  app.require_subcommand(1, 1);
  app.set_version_flag("--version", std::string("vfioctl ") + VFIOCTL_VERSION);

  GlobalOptions g;
  app.add_option("--root", g.root, "resolve every host path (/sys, /lib/modules, /etc, /run, /dev, /proc) under DIR")
      ->type_name("DIR");
  app.add_option("--kernel-release", g.kernel_release,
                 "module tree to use (default: uname -r, or the only tree under --root)")
      ->type_name("REL");
  app.add_flag("--json", g.json, "machine-readable output on stdout (one JSON document)");
  app.add_flag("-v,--verbose", g.verbose, "more on stderr");
  app.add_flag("-q,--quiet", g.quiet, "less on stderr");

  std::vector<std::string> status_devices;
  CLI::App* status = app.add_subcommand("status", "one row per device: driver, override, IOMMU group, best vfio driver");
  status->add_option("DEVICE", status_devices, "devices to show (default: all)");

  std::string explain_device;
  CLI::App* explain = app.add_subcommand("explain", "every matching vfio driver for a device, ranked, and why");
  explain->add_option("DEVICE", explain_device, "the device")->required();

  std::vector<const char*> argv{"vfioctl"};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp&) {
    io.out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    io.out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    io.out << "vfioctl " << VFIOCTL_VERSION << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    io.err << "vfioctl: " << e.what() << "\nRun 'vfioctl --help' for usage.\n";
    return kExitBadInput;
  }

  if (g.root != "/" && !path_exists(g.root)) {
    io.err << "vfioctl: --root " << g.root << " does not exist\n";
    return kExitBadInput;
  }
  if (status->parsed()) return run_status(g, status_devices, io);
  if (explain->parsed()) return run_explain(g, explain_device, io);
  io.err << "vfioctl: no command given\nRun 'vfioctl --help' for usage.\n";
  return kExitBadInput;
}

}  // namespace vfioctl
