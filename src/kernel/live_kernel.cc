#include "kernel/live_kernel.h"

#include <fcntl.h>
#include <libkmod.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "host/file_io.h"
#include "modules/kmod_session.h"

namespace vfioctl {

namespace {

// modprobe.d "install" commands are shell command lines; vfioctl never runs a shell. A module
// that has one is reported instead of loaded, so the admin's command still decides.
int refuse_install_command(kmod_module* /*mod*/, const char* /*cmd*/, void* data) {
  *static_cast<bool*>(data) = true;
  return -EPERM;
}

}  // namespace

LiveKernel::LiveKernel(const HostRoot& host) : host_(host) {
  // Positioned at the end now, so later reads return only what this run caused.
  std::string kmsg = host_.path("/dev/kmsg");
  kmsg_fd_ = ::open(kmsg.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (kmsg_fd_ >= 0) ::lseek(kmsg_fd_, 0, SEEK_END);
  if (const char* fp = std::getenv("VFIOCTL_FAILPOINT")) {
    constexpr const char* kKill = "kill-before-write:";
    if (std::strncmp(fp, kKill, std::strlen(kKill)) == 0) kill_before_write_ = std::atol(fp + std::strlen(kKill));
  }
}

LiveKernel::~LiveKernel() {
  if (kmsg_fd_ >= 0) ::close(kmsg_fd_);
}

int LiveKernel::write_attribute(const std::string& path, std::string_view value) {
  if (kill_before_write_ > 0 && ++writes_ == kill_before_write_) ::kill(::getpid(), SIGKILL);
  std::string full = host_.path(path);
  int fd = ::open(full.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return errno;
  int error = 0;
  ssize_t n = ::write(fd, value.data(), value.size());
  if (n < 0) error = errno;
  else if (static_cast<std::size_t>(n) != value.size()) error = EIO;
  // sysfs reports some store errors only at close on a few kernels; do not lose them.
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

ModuleLoad LiveKernel::load_module(const std::string& module, bool apply_blacklist) {
  ModuleLoad result;
  if (!host_.is_live_system()) {
    result.message = "cannot load " + module + ": --root " + host_.root().string() +
                     " is not the running system (load it there with modprobe)";
    return result;
  }
  KmodSession session(host_);
  if (!session.has_module_tree()) {
    result.message = "cannot load " + module + ": no module tree for kernel " + host_.kernel_release();
    return result;
  }
  kmod_module* mod = nullptr;
  if (kmod_module_new_from_name(session.ctx(), module.c_str(), &mod) < 0 || !mod) {
    result.message = "cannot load " + module + ": libkmod does not know it";
    return result;
  }
  int initstate = kmod_module_get_initstate(mod);
  if (initstate == KMOD_MODULE_BUILTIN) {
    result.outcome = ModuleLoad::Outcome::kBuiltin;
  } else if (initstate == KMOD_MODULE_LIVE || initstate == KMOD_MODULE_COMING) {
    result.outcome = ModuleLoad::Outcome::kAlreadyLoaded;
  } else {
    bool had_install_command = false;
    unsigned flags = apply_blacklist ? KMOD_PROBE_APPLY_BLACKLIST : 0;
    int rc = kmod_module_probe_insert_module(mod, flags, nullptr, refuse_install_command,
                                             &had_install_command, nullptr);
    if (rc == 0) {
      result.outcome = ModuleLoad::Outcome::kLoaded;
    } else if (rc == KMOD_PROBE_APPLY_BLACKLIST) {
      result.outcome = ModuleLoad::Outcome::kBlacklisted;
      result.message = module + " is blacklisted in modprobe.d; remove the blacklist line or choose another driver";
    } else if (had_install_command) {
      result.message = "modprobe.d has an 'install' command for " + module +
                       "; vfioctl does not run shell commands: run 'modprobe " + module + "' first";
    } else if (rc == -ENOENT) {
      result.message = "cannot load " + module + ": not found in " + host_.modules_dir().value_or("the module tree");
    } else {
      result.message = "cannot load " + module + ": " + errno_text(-rc);
    }
  }
  kmod_module_unref(mod);
  return result;
}

int LiveKernel::change_owner(const std::string& path, uid_t uid, gid_t gid) {
  std::string full = host_.path(path);
  return ::chown(full.c_str(), uid, gid) == 0 ? 0 : errno;
}

void LiveKernel::wait(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

std::vector<std::string> LiveKernel::kernel_messages_about(const std::string& device) {
  std::vector<std::string> lines;
  if (kmsg_fd_ < 0) return lines;
  // Each read() returns one record: "prio,seq,usec,flags;message\n" (Documentation/ABI/testing/dev-kmsg).
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(kmsg_fd_, buf, sizeof buf - 1);
    if (n < 0) {
      if (errno == EPIPE) continue;  // a record was overwritten; go on with the next
      break;                         // EAGAIN: nothing more
    }
    std::string_view record(buf, static_cast<std::size_t>(n));
    auto semi = record.find(';');
    if (semi == std::string_view::npos) continue;
    std::string_view message = record.substr(semi + 1);
    message = message.substr(0, message.find('\n'));
    if (message.find(device) != std::string_view::npos) lines.emplace_back(message);
  }
  return lines;
}

}  // namespace vfioctl
