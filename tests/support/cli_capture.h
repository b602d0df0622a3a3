// Runs vfioctl's command line in-process (run_cli) with both streams captured, as a script
// would see them: stdout and stderr not terminals, no colour, no width.
#pragma once

#include <string>
#include <vector>

#include "kernel/kernel_port.h"

namespace vfioctl::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `kernel`: the KernelPort the command writes through (a fake); nullptr: the live kernel.
CliRun run_cli_captured(const std::vector<std::string>& args, KernelPort* kernel = nullptr);

}  // namespace vfioctl::testing
