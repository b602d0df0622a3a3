// `vfioctl status`: one row (or JSON object) per device. The JSON keys are the contract in
// docs (cli-contract): address, bus, vendor, device, class, driver, driver_override, is_vfio,
// iommu_group, group_viable, vfio_driver {module, driver, alias, score}; vfioctl adds more.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "inventory/snapshot.h"
#include "report/pci_names.h"

namespace vfioctl {

struct OutputStyle {
  bool color = false;      // ANSI colours (terminal, and NO_COLOR unset)
  std::size_t width = 0;   // terminal width; 0 = unlimited
};

nlohmann::json candidate_json(const Candidate& c);
nlohmann::json device_status_json(const DeviceReport& report);
nlohmann::json status_json(const Snapshot& snapshot, const HostRoot& host);

void print_status_table(const Snapshot& snapshot, std::ostream& out, PciNames* names,
                        const OutputStyle& style);

// "15b3:101e"
std::string pci_id_text(const Device& d);

}  // namespace vfioctl
