#include "bind/state_files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <thread>

#include "host/file_io.h"

namespace vfioctl {

bool write_file_atomically(const std::string& path, const std::string& content, std::string* error, unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) {
    if (error) *error = tmp + ": " + errno_text(errno);
    return false;
  }
  bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ok = ok && ::fsync(fd) == 0;
  int saved = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (ok) saved = errno;
    ::unlink(tmp.c_str());
    if (error) *error = path + ": " + errno_text(saved);
    return false;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

StateDir::StateDir(const HostRoot& host) : dir_(host.path("/run/vfioctl")) {}

bool StateDir::ensure(std::string* error) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    if (error) *error = dir_ + ": " + ec.message();
    return false;
  }
  ::chmod(dir_.c_str(), 0700);
  return true;
}

RunLock::~RunLock() { release(); }

bool RunLock::acquire(const StateDir& dir, int wait_seconds, std::string* error,
                      const std::function<void(const std::string&)>& on_wait) {
  if (!dir.ensure(error)) return false;
  std::string path = dir.file("lock");
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (error) *error = path + ": " + errno_text(errno);
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds);
  bool told = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      if (error) *error = path + ": " + errno_text(errno);
      release();
      return false;
    }
    if (!told && on_wait) {
      on_wait(read_file(path, 64).value);
      told = true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      if (error) {
        *error = "another vfioctl (pid " + read_file(path, 64).value + ") has held " + path + " for " +
                 std::to_string(wait_seconds) + " s; try again when it has finished";
      }
      release();
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    ssize_t ignored = ::pwrite(fd_, pid.data(), pid.size(), 0);
    (void)ignored;  // the pid is only for other runs' messages
  }
  return true;
}

void RunLock::release() {
  if (fd_ >= 0) {
    ::close(fd_);  // closing drops the flock
    fd_ = -1;
  }
}

}  // namespace vfioctl
