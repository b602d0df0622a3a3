// `vfioctl doctor`: every check, in the order an admin fixes them (firmware and kernel command
// line first, then modules, then devices).
#pragma once

#include <vector>

#include "doctor/finding.h"
#include "inventory/session.h"

namespace vfioctl {

std::vector<Finding> diagnose(Session& session);
bool any_blocking(const std::vector<Finding>& findings);

}  // namespace vfioctl
