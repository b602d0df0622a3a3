// One function per command; each parses nothing (CLI11 did) and returns an exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/global_options.h"

namespace vfioctl {

struct BindArgs {
  std::vector<std::string> devices;
  std::optional<std::string> driver;
  bool generic = false;
  bool group = false;
  bool dry_run = false;
  bool force = false;
  bool noiommu = false;
  std::optional<std::string> owner;
};

struct ReleaseArgs {
  std::vector<std::string> devices;
  std::optional<std::string> to;
  bool dry_run = false;
  bool force = false;
};

struct VfsArgs {
  std::string pf;
  int count = 0;
  bool bind = false;
  std::optional<std::string> driver;
  bool generic = false;
  bool force = false;
};

struct ApplyArgs {
  std::optional<std::string> file;  // default: /etc/vfioctl/vfioctl.toml + vfioctl.d/ under --root
  std::vector<std::string> devices;  // --device: only these (the udev rule passes the added device)
  bool dry_run = false;
};

struct PolicyArgs {
  std::optional<std::string> file;  // as apply's FILE
  bool write = false;
};
int run_status(const GlobalOptions& g, const std::vector<std::string>& devices, CliIo& io);
int run_explain(const GlobalOptions& g, const std::string& device, CliIo& io);
int run_bind(const GlobalOptions& g, const BindArgs& args, CliIo& io);
int run_release(const GlobalOptions& g, const ReleaseArgs& args, CliIo& io);
int run_recover(const GlobalOptions& g, CliIo& io);
int run_vfs(const GlobalOptions& g, const VfsArgs& args, CliIo& io);
int run_apply(const GlobalOptions& g, const ApplyArgs& args, CliIo& io);
int run_doctor(const GlobalOptions& g, CliIo& io);
int run_policy(const GlobalOptions& g, const PolicyArgs& args, CliIo& io);

}  // namespace vfioctl
