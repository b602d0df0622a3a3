#include "report/status_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "report/table.h"

namespace vfioctl {

using nlohmann::json;

namespace {

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json optional_int(const std::optional<int>& v) { return v ? json(*v) : json(nullptr); }

std::string hex(unsigned value, int digits) { return fmt::format("{:0{}x}", value, digits); }

std::string paint(const OutputStyle& style, const char* code, const std::string& text) {
  if (!style.color || text.empty()) return text;
  return fmt::format("\033[{}m{}\033[0m", code, text);
}

}  // namespace

std::string pci_id_text(const Device& d) {
  if (!d.pci) return "?";
  return hex(d.pci->vendor, 4) + ":" + hex(d.pci->device, 4);
}

json candidate_json(const Candidate& c) {
  json j;
  j["module"] = c.module;
  j["driver"] = c.drivers.empty() ? json(nullptr) : json(c.drivers.front());
  if (c.drivers.size() > 1) j["drivers"] = c.drivers;
  if (c.drivers.empty()) {
    j["driver_note"] = is_present(c.state)
                           ? "the module registered no driver on this bus"
                           : "driver name known after load";
  }
  j["alias"] = c.alias;
  j["score"] = c.score;
  j["fields"] = c.specificity.fields;
  j["wildcard_fields"] = c.specificity.wildcard_fields;
  j["literal_chars"] = c.specificity.literal_chars;
  j["source"] = std::string(to_string(c.source));
  j["state"] = std::string(reported_state(c));
  j["blacklisted"] = c.blacklisted;
  j["rank"] = c.rank == 0 ? json(nullptr) : json(c.rank);
  j["excluded"] = optional_string(c.excluded);
  return j;
}

json device_status_json(const DeviceReport& r) {
  const Device& d = r.device;
  json j;
  j["address"] = d.name;
  j["bus"] = d.bus;
  if (d.pci) {
    j["vendor"] = hex(d.pci->vendor, 4);
    j["device"] = hex(d.pci->device, 4);
    j["subsystem_vendor"] = hex(d.pci->subsystem_vendor, 4);
    j["subsystem_device"] = hex(d.pci->subsystem_device, 4);
    j["class"] = hex(d.pci->class_code, 6);
  } else {
    j["vendor"] = nullptr;
    j["device"] = nullptr;
    j["subsystem_vendor"] = nullptr;
    j["subsystem_device"] = nullptr;
    j["class"] = nullptr;
  }
  j["modalias"] = optional_string(d.modalias);
  j["driver"] = optional_string(d.driver);
  j["driver_module"] = optional_string(d.driver_module);
  j["driver_override"] = optional_string(d.driver_override);
  j["is_vfio"] = r.is_vfio;
  j["vfio_dev"] = optional_string(d.vfio_dev);
  j["iommu_group"] = optional_int(d.iommu_group);
  j["group_viable"] = r.group_viable ? json(*r.group_viable) : json(nullptr);
  // A device served through mdevs (Bus::serves_through_mdev): the VFIO devices made on it.
  if (r.through_mdev) {
    json mdevs = json::array();
    for (const auto& m : d.mdevs) {
      mdevs.push_back({{"uuid", m.uuid}, {"type", optional_string(m.type)}, {"iommu_group", optional_int(m.iommu_group)}});
    }
    j["mdevs"] = std::move(mdevs);
  }
  const Candidate* best = r.best();
  j["vfio_driver"] = best ? candidate_json(*best) : json(nullptr);
  j["assignable"] = !d.not_assignable.has_value();
  j["not_assignable_reason"] = optional_string(d.not_assignable);
  json sriov;
  sriov["role"] = d.sriov.is_vf ? json("vf") : d.sriov.is_pf() ? json("pf") : json(nullptr);
  sriov["physfn"] = optional_string(d.sriov.physfn);
  sriov["totalvfs"] = optional_int(d.sriov.totalvfs);
  sriov["numvfs"] = optional_int(d.sriov.numvfs);
  sriov["drivers_autoprobe"] = d.sriov.drivers_autoprobe ? json(*d.sriov.drivers_autoprobe) : json(nullptr);
  j["sriov"] = std::move(sriov);
  j["warnings"] = d.warnings;
  return j;
}

json status_json(const Snapshot& snapshot, const HostRoot& host) {
  json devices = json::array();
  for (const auto& r : snapshot.devices) devices.push_back(device_status_json(r));
  json j;
  j["devices"] = std::move(devices);
  j["kernel_release"] = host.kernel_release();
  j["iommu_present"] = snapshot.iommu_present;
  j["warnings"] = snapshot.warnings;
  return j;
}

namespace {

// GROUP column: the number, how many other devices share it, and whether one of those others
// would stop VFIO from using the group (the device's own host driver does not count: binding
// replaces it).
std::string group_cell(const DeviceReport& r, const Snapshot& snapshot) {
  const Device& d = r.device;
  // Served through mdevs: no group of its own; the mdevs' groups are what a VFIO user opens.
  if (r.through_mdev) {
    if (d.mdevs.empty()) return "-";
    std::string cell = "mdev";
    for (const auto& m : d.mdevs) cell += " " + (m.iommu_group ? std::to_string(*m.iommu_group) : std::string("?"));
    return cell;
  }
  if (!d.iommu_group) return d.of_iommus ? "at probe" : "-";  // Device::of_iommus
  std::string cell = std::to_string(*d.iommu_group);
  const IommuGroup* g = snapshot.groups.find(*d.iommu_group);
  if (!g || g->members.size() < 2) return cell;
  cell += fmt::format(" +{}", g->members.size() - 1);
  for (const GroupMember* m : g->blockers()) {
    if (m->name != d.name) return cell + " blocked";
  }
  return cell;
}

}  // namespace

void print_status_table(const Snapshot& snapshot, std::ostream& out, PciNames* names,
                        const OutputStyle& style) {
  Table table({"DEVICE", "ID", "DRIVER", "OVERRIDE", "GROUP", "VFIO DRIVER", "DESCRIPTION"});
  // Thousands of devices share a handful of vendor:device ids (SR-IOV VFs); libpci's lookup
  // costs a hash probe and a string format each time.
  std::map<std::uint32_t, std::string> names_by_id;
  for (const auto& r : snapshot.devices) {
    const Device& d = r.device;
    std::string driver = d.driver.value_or("-");
    if (r.is_vfio) driver = paint(style, "32", driver + " (vfio)");
    std::string best;
    if (d.not_assignable) {
      best = "- (bridge)";
    } else if (const Candidate* c = r.best()) {
      best = c->drivers.empty() ? c->module : c->drivers.front();
      if (!is_present(c->state)) best += " (" + std::string(to_string(c->state)) + ")";
    } else {
      best = "-";
    }
    std::string description;
    if (names && d.pci) {
      std::uint32_t id = std::uint32_t{d.pci->vendor} << 16 | d.pci->device;
      auto it = names_by_id.find(id);
      if (it == names_by_id.end()) it = names_by_id.emplace(id, names->device_name(d.pci->vendor, d.pci->device)).first;
      description = it->second;
    }
    std::string role;
    if (d.sriov.is_vf) role = "VF of " + d.sriov.physfn.value_or("?");
    else if (d.sriov.has_vfs_enabled()) role = fmt::format("PF with {} VFs", *d.sriov.numvfs);
    if (!role.empty()) description = description.empty() ? role : role + ": " + description;
    // Other buses have no PCI ids: the device tree's most specific compatible string, else the modalias.
    if (!d.pci && description.empty()) {
      description = !d.of_compatible.empty() ? d.of_compatible.front() : d.modalias.value_or("");
    }
    if (!d.warnings.empty()) description = paint(style, "33", "! ") + description;
    // ID: the PCI vendor:device, or the ACPI hardware ID a firmware-described device has.
    table.add_row({d.id(), d.bus == "pci" ? pci_id_text(d) : d.acpi_hid.value_or("-"), driver, d.driver_override.value_or("-"),
                   group_cell(r, snapshot), best, description});
  }
  table.print(out, style.width);
  // The note is for devices that need a group; an s390 host that lists only subchannels needs none.
  const bool groups_needed = snapshot.devices.empty() ||
                             std::any_of(snapshot.devices.begin(), snapshot.devices.end(),
                                         [](const DeviceReport& r) { return !r.through_mdev; });
  if (!snapshot.iommu_present && groups_needed) {
    out << paint(style, "33", "note:") << " no IOMMU groups on this host; VFIO needs an IOMMU "
        << "(enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on), or "
        << "vfio's unsafe no-IOMMU mode\n";
  }
}
}  // namespace vfioctl
