// Runs a program with a fixed argv (no shell, no PATH search) and captures its output. For the
// tests that ask kmod's own tools (depmod, modprobe -R) and vfioctl's binary for the truth.
#pragma once

#include <string>
#include <vector>

namespace vfioctl::testing {

struct ProgramResult {
  int exit_code = -1;  // -1 when the program could not be started or was killed by a signal
  std::string out;
  std::string err;
};

// argv[0] must be an absolute path. The environment is inherited.
ProgramResult run_program(const std::vector<std::string>& argv);

// Whether `path` is an executable file.
bool is_executable(const std::string& path);

}  // namespace vfioctl::testing
