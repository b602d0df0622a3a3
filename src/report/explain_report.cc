#include "report/explain_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

#include "report/table.h"

namespace vfioctl {

using nlohmann::json;

namespace {

std::string driver_cell(const Candidate& c) {
  if (!c.drivers.empty()) {
    std::string s;
    for (const auto& d : c.drivers) s += (s.empty() ? "" : ",") + d;
    return s;
  }
  return is_present(c.state) ? "(no driver on this bus)" : "(known after load)";
}

json group_json(const IommuGroup& g) {
  json members = json::array();
  for (const auto& m : g.members) {
    members.push_back({{"bus", m.bus},
                       {"name", m.name},
                       {"driver", m.driver ? json(*m.driver) : json(nullptr)},
                       {"is_vfio", m.is_vfio},
                       {"allows_vfio", m.allows_ownership},
                       {"bridge", m.is_bridge}});
  }
  return {{"number", g.number}, {"viable", g.viable()}, {"members", members}};
}

}  // namespace

json explain_json(const DeviceReport& report, const Snapshot& snapshot, const std::vector<std::string>& notes) {
  const Resolution& r = *report.resolution;
  json candidates = json::array();
  for (const auto& c : r.candidates) candidates.push_back(candidate_json(c));
  json j;
  j["device"] = report.device.id();
  j["status"] = device_status_json(report);
  j["key"] = r.key;
  j["candidates"] = std::move(candidates);
  const Candidate* best = report.best();
  j["chosen"] = best ? candidate_json(*best) : json(nullptr);
  j["reason"] = report.device.not_assignable ? *report.device.not_assignable : r.reason;
  j["notes"] = notes;
  if (!report.device.of_compatible.empty()) j["of_compatible"] = report.device.of_compatible;
  if (report.device.acpi_hid) j["acpi_hid"] = *report.device.acpi_hid;
  j["kmod_resolution"] = r.kmod_modules;
  if (report.device.iommu_group) {
    if (const IommuGroup* g = snapshot.groups.find(*report.device.iommu_group)) j["iommu_group"] = group_json(*g);
  }
  return j;
}

void print_explain(const DeviceReport& report, const Snapshot& snapshot, const std::vector<std::string>& notes,
                   std::ostream& out, PciNames& names, const OutputStyle& style) {
  const Device& d = report.device;
  const Resolution& r = *report.resolution;
  auto bold = [&](const std::string& s) { return style.color ? "\033[1m" + s + "\033[0m" : s; };

  std::string title = d.id();
  if (d.pci) {
    title += fmt::format("  [{}]", pci_id_text(d));
    std::string name = names.device_name(d.pci->vendor, d.pci->device);
    if (!name.empty()) title += "  " + name;
  }
  out << bold(title) << "\n";
  if (d.pci) {
    std::string cls = names.class_name(d.pci->class_code);
    out << fmt::format("  class      {:06x}{}\n", d.pci->class_code, cls.empty() ? "" : "  " + cls);
  }
  out << "  modalias   " << d.modalias.value_or("(unreadable)") << "\n";
  out << "  driver     " << d.driver.value_or("none");
  if (d.driver_module) out << " (module " << *d.driver_module << ")";
  if (report.is_vfio) out << ", a vfio driver";
  out << "\n  override   " << d.driver_override.value_or("none") << "\n";
  if (d.acpi_hid) out << "  ACPI       " << *d.acpi_hid << "\n";
  if (!d.of_compatible.empty()) out << fmt::format("  compatible {}\n", fmt::join(d.of_compatible, ", "));
  if (d.sriov.is_vf) out << "  SR-IOV     VF of " << d.sriov.physfn.value_or("?") << "\n";
  if (d.sriov.is_pf()) {
    out << fmt::format("  SR-IOV     PF, {} of {} VFs enabled{}\n", d.sriov.numvfs.value_or(0),
                       *d.sriov.totalvfs,
                       d.sriov.has_vfs_enabled() ? " (vfio refuses a PF while VFs are enabled)" : "");
  }
  if (d.iommu_group) {
    const IommuGroup* g = snapshot.groups.find(*d.iommu_group);
    out << "  group      " << *d.iommu_group;
    if (g) {
      out << (g->viable() ? " (viable)" : " (not viable: ");
      if (!g->viable()) {
        std::string blockers;
        for (const auto* m : g->blockers()) {
          blockers += (blockers.empty() ? "" : ", ") + m->name + " on " + m->driver.value_or("?");
        }
        out << blockers << ")";
      }
      if (g->members.size() > 1) {
        out << "; members:";
        for (const auto& m : g->members) out << " " << m.name;
      }
    }
    out << "\n";
  } else if (report.through_mdev) {
    out << "  group      none needed: a VFIO user opens an mdev made on it, which has its own group\n";
    for (const auto& m : d.mdevs) {
      out << "  mdev       " << m.uuid << " (" << m.type.value_or("?") << ", group "
          << (m.iommu_group ? std::to_string(*m.iommu_group) : std::string("none")) << ")\n";
    }
  } else {
    out << "  group      none (no IOMMU, or the device is not behind one)\n";
  }
  for (const auto& n : notes) out << "  note       " << n << "\n";
  for (const auto& w : d.warnings) out << "  warning    " << w << "\n";

  out << "\n" << bold("vfio drivers matching " + (r.key.empty() ? std::string("(no key)") : r.key)) << "\n";
  if (r.candidates.empty()) {
    out << "  none\n";
  } else {
    Table t({"RANK", "MODULE", "DRIVER", "SCORE", "SOURCE", "STATE", "ALIAS"});
    for (const auto& c : r.candidates) {
      std::string state(reported_state(c));
      if (c.blacklisted && is_present(c.state)) state += ",blacklisted";
      // A bus's generic driver without an alias was found in no alias source.
      std::string source = c.alias.empty() ? "-" : std::string(to_string(c.source));
      t.add_row({c.rank ? std::to_string(c.rank) : "-", c.module, driver_cell(c),
                 fmt::format("{}/{}", c.score, c.specificity.fields), source, state,
                 c.alias.empty() ? "(no alias: driver_override only)" : c.alias});
    }
    std::ostringstream buf;
    t.print(buf);
    std::string text = buf.str();
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      out << "  " << text.substr(pos, nl - pos + 1);
      pos = nl + 1;
    }
    for (const auto& c : r.candidates) {
      if (c.excluded) out << "  " << c.module << " is not used: " << *c.excluded << "\n";
    }
  }
  out << "\n";
  const Candidate* best = report.best();
  if (d.not_assignable) {
    out << bold("Not assignable: ") << *d.not_assignable << "\n";
  } else if (best) {
    std::string driver = best->drivers.empty() ? "driver name known after load" : "driver " + best->drivers.front();
    out << bold("Chosen: " + best->module) << " (" << driver << "): " << r.reason << "\n";
  } else {
    out << bold("No vfio driver: ") << r.reason << "\n";
  }
  if (!r.key.empty()) {
    std::string kmod;
    for (const auto& m : r.kmod_modules) kmod += (kmod.empty() ? "" : " ") + m;
    out << "kmod (modprobe -R) answers: " << (kmod.empty() ? "nothing" : kmod) << "\n";
  }
}

}  // namespace vfioctl
