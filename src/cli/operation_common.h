// What bind, release, vfs and recover share on the command line: the kernel and address
// seams, the run lock with the interrupted-operation check, progress lines and exit codes.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "bind/bind_plan.h"
#include "bind/operation.h"
#include "cli/cli.h"
#include "cli/global_options.h"
#include "host/address_source.h"
#include "kernel/kernel_port.h"

namespace vfioctl {

class OperationEnvironment {
 public:
  OperationEnvironment(Session& session, CliIo& io, const GlobalOptions& g);
  KernelPort& kernel() { return *kernel_; }
  const AddressSource& addresses() const { return *addresses_; }
  OperationContext& context() { return ctx_; }

  // Takes the run lock. With `require_clean`, refuses when an interrupted operation left a
  // journal. Returns 0 or the exit status to stop with (the message is already printed).
  int begin(bool require_clean);

 private:
  CliIo& io_;
  const GlobalOptions& g_;
  std::unique_ptr<KernelPort> owned_kernel_;
  std::unique_ptr<AddressSource> owned_addresses_;
  KernelPort* kernel_;
  const AddressSource* addresses_;
  OperationContext ctx_;
  RunLock lock_;
};

int exit_code_for(BindPlan::Block block);

}  // namespace vfioctl
