#include "host/host_root.h"

#include <sys/utsname.h>

#include <system_error>
#include <vector>

namespace vfioctl {
namespace fs = std::filesystem;

namespace {

std::vector<std::string> module_trees(const fs::path& root) {
  std::vector<std::string> names;
  for (const char* base : {"lib/modules", "usr/lib/modules"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root / base, ec)) {
      std::error_code type_ec;
      if (!entry.is_directory(type_ec)) continue;
      std::string name = entry.path().filename().string();
      bool seen = false;
      for (const auto& n : names) seen = seen || n == name;
      if (!seen) names.push_back(std::move(name));
    }
  }
  return names;
}

}  // namespace

HostRoot::HostRoot(fs::path root, std::string kernel_release) : root_(std::move(root)) {
  std::string text = root_.lexically_normal().string();
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  live_ = text == "/" || text.empty();
  root_prefix_ = live_ ? std::string() : text;
  kernel_release_ = kernel_release.empty() ? default_kernel_release(root_) : std::move(kernel_release);
  for (const char* base : {"/lib/modules/", "/usr/lib/modules/"}) {
    std::string candidate = path(join(base, kernel_release_));
    std::error_code ec;
    if (fs::is_directory(candidate, ec)) {
      modules_dir_ = candidate;
      break;
    }
  }
}

std::string HostRoot::join(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a);
  out.append(b);
  return out;
}

std::string HostRoot::path(std::string_view absolute) const {
  if (root_prefix_.empty()) return std::string(absolute);
  return join(root_prefix_, absolute);
}

std::string HostRoot::default_kernel_release(const fs::path& root) {
  std::string text = root.lexically_normal().string();
  if (text != "/" && !text.empty()) {
    auto trees = module_trees(root);
    if (trees.size() == 1) return trees.front();
  }
  struct utsname u {};
  if (uname(&u) == 0) return u.release;
  return {};
}

}  // namespace vfioctl
