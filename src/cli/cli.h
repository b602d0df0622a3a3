// The command-line front end. run_cli() is the whole program minus process setup, so tests
// run commands in-process against fixture roots and capture both streams.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace vfioctl {

class KernelPort;
class AddressSource;

enum ExitCode : int {
  kExitOk = 0,        // done, or nothing to do
  kExitFailed = 1,    // failed, and every device is back where it was
  kExitBadInput = 2,  // bad usage or input; nothing touched
  kExitRefused = 3,   // refused by a safety check; nothing touched
};

struct CliIo {
  std::ostream& out;
  std::ostream& err;
  bool out_is_terminal = false;
  bool err_is_terminal = false;
  std::size_t terminal_width = 0;  // 0: unknown or not a terminal
  bool no_color = false;           // NO_COLOR is set

  // Test seams. Null means the real thing: the running kernel, and getifaddrs() for a live
  // root (no addresses for a fixture root).
  KernelPort* kernel = nullptr;
  const AddressSource* addresses = nullptr;
  int lock_wait_seconds = 30;      // how long to wait for another vfioctl
};

// `args` excludes the program name.
int run_cli(const std::vector<std::string>& args, CliIo& io);

}  // namespace vfioctl
