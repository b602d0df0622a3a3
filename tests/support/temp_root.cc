#include "support/temp_root.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vfioctl::testing {

namespace fs = std::filesystem;

TempRoot::TempRoot() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/vfioctl-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempRoot::TempRoot(const std::string& parent_dir) {
  std::string pattern = parent_dir + "/vfioctl-test-XXXXXX";
  if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed under " + parent_dir);
  path_ = pattern;
}

std::string fast_temp_parent() {
  const char* tmp = std::getenv("TMPDIR");
  if (tmp && *tmp) return tmp;
  if (::access("/dev/shm", W_OK | X_OK) == 0 && fs::is_directory("/dev/shm")) return "/dev/shm";
  return "/tmp";
}

TempRoot::~TempRoot() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempRoot::at(std::string_view rel) const {
  std::string out = path_;
  if (rel.empty() || rel.front() != '/') out += '/';
  out += rel;
  return out;
}

void TempRoot::write(std::string_view rel, std::string_view content) const {
  fs::path p = at(rel);
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
}

void TempRoot::mkdir(std::string_view rel) const { fs::create_directories(at(rel)); }

void TempRoot::symlink(std::string_view rel, std::string_view target) const {
  fs::path p = at(rel);
  fs::create_directories(p.parent_path());
  std::error_code ec;
  fs::remove(p, ec);
  fs::create_symlink(std::string(target), p);
}

std::string TempRoot::read(std::string_view rel) const { return read_data_file(at(rel)); }

std::string data_path(std::string_view rel) {
  return std::string(VFIOCTL_TEST_DATA) + "/" + std::string(rel);
}

std::string read_data_file(const std::string& path) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    gzFile gz = gzopen(path.c_str(), "rb");
    if (!gz) throw std::runtime_error("cannot open " + path);
    std::string out;
    char buf[1 << 16];
    int n;
    while ((n = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    gzclose(gz);
    if (n < 0) throw std::runtime_error("cannot gunzip " + path);
    return out;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace vfioctl::testing
