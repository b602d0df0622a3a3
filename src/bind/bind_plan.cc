#include "bind/bind_plan.h"

#include <algorithm>
#include <set>

#include "bind/container_order.h"
#include "bind/noiommu_mode.h"
#include "host/file_io.h"
#include "safety/in_use.h"
#include "safety/vfio_users.h"

namespace vfioctl {

BindPlan::Block BindPlan::block() const {
  if (!bad_input.empty()) return Block::kBadInput;
  if (!refusals.empty()) return Block::kRefused;
  if (!cannot.empty()) return Block::kCannot;
  return Block::kNone;
}

bool BindPlan::nothing_to_do() const {
  return std::all_of(devices.begin(), devices.end(), [](const PlannedBind& p) { return p.already_done; });
}

namespace {

// vfio's no-IOMMU mode exists only in kernels built with CONFIG_VFIO_NOIOMMU: its module
// parameter is declared under that option (drivers/vfio/vfio_main.c in 6.1, group.c from 6.2).
// With the vfio module loaded, a missing parameter says so for certain; otherwise (not loaded,
// or built in without the mode) the executor finds out when it writes the parameter.
bool noiommu_mode_missing(const HostRoot& host) {
  return path_exists(host.path("/sys/module/vfio/initstate")) &&
         !path_exists(host.path(kNoiommuParam));
}

bool contains(const std::vector<DeviceRef>& refs, const std::string& bus, const std::string& name) {
  return std::any_of(refs.begin(), refs.end(), [&](const DeviceRef& r) { return r.bus->name() == bus && r.name == name; });
}

// --group: every endpoint of each requested device's group joins the request.
std::vector<DeviceRef> expand_groups(Session& session, const Snapshot& snap, std::vector<DeviceRef> refs,
                                     std::set<std::string>& added) {
  for (const auto& r : snap.devices) {
    if (!r.device.iommu_group) continue;
    const IommuGroup* g = snap.groups.find(*r.device.iommu_group);
    if (!g) continue;
    for (const auto& m : g->members) {
      const Bus* bus = session.buses().find(m.bus);
      if (!bus || m.is_bridge || (m.driver && *m.driver == "pcieport")) continue;
      if (contains(refs, m.bus, m.name)) continue;
      // A member outside the snapshot was read through the group's folder only, which cannot
      // tell a bridge (is_bridge stays false): read it as a device before taking it. Without
      // this a pcie-pci-bridge sharing the group would make --group fail as bad input.
      auto member = bus->read(session.host(), m.name);
      if (member && member->not_assignable) continue;
      refs.push_back(DeviceRef{bus, m.name});
      added.insert(m.name);
    }
  }
  return refs;
}

std::string describe_excluded(const Resolution& r) {
  std::string s = r.reason;
  for (const auto& c : r.candidates) {
    if (c.excluded) s += "; " + c.module + ": " + *c.excluded;
  }
  return s;
}

}  // namespace

BindPlan plan_bind(Session& session, const BindOptions& options, const AddressSource& addresses) {
  BindPlan plan;
  const HostRoot& host = session.host();

  DriverPolicy policy;
  policy.generic_only = options.generic;
  if (options.driver) {
    const Bus& bus = options.devices.empty() ? session.buses().pci() : *options.devices.front().bus;
    std::string error;
    plan.pinned = resolve_driver_spelling(host, session.modules(), bus, *options.driver, &error);
    if (!plan.pinned) {
      plan.bad_input.push_back({"", error});
      return plan;
    }
    policy.pinned_module = plan.pinned->module;
  }

  Snapshot snap = take_snapshot(session, options.devices, policy);
  for (const auto& m : snap.missing) plan.bad_input.push_back({m, "no such device (run 'vfioctl status' to list devices)"});
  if (!plan.bad_input.empty()) return plan;

  std::set<std::string> added_by_group;
  if (options.group) {
    auto refs = expand_groups(session, snap, options.devices, added_by_group);
    if (refs.size() != options.devices.size()) snap = take_snapshot(session, refs, policy);
  }

  const std::string generic_module(session.buses().pci().generic_vfio_module());
  const std::optional<std::string> generic_driver =
      driver_of_module(host, session.modules(), session.buses().pci(), generic_module);
  for (const auto& r : snap.devices) {
    const Device& d = r.device;
    const std::string id = d.id();
    PlannedBind p;
    p.ref = DeviceRef{session.buses().find(d.bus), d.name};
    p.device = d;
    p.original = BindingState{d.driver, d.driver_override, true};
    p.note = added_by_group.count(d.name) ? "member of IOMMU group " + std::to_string(d.iommu_group.value_or(-1))
                                          : "asked for";

    if (d.not_assignable) {
      plan.bad_input.push_back({id, "is a " + *d.not_assignable});
      continue;
    }
    const bool mediated = p.ref.bus->serves_through_mdev();
    if (mediated) {
      // Bus::serves_through_mdev: no group of its own to check, whatever the host's IOMMU.
      plan.notes.push_back(id + ": needs no IOMMU group of its own: " + std::string(p.ref.bus->generic_vfio_module()) +
                           " serves it through mediated devices, each with a group vfio makes");
    } else if (!snap.iommu_present) {
      if (!options.noiommu) {
        plan.refusals.push_back({id, "this host has no IOMMU (no IOMMU groups): VFIO cannot isolate the device. "
                                     "Enable VT-d/AMD-Vi and boot with intel_iommu=on or amd_iommu=on, or accept "
                                     "the risk with --noiommu (vfio's enable_unsafe_noiommu_mode; taints the kernel)"});
      }
      plan.noiommu = true;
    } else if (!d.iommu_group && options.noiommu) {
      // Since v5.19 vfio gives any device without a group a no-IOMMU group of its own while
      // the mode is on, whether or not other devices sit behind an IOMMU
      // (vfio_group_find_or_alloc: !iommu_group && vfio_noiommu).
      plan.noiommu = true;
    } else if (!d.iommu_group && d.of_iommus) {
      // The group comes with the probe (Device::of_iommus): the vfio driver's own dma_configure
      // makes it before vfio_device_set_group looks for it.
      plan.notes.push_back(id + ": no IOMMU group yet; the device tree gives it an IOMMU, and the kernel makes "
                                "the group when a driver probes the device");
    } else if (!d.iommu_group) {
      plan.refusals.push_back({id, "has no IOMMU group, and " + std::string(p.ref.bus->without_group()) +
                                       ", or accept the risk with --noiommu (vfio's enable_unsafe_noiommu_mode; "
                                       "taints the kernel)"});
    }
    if (auto why = p.ref.bus->probe_refusal(session, d)) plan.cannot.push_back({id, *why});
    // A real group goes to vfio_iommu_type1 when a VFIO user opens it; a no-IOMMU group does not.
    if (d.iommu_group || d.of_iommus) {
      if (auto warning = p.ref.bus->use_warning(session, d)) plan.notes.push_back(id + ": " + *warning);
    }
    if (d.sriov.has_vfs_enabled()) {
      plan.refusals.push_back({id, "is an SR-IOV PF with " + std::to_string(*d.sriov.numvfs) +
                                   " VFs enabled; vfio refuses it (\"Cannot bind to PF with SR-IOV enabled\"). "
                                   "Bind its VFs instead, or disable them first (vfioctl vfs " + d.name + " 0)"});
    }

    // Already where it should be?
    if (d.driver) {
      if (plan.pinned) {
        p.already_done = plan.pinned->driver && *d.driver == *plan.pinned->driver;
      } else if (options.generic) {
        p.already_done = d.driver_module == generic_module || (generic_driver && d.driver == generic_driver);
      } else {
        p.already_done = r.is_vfio;
      }
      if (p.already_done) {
        p.note = "already on " + *d.driver;
        if (!plan.pinned && !options.generic && r.best() && r.best()->module != d.driver_module.value_or("")) {
          p.note += " (a vfio driver; --driver " + r.best()->module + " would switch to the preferred one)";
        }
      }
    }
    if (!p.already_done) {
      for (const auto& c : r.resolution->candidates) {
        if (!c.excluded) p.candidates.push_back(c);
        // Said aloud: the user may expect this variant, and --driver would still use it.
        if (c.excluded && c.blacklisted && !plan.pinned && !options.generic) {
          plan.notes.push_back(id + ": " + c.module + " matches but is blacklisted in modprobe.d, so it is skipped (--driver " +
                               c.module + " uses it anyway)");
        }
      }
      if (p.candidates.empty()) plan.cannot.push_back({id, "no usable vfio driver: " + describe_excluded(*r.resolution)});
      // Moving a device from one vfio driver to another unbinds it; with a user holding it
      // open that unbind would block until the user lets go.
      if (r.is_vfio) {
        for (const auto& user : vfio_users(host, d.iommu_group, d.vfio_dev)) {
          plan.refusals.push_back({id, "is open by pid " + std::to_string(user.pid) + " (" + user.command +
                                           ") through " + user.node + "; stop that process before switching drivers"});
        }
      }
      if (!options.force) {
        for (const auto& why : in_use_reasons(host, d, addresses)) {
          plan.refusals.push_back({id, "is in use by the host: " + why + " (--force takes it anyway)"});
        }
      }
    }
    plan.devices.push_back(std::move(p));
  }

  order_containers_first(plan.devices, [](const PlannedBind& p) -> const Device& { return p.device; });

  if (options.noiommu && plan.noiommu && noiommu_mode_missing(host)) {
    plan.refusals.push_back({"", "--noiommu cannot work here: vfio is loaded without an enable_unsafe_noiommu_mode "
                                 "parameter, so this kernel is built without CONFIG_VFIO_NOIOMMU (Debian's kernels are); "
                                 "VFIO needs an IOMMU on this kernel"});
  }

  // Group viability after the bind: every member not in the plan must already allow VFIO to
  // own the group (unbound, vfio, pci-stub, pcieport). Devices without a group (no-IOMMU
  // mode) have none to check.
  {
    std::set<int> seen;
    for (const auto& p : plan.devices) {
      if (!p.device.iommu_group || !seen.insert(*p.device.iommu_group).second) continue;
      const IommuGroup* g = snap.groups.find(*p.device.iommu_group);
      if (!g) continue;
      std::string blockers;
      for (const auto& m : g->members) {
        bool planned = std::any_of(plan.devices.begin(), plan.devices.end(),
                                   [&](const PlannedBind& q) { return q.device.bus == m.bus && q.device.name == m.name; });
        if (planned || m.allows_ownership) continue;
        const std::string member_id = device_id(m.bus, m.name);
        blockers += (blockers.empty() ? "" : ", ") + member_id + " (on " + m.driver.value_or("?") + ")";
      }
      if (!blockers.empty()) {
        std::string hint = options.group ? "those devices cannot be given to vfio (bridges on a host driver)"
                           : p.device.bus == "pci"
                               ? "add --group to bind every endpoint of the group, or move those devices to vfio-pci, "
                                 "pci-stub or no driver first"
                               : "add --group to bind every device of the group, or move those devices to " +
                                     std::string(session.buses().find(p.device.bus)->generic_vfio_module()) +
                                     " or no driver first";
        plan.refusals.push_back({p.device.id(), "IOMMU group " + std::to_string(g->number) +
                                                    " would not be viable: " + blockers + " stay on host drivers; " + hint});
      }
    }
  }
  return plan;
}

}  // namespace vfioctl
