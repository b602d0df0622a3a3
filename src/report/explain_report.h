// `vfioctl explain DEVICE`: every matching vfio alias with its module, score, rank and state,
// the choice and the rule that decided it, and the module -> driver name mapping.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "inventory/snapshot.h"
#include "report/pci_names.h"
#include "report/status_report.h"

namespace vfioctl {

// `notes`: the bus's notes on the device (Bus::notes), read only for explain, which shows them.
nlohmann::json explain_json(const DeviceReport& report, const Snapshot& snapshot, const std::vector<std::string>& notes);
void print_explain(const DeviceReport& report, const Snapshot& snapshot, const std::vector<std::string>& notes,
                   std::ostream& out, PciNames& names, const OutputStyle& style);

}  // namespace vfioctl
