// A throw-away directory that stands for "/" in a test (HostRoot's root), with helpers to put
// files and links in it. Removed when the object goes out of scope.
#pragma once

#include <string>
#include <string_view>

namespace vfioctl::testing {

class TempRoot {
 public:
  TempRoot();
  // Under `parent_dir` instead of $TMPDIR or /tmp (tests that rewrite thousands of files use a
  // tmpfs: see fast_temp_parent()).
  explicit TempRoot(const std::string& parent_dir);
  ~TempRoot();
  TempRoot(const TempRoot&) = delete;
  TempRoot& operator=(const TempRoot&) = delete;

  const std::string& path() const { return path_; }
  // `rel` is an absolute-looking host path ("/sys/bus/pci/...") placed under the root.
  std::string at(std::string_view rel) const;

  void write(std::string_view rel, std::string_view content) const;  // creates parents
  void mkdir(std::string_view rel) const;                            // with parents
  void symlink(std::string_view rel, std::string_view target) const; // target as written
  std::string read(std::string_view rel) const;

 private:
  std::string path_;
};

// $TMPDIR when set; otherwise /dev/shm when it is a writable directory (a tmpfs on Linux), so
// that file-heavy tests (the kernel simulator re-renders /sys after every write) do not wait on
// a busy disk; otherwise /tmp.
std::string fast_temp_parent();

// Path of a file under tests/data.
std::string data_path(std::string_view rel);
// Reads a file, transparently gunzipping names that end in ".gz".
std::string read_data_file(const std::string& path);

}  // namespace vfioctl::testing
