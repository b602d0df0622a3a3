#include "inventory/snapshot.h"

#include <algorithm>
#include <map>

#include "host/file_io.h"

namespace vfioctl {

const Candidate* DeviceReport::best() const {
  if (device.not_assignable || !resolution) return nullptr;
  return resolution->chosen_candidate();
}

Snapshot take_snapshot(Session& session, const std::vector<DeviceRef>& wanted, const DriverPolicy& policy) {
  Snapshot snap;
  const HostRoot& host = session.host();

  // Group the request by bus, keeping the order the user gave.
  std::vector<std::pair<const Bus*, std::vector<std::string>>> plan;
  if (wanted.empty()) {
    for (const auto& bus : session.buses().all()) plan.emplace_back(bus.get(), bus->list(host));
  } else {
    for (const auto& ref : wanted) {
      auto it = std::find_if(plan.begin(), plan.end(), [&](const auto& p) { return p.first == ref.bus; });
      if (it == plan.end()) {
        plan.emplace_back(ref.bus, std::vector<std::string>{});
        it = std::prev(plan.end());
      }
      if (std::find(it->second.begin(), it->second.end(), ref.name) == it->second.end()) {
        it->second.push_back(ref.name);
      }
    }
  }

  std::vector<Device> devices;
  for (auto& [bus, names] : plan) {
    auto read = bus->read_many(host, names);
    if (!wanted.empty() && read.size() != names.size()) {
      for (const auto& n : names) {
        bool found = std::any_of(read.begin(), read.end(), [&](const Device& d) { return d.name == n; });
        if (!found) snap.missing.push_back(DeviceRef{bus, n}.id());
      }
    }
    for (auto& d : read) {
      // Listing everything: the other buses hold dozens of devices no one assigns (an x86
      // host's serial ports, ACPI buttons, RTC). Only those vfio could take are listed: behind
      // an IOMMU (a group, or a device-tree IOMMU that makes one at the first probe: an unprobed
      // DT device or CDX function, which apply must see too), or already steered (an override, a
      // vfio node). Named ones always are. On a bus that serves devices through mdevs no device
      // has a group: there, every device of a kind its vfio driver takes (an I/O subchannel, not
      // a CHSC one).
      const bool candidate = bus->serves_through_mdev()
                                 ? !d.not_assignable
                                 : d.iommu_group.has_value() || (d.of_iommus && !d.not_assignable);
      if (wanted.empty() && !bus->lists_all_devices() && !candidate && !d.driver_override && !d.vfio_dev) {
        continue;
      }
      devices.push_back(std::move(d));
    }
  }

  ModuleCatalog& modules = session.modules();
  VfioDriverCheck& check = session.vfio_check();
  for (auto& d : devices) {
    if (d.driver) d.driver_module = modules.module_of_driver(d.bus, *d.driver);
  }
  snap.groups = GroupTable::build(host, devices, check);
  snap.iommu_present = dir_has_entries(host.sys("kernel/iommu_groups"));

  std::map<const Bus*, std::unique_ptr<CandidateRanker>> rankers;
  snap.devices.reserve(devices.size());
  for (auto& d : devices) {
    DeviceReport report;
    const Bus* bus = session.buses().find(d.bus);
    auto& ranker = rankers[bus];
    if (!ranker) ranker = std::make_unique<CandidateRanker>(*bus, session.aliases(), modules, policy);
    report.resolution = ranker->resolve(d);
    report.through_mdev = bus->serves_through_mdev();
    if (d.driver) report.is_vfio = check.is_vfio(d.bus, *d.driver, d.vfio_dev.has_value());
    if (d.iommu_group) {
      if (const IommuGroup* g = snap.groups.find(*d.iommu_group)) report.group_viable = g->viable();
    }
    report.device = std::move(d);
    snap.devices.push_back(std::move(report));
  }
  for (const auto& w : session.aliases().info().warnings) snap.warnings.push_back(w);
  return snap;
}

}  // namespace vfioctl
