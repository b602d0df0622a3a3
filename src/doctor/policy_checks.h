// Whether the autoload policy file matches what `vfioctl policy` would write now: a vfio module
// that would autoload for hardware and that no rule needs, with no blacklist line for it, can
// take devices on its own at the next uevent.
#pragma once

#include "doctor/finding.h"
#include "inventory/session.h"

namespace vfioctl {

Finding check_autoload_policy(Session& session);

}  // namespace vfioctl
