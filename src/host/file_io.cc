#include "host/file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace vfioctl {

namespace {

constexpr std::size_t kAttrBuffer = 4096;  // one page: the most a sysfs show() returns

void strip_one_newline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
}

ReadResult read_fd(int fd, std::size_t limit) {
  ReadResult r;
  char buf[kAttrBuffer];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = errno;
      r.value.clear();
      break;
    }
    if (n == 0) break;
    r.value.append(buf, static_cast<std::size_t>(n));
    if (r.value.size() >= limit) {
      r.value.resize(limit);
      break;
    }
    // A short read is the end: sysfs hands out a whole show() result (at most a page) in one
    // read, and a regular file only reads short at its end. Not asking again for the EOF saves
    // a syscall per attribute, a tenth of what listing a device costs.
    if (static_cast<std::size_t>(n) < sizeof buf) break;
  }
  return r;
}

}  // namespace

bool ReadResult::missing() const { return error == ENOENT || error == ENOTDIR; }

Dir Dir::open(const std::string& path) {
  Dir d;
  d.fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd_ < 0) d.error_ = errno;
  return d;
}

Dir Dir::open_at(const Dir& parent, const char* name) {
  Dir d;
  if (!parent.valid()) {
    d.error_ = EBADF;
    return d;
  }
  d.fd_ = ::openat(parent.fd_, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d.fd_ < 0) d.error_ = errno;
  return d;
}

Dir::~Dir() {
  if (fd_ >= 0) ::close(fd_);
}

Dir::Dir(Dir&& other) noexcept : fd_(other.fd_), error_(other.error_) { other.fd_ = -1; }

Dir& Dir::operator=(Dir&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    error_ = other.error_;
    other.fd_ = -1;
  }
  return *this;
}

ReadResult read_attr(const Dir& dir, const char* name) {
  ReadResult r;
  int fd = ::openat(dir.fd(), name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    r.error = errno;
    return r;
  }
  r = read_fd(fd, kAttrBuffer);
  ::close(fd);
  strip_one_newline(r.value);
  return r;
}

ReadResult read_link(const Dir& dir, const char* name) {
  ReadResult r;
  char buf[kAttrBuffer];
  ssize_t n = ::readlinkat(dir.fd(), name, buf, sizeof buf);
  if (n < 0) {
    r.error = errno;
    return r;
  }
  r.value.assign(buf, static_cast<std::size_t>(n));
  return r;
}

bool has_entry(const Dir& dir, const char* name) {
  return ::faccessat(dir.fd(), name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

ReadResult read_file(const std::string& path, std::size_t limit) {
  ReadResult r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    r.error = errno;
    return r;
  }
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    data.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), limit));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error = errno;
      data.clear();
      break;
    }
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() >= limit) {
      data.resize(limit);
      break;
    }
  }
  ::close(fd);
  r.value = std::move(data);
  return r;
}

ReadResult read_attr_path(const std::string& path) {
  ReadResult r = read_file(path, kAttrBuffer);
  strip_one_newline(r.value);
  return r;
}

ReadResult read_link_path(const std::string& path) {
  ReadResult r;
  char buf[kAttrBuffer];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) {
    r.error = errno;
    return r;
  }
  r.value.assign(buf, static_cast<std::size_t>(n));
  return r;
}

bool path_exists(const std::string& path) {
  return ::faccessat(AT_FDCWD, path.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

namespace {

bool is_dot_entry(const char* n) { return n[0] == '.' && (n[1] == 0 || (n[1] == '.' && n[2] == 0)); }

// getdents64() straight into a buffer: opendir()/fdopendir() would add an fstat and an fcntl
// per directory, and status reads one directory per device (its IOMMU group). Stops at the end
// of the directory or at the first error, as readdir() did.
template <typename Fn>
void for_each_entry(int fd, Fn&& fn) {
  alignas(dirent64) char buf[32768];
  for (;;) {
    ssize_t n = ::getdents64(fd, buf, sizeof buf);
    if (n <= 0) return;
    for (ssize_t pos = 0; pos < n;) {
      const auto* e = static_cast<const dirent64*>(static_cast<const void*>(buf + pos));
      pos += e->d_reclen;
      if (!is_dot_entry(e->d_name) && !fn(e->d_name)) return;
    }
  }
}

std::vector<std::string> drain_fd(int fd) {
  std::vector<std::string> names;
  for_each_entry(fd, [&](const char* name) {
    names.emplace_back(name);
    return true;
  });
  return names;
}

}  // namespace

std::vector<std::string> list_dir(const std::string& path, int* error) {
  if (error) *error = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = errno;
    return {};
  }
  auto names = drain_fd(fd);
  ::close(fd);
  return names;
}

std::vector<std::string> list_dir_at(const Dir& parent, const char* name, int* error) {
  if (error) *error = 0;
  int fd = ::openat(parent.fd(), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (error) *error = errno;
    return {};
  }
  auto names = drain_fd(fd);
  ::close(fd);
  return names;
}

std::vector<std::string> list_open_dir(const Dir& dir, int* error) {
  if (error) *error = dir.valid() ? 0 : (dir.error() ? dir.error() : EBADF);
  if (!dir.valid()) return {};
  return drain_fd(dir.fd());
}

bool dir_has_entries(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool any = false;
  for_each_entry(fd, [&](const char*) {
    any = true;
    return false;
  });
  ::close(fd);
  return any;
}

std::string_view last_component(std::string_view link_text) {
  while (!link_text.empty() && link_text.back() == '/') link_text.remove_suffix(1);
  auto slash = link_text.rfind('/');
  return slash == std::string_view::npos ? link_text : link_text.substr(slash + 1);
}

std::string errno_text(int error) {
  char buf[256];
  // GNU strerror_r returns the message pointer, which may or may not be buf.
  return ::strerror_r(error, buf, sizeof buf);
}

}  // namespace vfioctl
