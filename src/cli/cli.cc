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

  BindArgs bind_args;
  CLI::App* bind = app.add_subcommand("bind", "give devices to their best vfio driver (a variant, else vfio-pci)");
  bind->add_option("DEVICE", bind_args.devices, "devices to bind")->required();
  auto* bind_driver = bind->add_option("--driver", bind_args.driver, "use this driver or module (vfio-pci, vfio_pci, mlx5_vfio_pci ...)")->type_name("NAME");
  auto* bind_generic = bind->add_flag("--generic", bind_args.generic, "use the bus's generic vfio driver (vfio-pci), not a variant");
  bind_driver->excludes(bind_generic);
  bind->add_flag("--group", bind_args.group, "also bind every other endpoint of each device's IOMMU group");
  bind->add_flag("--dry-run,-n", bind_args.dry_run, "show the plan and the sysfs writes; change nothing");
  bind->add_flag("--force", bind_args.force, "take devices the host is using (network up, mounted disk, console)");
  bind->add_flag("--noiommu", bind_args.noiommu, "allow binding without an IOMMU (vfio's unsafe no-IOMMU mode)");
  bind->add_option("--owner", bind_args.owner, "chown the device's VFIO nodes so USER can open them")->type_name("USER[:GROUP]");

  ReleaseArgs release_args;
  CLI::App* release = app.add_subcommand("release", "give devices vfioctl bound back to their host driver");
  release->add_option("DEVICE", release_args.devices, "devices to release")->required();
  release->add_option("--to", release_args.to, "bind to this driver instead of the host driver")->type_name("DRIVER");
  release->add_flag("--dry-run,-n", release_args.dry_run, "show the plan; change nothing");
  release->add_flag("--force", release_args.force, "release devices vfioctl did not bind");

  CLI::App* recover = app.add_subcommand("recover", "undo an operation that was interrupted (kill -9, crash)");

  VfsArgs vfs_args;
  CLI::App* vfs = app.add_subcommand("vfs", "set a PF's number of SR-IOV VFs, and optionally bind them");
  vfs->add_option("PF", vfs_args.pf, "the physical function")->required();
  vfs->add_option("COUNT", vfs_args.count, "number of VFs (0 removes them)")->required()->check(CLI::NonNegativeNumber);
  vfs->add_flag("--bind", vfs_args.bind, "bind the new VFs to their vfio driver");
  auto* vfs_driver = vfs->add_option("--driver", vfs_args.driver, "driver for --bind")->type_name("NAME");
  auto* vfs_generic = vfs->add_flag("--generic", vfs_args.generic, "use vfio-pci for --bind");
  vfs_driver->excludes(vfs_generic);
  vfs->add_flag("--force", vfs_args.force, "bind VFs the host is using");

  CLI::App* doctor = app.add_subcommand("doctor", "check what VFIO needs on this host (IOMMU, interrupt remapping, modules, groups)");

  ApplyArgs apply_args;
  CLI::App* apply = app.add_subcommand("apply", "bring devices and VF counts to the configuration (vfioctl.toml(5))");
  apply->add_option("FILE", apply_args.file,
                    "configuration file (default: /etc/vfioctl/vfioctl.toml and /etc/vfioctl/vfioctl.d/*.toml under --root)");
  apply->add_flag("--dry-run,-n", apply_args.dry_run, "show the changes and the rule behind each; change nothing");
  apply->add_option("--device", apply_args.devices,
                    "apply only the rules for this device (repeatable); the udev rule passes each added device");

  PolicyArgs policy_args;
  CLI::App* policy = app.add_subcommand("policy", "which vfio modules may autoload; --write blocks those no rule needs");
  policy->add_option("FILE", policy_args.file, "configuration file (default: as apply)");
  policy->add_flag("--write", policy_args.write, "write (or remove) /etc/modprobe.d/vfioctl-autoload.conf to match");

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
  if (bind->parsed()) return run_bind(g, bind_args, io);
  if (release->parsed()) return run_release(g, release_args, io);
  if (recover->parsed()) return run_recover(g, io);
  if (vfs->parsed()) return run_vfs(g, vfs_args, io);
  if (apply->parsed()) return run_apply(g, apply_args, io);
  if (doctor->parsed()) return run_doctor(g, io);
  if (policy->parsed()) return run_policy(g, policy_args, io);
  io.err << "vfioctl: no command given\nRun 'vfioctl --help' for usage.\n";
  return kExitBadInput;
}

}  // namespace vfioctl
