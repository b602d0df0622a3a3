// bind and release of s390 AP queues, which go to vfio_ap through the ap bus's masks rather
// than driver_override (ap/ap_masks.h). run_bind and run_release hand AP devices here.
#pragma once

#include <vector>

#include "bus/bus_registry.h"
#include "cli/commands.h"
#include "inventory/session.h"

namespace vfioctl {

bool any_ap(const std::vector<DeviceRef>& refs);
int run_ap_bind(const GlobalOptions& g, const BindArgs& a, CliIo& io, Session& session, const std::vector<DeviceRef>& refs);
int run_ap_release(const GlobalOptions& g, const ReleaseArgs& a, CliIo& io, Session& session,
                   const std::vector<DeviceRef>& refs);

}  // namespace vfioctl
