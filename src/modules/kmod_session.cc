#include "modules/kmod_session.h"

#include <libkmod.h>
#include <sys/mman.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>

#include "host/file_io.h"

namespace vfioctl {

namespace {

// kmod's default configuration directories (libkmod.c default_config_paths), under the root.
constexpr const char* kConfigDirs[] = {"/etc/modprobe.d", "/run/modprobe.d",
                                       "/usr/local/lib/modprobe.d", "/usr/lib/modprobe.d",
                                       "/lib/modprobe.d"};

// printf-like (argument 6 is the format) so that clang checks callers instead of warning
// about the non-literal format passed on to vsnprintf.
__attribute__((format(printf, 6, 0))) void collect_log(void* data, int /*priority*/,
                                                       const char* /*file*/, int /*line*/,
                                                       const char* /*fn*/, const char* format,
                                                       va_list args) {
  auto* log = static_cast<std::vector<std::string>*>(data);
  char buf[512];
  std::vsnprintf(buf, sizeof buf, format, args);
  std::string message(buf);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  log->push_back(std::move(message));
}

}  // namespace

KmodSession::KmodSession(const HostRoot& host)
    : log_(std::make_shared<std::vector<std::string>>()) {
  if (!host.modules_dir()) return;
  modules_dir_ = *host.modules_dir();
  std::vector<std::string> dirs;
  for (const char* d : kConfigDirs) dirs.push_back(host.path(d));
  std::vector<const char*> dir_ptrs;
  for (const auto& d : dirs) dir_ptrs.push_back(d.c_str());
  dir_ptrs.push_back(nullptr);
  ctx_ = kmod_new(modules_dir_.c_str(), dir_ptrs.data());
  if (ctx_) {
    kmod_set_log_fn(ctx_, collect_log, log_.get());
    kmod_set_log_priority(ctx_, LOG_ERR);
  }
}

KmodSession::~KmodSession() {
  if (ctx_) kmod_unref(ctx_);
}

std::optional<std::vector<AliasEntry>> KmodSession::builtin_aliases(std::string_view prefix) const {
  if (!ctx_) return std::nullopt;
  // kmod_dump_index() opens the index file itself and fails when it is absent; check first so
  // "no index" and "empty index" stay distinguishable.
  if (!path_exists(modules_dir_ + "/modules.builtin.alias.bin")) return std::nullopt;
  int fd = memfd_create("vfioctl-builtin-alias", MFD_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<std::vector<AliasEntry>> result;
  if (kmod_dump_index(ctx_, KMOD_INDEX_MODULES_BUILTIN_ALIAS, fd) == 0) {
    std::string text;
    char buf[1 << 15];
    ssize_t n;
    lseek(fd, 0, SEEK_SET);
    while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    std::vector<AliasEntry> entries;
    parse_index_dump_lines(text, prefix, entries);
    result = std::move(entries);
  }
  ::close(fd);
  return result;
}

std::vector<AliasEntry> KmodSession::config_aliases(std::string_view prefix) const {
  std::vector<AliasEntry> out;
  if (!ctx_) return out;
  kmod_config_iter* it = kmod_config_get_aliases(ctx_);
  if (!it) return out;
  std::size_t n = 0;
  while (kmod_config_iter_next(it)) {
    ++n;
    std::string_view key = kmod_config_iter_get_key(it);
    std::string_view value = kmod_config_iter_get_value(it);
    if (key.substr(0, prefix.size()) != prefix) continue;
    out.push_back(AliasEntry{std::string(key), std::string(value), n});
  }
  kmod_config_iter_free_iter(it);
  return out;
}

std::vector<std::string> KmodSession::blacklisted_modules() const {
  std::vector<std::string> out;
  if (!ctx_) return out;
  kmod_config_iter* it = kmod_config_get_blacklists(ctx_);
  if (!it) return out;
  while (kmod_config_iter_next(it)) out.emplace_back(kmod_config_iter_get_key(it));
  kmod_config_iter_free_iter(it);
  return out;
}

std::vector<std::string> KmodSession::lookup(const std::string& alias) const {
  std::vector<std::string> out;
  if (!ctx_) return out;
  kmod_list* list = nullptr;
  if (kmod_module_new_from_lookup(ctx_, alias.c_str(), &list) < 0) return out;
  for (kmod_list* l = list; l; l = kmod_list_next(list, l)) {
    kmod_module* mod = kmod_module_get_module(l);
    out.emplace_back(kmod_module_get_name(mod));
    kmod_module_unref(mod);
  }
  kmod_module_unref_list(list);
  return out;
}

std::string KmodSession::configured_options(std::string_view module) const {
  if (!ctx_) return {};
  kmod_module* mod = nullptr;
  std::string name(module);
  if (kmod_module_new_from_name(ctx_, name.c_str(), &mod) < 0 || !mod) return {};
  const char* options = kmod_module_get_options(mod);
  std::string out = options ? options : "";
  kmod_module_unref(mod);
  return out;
}

std::optional<bool> KmodSession::in_dependency_index(std::string_view module) const {
  if (!ctx_ || !path_exists(modules_dir_ + "/modules.dep.bin")) return std::nullopt;
  kmod_module* mod = nullptr;
  std::string name(module);
  if (kmod_module_new_from_name(ctx_, name.c_str(), &mod) < 0 || !mod) return false;
  // The path comes from modules.dep.bin; built-in modules have none.
  bool found = kmod_module_get_path(mod) != nullptr;
  kmod_module_unref(mod);
  return found;
}

}  // namespace vfioctl
