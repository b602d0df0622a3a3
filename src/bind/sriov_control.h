// SR-IOV VFs on demand: `vfioctl vfs PF COUNT [--bind]`.
//
// The PF driver creates VFs when COUNT is written to sriov_numvfs (it needs a bound driver
// with sriov_configure; drivers/pci/iov.c sriov_numvfs_store answers ENOENT without one and
// EBUSY when VFs are enabled and a different non-zero count is asked: 0 must come first).
// With --bind, sriov_drivers_autoprobe is turned off before the VFs appear, so the host's VF
// driver never grabs them (pci_device_can_probe), the VFs are bound like any bind, and
// autoprobe is put back as it was. The journal holds the PF's settings, so a crash half way
// is undone by `vfioctl recover`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bind/bind_plan.h"
#include "bind/operation.h"
#include "host/address_source.h"

namespace vfioctl {

struct VfsOptions {
  DeviceRef pf;
  int count = 0;
  bool bind = false;
  std::optional<std::string> driver;
  bool generic = false;
  bool force = false;
  // Without bind: still create the VFs with autoprobe off (put back once they exist), so they
  // appear unbound and no host VF driver races the caller that binds some of them (apply).
  bool unbound_vfs = false;
};

struct VfsOutcome {
  BindPlan::Block block = BindPlan::Block::kNone;  // a problem found before any write
  std::vector<PlanProblem> problems;
  OperationResult result;
  std::vector<std::string> vfs;  // the PF's VFs at the end
  bool nothing_to_do = false;
};

VfsOutcome run_vfs(OperationContext& ctx, const VfsOptions& options, const AddressSource& addresses);

// Writes the PF's VF count (through 0 when needed) and autoprobe setting back. Used by
// rollback and recover.
bool restore_sriov(OperationContext& ctx, const std::string& pf, std::optional<int> numvfs,
                   std::optional<int> autoprobe, std::string* error);

// The PF's VFs now: its virtfnN links, in N order.
std::vector<std::string> list_vfs(const HostRoot& host, const std::string& pf);

}  // namespace vfioctl
