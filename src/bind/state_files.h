// vfioctl's own state under /run/vfioctl (tmpfs: it describes this boot only):
//   lock              flock()ed for the whole of a state-changing command, so runs serialise
//   journal.json      written (atomically) before the first sysfs write of an operation and
//                     removed when it completed or was rolled back; `recover` reads it
//   bound/<bus>/<dev>.json   one record per device vfioctl bound, kept until release
//   noiommu           present while vfio's no-IOMMU mode is on because vfioctl turned it on
//                     (bind/noiommu_mode.h)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host/host_root.h"

namespace vfioctl {

// Replaces `path` with `content` so that a reader sees the old or the new file, never a part:
// write a temporary file beside it, fsync, rename, fsync the directory.
// `mode`: vfioctl's own state is 0600; files other programs read (modprobe.d) are 0644.
bool write_file_atomically(const std::string& path, const std::string& content, std::string* error,
                           unsigned mode = 0600);

class StateDir {
 public:
  explicit StateDir(const HostRoot& host);
  const std::string& path() const { return dir_; }
  bool ensure(std::string* error) const;  // creates /run/vfioctl (mode 0700) when missing
  std::string file(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// The process-wide lock. Acquire waits up to `wait_seconds` for another vfioctl to finish.
class RunLock {
 public:
  RunLock() = default;
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // `holder` receives the pid written by the current holder while we wait (for messages).
  bool acquire(const StateDir& dir, int wait_seconds, std::string* error,
               const std::function<void(const std::string& holder)>& on_wait = {});
  void release();

 private:
  int fd_ = -1;
};

}  // namespace vfioctl
