// vfioctl: process setup only; everything else is run_cli().
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  vfioctl::CliIo io{std::cout, std::cerr};
  io.out_is_terminal = isatty(STDOUT_FILENO) == 1;
  io.err_is_terminal = isatty(STDERR_FILENO) == 1;
  if (io.out_is_terminal) {
    winsize ws{};
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) io.terminal_width = ws.ws_col;
  }
  const char* no_color = std::getenv("NO_COLOR");
  io.no_color = no_color && *no_color;
  int rc = vfioctl::run_cli(args, io);
  std::cout.flush();
  return rc;
}
