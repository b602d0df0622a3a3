// Options every command accepts, before or after the command name.
#pragma once

#include <string>

#include "cli/cli.h"
#include "host/host_root.h"
#include "report/status_report.h"

namespace vfioctl {

struct GlobalOptions {
  std::string root = "/";
  std::string kernel_release;  // empty: HostRoot decides
  bool json = false;
  int verbose = 0;
  int quiet = 0;

  HostRoot host() const { return HostRoot(root, kernel_release); }
  OutputStyle style(const CliIo& io) const {
    return OutputStyle{io.out_is_terminal && !io.no_color && !json, io.out_is_terminal ? io.terminal_width : 0};
  }
};

}  // namespace vfioctl
