// `vfioctl doctor` output: a table (one line per check, details and remedy beneath) and JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <vector>

#include "doctor/finding.h"
#include "report/status_report.h"

namespace vfioctl {

nlohmann::json doctor_json(const std::vector<Finding>& findings);
void print_doctor(const std::vector<Finding>& findings, std::ostream& out, const OutputStyle& style);

}  // namespace vfioctl
