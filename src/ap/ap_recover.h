// recover for an interrupted AP bind or release: the journal lists the mask writes and the
// queues they move; each write is undone, last first, and the queues are waited for on the side
// they started on. Records of queues that are the host's again are dropped.
#pragma once

#include "bind/journal.h"
#include "bind/operation.h"

namespace vfioctl {

// Adds a DeviceResult per AP queue of the journal to `out`; false (with errors in `out`) when
// the kernel refused a write or a queue did not get back.
bool recover_ap(OperationContext& ctx, const Journal& journal, OperationResult& out);

}  // namespace vfioctl
