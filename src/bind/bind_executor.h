// Carries out a bind plan, all or nothing.
//
// Before the first write the journal records every device's binding. Each device then gets
// its vfio drivers in rank order: load the module (built-in counts as loaded), learn the
// driver's name, write it to driver_override, unbind the current driver, write the address to
// drivers_probe, and re-read the driver link — a successful write does not mean a bind. A
// driver that refuses the device (pds_vfio_pci on a PF, say) leaves it unbound with the
// override set; the next candidate only needs a new override and another probe. When no
// candidate takes a device, every device touched so far is put back, newest first, and the
// journal goes away only if that fully succeeded.
#pragma once

#include "bind/bind_plan.h"
#include "bind/journal.h"
#include "bind/operation.h"

namespace vfioctl {

// `base` lets a caller (vfs) journal more than the devices; its devices list is replaced.
// With `owns_journal` false the caller removes the journal when its whole operation is done.
OperationResult execute_bind(OperationContext& ctx, const BindPlan& plan, Journal base = {}, bool owns_journal = true);

}  // namespace vfioctl
