#include "doctor/doctor.h"

#include <algorithm>

#include "doctor/device_checks.h"
#include "doctor/host_checks.h"
#include "doctor/policy_checks.h"

namespace vfioctl {

std::vector<Finding> diagnose(Session& session) {
  const HostRoot& host = session.host();
  std::vector<Finding> out;
  out.push_back(check_iommu(host));
  out.push_back(check_interrupt_remapping(host, session.kmod()));
  out.push_back(check_noiommu_mode(host));
  out.push_back(check_vfio_modules(session.modules()));
  out.push_back(check_vfio_interfaces(host, session.modules()));
  out.push_back(check_dev_vfio(host));
  out.push_back(check_autoload_policy(session));
  Snapshot snapshot = take_snapshot(session, {});
  out.push_back(check_group_viability(snapshot));
  out.push_back(check_builtin_host_drivers(snapshot, session.modules()));
  out.push_back(check_orphan_overrides(snapshot, host));
  out.push_back(check_stranded_devices(snapshot, session.vfio_check()));
  out.push_back(check_interrupted_operation(host));
  return out;
}

bool any_blocking(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& f) { return f.severity == Severity::kBlock; });
}

}  // namespace vfioctl
