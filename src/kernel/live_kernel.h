// KernelPort for the running system: plain write(2) to sysfs, libkmod for modules,
// /dev/kmsg for the kernel's reasons. Under a --root that is not "/", writes land in the tree
// (so fixture trees behave like files) and modules are never loaded into the running kernel.
//
// Test failpoint: VFIOCTL_FAILPOINT=kill-before-write:N makes the process SIGKILL itself just
// before its N-th sysfs write (1-based). The real-kernel suite uses it to show that
// `vfioctl recover` undoes an operation killed half way; unset, it costs one getenv().
#pragma once

#include <memory>

#include "host/host_root.h"
#include "kernel/kernel_port.h"

namespace vfioctl {

class LiveKernel final : public KernelPort {
 public:
  explicit LiveKernel(const HostRoot& host);
  ~LiveKernel() override;

  int write_attribute(const std::string& path, std::string_view value) override;
  ModuleLoad load_module(const std::string& module, bool apply_blacklist) override;
  int change_owner(const std::string& path, uid_t uid, gid_t gid) override;
  void wait(std::chrono::milliseconds duration) override;
  std::vector<std::string> kernel_messages_about(const std::string& device) override;

 private:
  const HostRoot& host_;
  int kmsg_fd_ = -1;
  long writes_ = 0;
  long kill_before_write_ = 0;  // 0: no failpoint
};

}  // namespace vfioctl
