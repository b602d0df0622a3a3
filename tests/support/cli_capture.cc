#include "support/cli_capture.h"

#include <sstream>

#include "cli/cli.h"

namespace vfioctl::testing {

CliRun run_cli_captured(const std::vector<std::string>& args, KernelPort* kernel) {
  std::ostringstream out, err;
  CliIo io{out, err};
  io.kernel = kernel;
  CliRun run;
  run.exit_code = run_cli(args, io);
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace vfioctl::testing
