// A point-in-time view of the devices a command is about: what sysfs says, whether the bound
// driver is a vfio driver, whether the IOMMU group could be handed to VFIO, and the ranked
// vfio drivers. status, explain and the planner of bind all start from one of these.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus_registry.h"
#include "groups/iommu_groups.h"
#include "inventory/session.h"
#include "resolve/candidate_ranker.h"

namespace vfioctl {

struct DeviceReport {
  Device device;
  bool is_vfio = false;
  std::optional<bool> group_viable;               // nullopt: no IOMMU group
  bool through_mdev = false;                      // its bus's Bus::serves_through_mdev
  std::shared_ptr<const Resolution> resolution;   // always set
  // The vfio driver vfioctl would use: the chosen candidate, or none for a device vfio cannot
  // take (a bridge) or that no vfio driver matches.
  const Candidate* best() const;
};

struct Snapshot {
  std::vector<DeviceReport> devices;
  GroupTable groups;
  std::vector<std::string> missing;   // asked for but not present
  std::vector<std::string> warnings;  // about the host as a whole
  bool iommu_present = false;         // any IOMMU group exists on the host
};

// `wanted` empty means every device of every bus.
Snapshot take_snapshot(Session& session, const std::vector<DeviceRef>& wanted,
                       const DriverPolicy& policy = {});

}  // namespace vfioctl
