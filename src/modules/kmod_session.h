// The libkmod context for one host root. libkmod owns the formats vfioctl must not re-implement:
// the binary indexes (modules.builtin.alias.bin is the only place depmod records built-in
// aliases), the modprobe.d grammar (aliases, blacklists, options) and module insertion.
//
// Limits of the seam, by libkmod's design: it reads /proc/cmdline and /sys/module with absolute
// paths. vfioctl therefore reads /sys/module itself (through HostRoot) and only asks libkmod to
// insert modules when HostRoot is the live system.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/host_root.h"
#include "modules/alias_text.h"

struct kmod_ctx;

namespace vfioctl {

class KmodSession {
 public:
  explicit KmodSession(const HostRoot& host);
  ~KmodSession();
  KmodSession(const KmodSession&) = delete;
  KmodSession& operator=(const KmodSession&) = delete;

  // False when the root has no module tree for the release; every lookup then returns nothing.
  bool has_module_tree() const { return ctx_ != nullptr; }
  kmod_ctx* ctx() const { return ctx_; }

  // Built-in aliases with `prefix`, read from modules.builtin.alias.bin through
  // kmod_dump_index(). nullopt when that index does not exist (depmod older than kmod 27, or a
  // tree that was never depmod-ed).
  std::optional<std::vector<AliasEntry>> builtin_aliases(std::string_view prefix) const;

  // "alias PATTERN MODULE" commands from modprobe.d whose pattern starts with `prefix`.
  std::vector<AliasEntry> config_aliases(std::string_view prefix) const;

  // Module names named by "blacklist" commands in modprobe.d (and, by libkmod's design, the
  // running kernel's modprobe.blacklist= parameter).
  std::vector<std::string> blacklisted_modules() const;

  // Whether libkmod finds the module in modules.dep.bin: true/false, or nullopt when that index
  // is missing and the caller must fall back to the text modules.dep.
  std::optional<bool> in_dependency_index(std::string_view module) const;

  // The modules kmod resolves an alias to (what `modprobe -R ALIAS` prints), e.g. the host
  // driver for a device's "pci:v..." modalias.
  std::vector<std::string> lookup(const std::string& alias) const;

  // The options modprobe.d (and the kernel command line's MODULE.PARAM=) give `module`, as
  // kmod_module_get_options() returns them: "reset_required=0", or "" when none.
  std::string configured_options(std::string_view module) const;

  // Messages libkmod logged (at error priority) while vfioctl used it.
  const std::vector<std::string>& log() const { return *log_; }

 private:
  kmod_ctx* ctx_ = nullptr;
  std::string modules_dir_;
  std::shared_ptr<std::vector<std::string>> log_;
};

}  // namespace vfioctl
