// `vfioctl recover`: an operation that died half way (kill -9, a crash) left its journal; put
// every device it lists back to the binding recorded before its first write, put an SR-IOV
// PF's sriov_drivers_autoprobe and VF count back, undo AP mask writes (src/ap/ap_recover.h), drop ownership records of devices that are
// back on their host driver, and remove the journal once everything is where it started.
#pragma once

#include "bind/journal.h"
#include "bind/operation.h"

namespace vfioctl {

struct RecoverOutcome {
  bool had_journal = false;
  Journal journal;
  OperationResult result;
};

RecoverOutcome recover_interrupted(OperationContext& ctx);

}  // namespace vfioctl
