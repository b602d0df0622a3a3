// Small, allocation-light readers for sysfs-style files. A sysfs attribute is at most a page;
// reading it with openat() relative to an already open device directory saves a full path walk
// per attribute, which is most of the cost of listing thousands of devices.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

// An open directory (O_PATH is not used: getdents needs a readable fd). Move-only.
class Dir {
 public:
  Dir() = default;
  static Dir open(const std::string& path);
  static Dir open_at(const Dir& parent, const char* name);
  ~Dir();
  Dir(Dir&& other) noexcept;
  Dir& operator=(Dir&& other) noexcept;
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  int error() const { return error_; }  // errno of the failed open

 private:
  int fd_ = -1;
  int error_ = 0;
};

// The text of a file or a link, or the errno that prevented reading it.
struct ReadResult {
  std::string value;
  int error = 0;
  bool ok() const { return error == 0; }
  bool missing() const;  // ENOENT or ENOTDIR: the attribute does not exist (not an I/O failure)
};

// Reads an attribute relative to `dir`, with the one trailing newline the kernel adds removed.
ReadResult read_attr(const Dir& dir, const char* name);
// readlinkat(); the raw link text.
ReadResult read_link(const Dir& dir, const char* name);
// Whether `name` exists in `dir` (a dangling link counts as existing).
bool has_entry(const Dir& dir, const char* name);

// Whole-file read by path, at most `limit` bytes; no newline stripping.
ReadResult read_file(const std::string& path, std::size_t limit = 64u << 20);
ReadResult read_attr_path(const std::string& path);  // read_file + trailing newline removed
ReadResult read_link_path(const std::string& path);
bool path_exists(const std::string& path);

// Names in a directory, without "." and "..", unsorted. `error` gets errno on failure.
std::vector<std::string> list_dir(const std::string& path, int* error = nullptr);
std::vector<std::string> list_dir_at(const Dir& parent, const char* name, int* error = nullptr);
// The names in a directory that is already open (read from the fd's current position).
std::vector<std::string> list_open_dir(const Dir& dir, int* error = nullptr);
// Whether a directory exists and has any entry besides "." and "..".
bool dir_has_entries(const std::string& path);

// The last path component of a link text such as "../../../bus/pci/drivers/vfio-pci".
std::string_view last_component(std::string_view link_text);

// strerror() text for an errno value ("No such file or directory").
std::string errno_text(int error);

}  // namespace vfioctl
