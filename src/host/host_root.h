// The one seam through which every host path is reached. Tests point it at a fixture tree;
// production points it at "/". Nothing else in vfioctl builds an absolute host path.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

class HostRoot {
 public:
  // `root` is the directory that stands for "/" (like depmod -b). `kernel_release` selects the
  // module tree; when empty, default_kernel_release() decides.
  explicit HostRoot(std::filesystem::path root = "/", std::string kernel_release = {});

  const std::filesystem::path& root() const { return root_; }
  // True when vfioctl looks at the running system rather than a fixture tree. Only then may it
  // load modules into the running kernel (libkmod cannot be redirected under a root prefix).
  bool is_live_system() const { return live_; }

  // Maps an absolute host path ("/sys/bus/pci") to its place under the root.
  std::string path(std::string_view absolute) const;
  std::string sys(std::string_view relative) const { return path(join("/sys/", relative)); }

  const std::string& kernel_release() const { return kernel_release_; }
  // The module tree for the release: <root>/lib/modules/REL, else <root>/usr/lib/modules/REL
  // (Debian 14 and merged-/usr systems without the lib symlink). nullopt when neither exists.
  const std::optional<std::string>& modules_dir() const { return modules_dir_; }

  // uname -r, unless `root` is not "/" and holds exactly one module tree: then that tree's name,
  // so `--root FIXTURE` works without naming the release.
  static std::string default_kernel_release(const std::filesystem::path& root);

 private:
  static std::string join(std::string_view a, std::string_view b);

  std::filesystem::path root_;
  std::string root_prefix_;  // root_ without a trailing slash; empty for "/"
  bool live_ = true;
  std::string kernel_release_;
  std::optional<std::string> modules_dir_;
};

}  // namespace vfioctl
