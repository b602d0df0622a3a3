// One function per command; each parses nothing (CLI11 did) and returns an exit code.
#pragma once

#include <string>
#include <vector>

#include "cli/cli.h"
#include "cli/global_options.h"

namespace vfioctl {

int run_status(const GlobalOptions& g, const std::vector<std::string>& devices, CliIo& io);
int run_explain(const GlobalOptions& g, const std::string& device, CliIo& io);

}  // namespace vfioctl
