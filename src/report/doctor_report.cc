#include "report/doctor_report.h"

#include "doctor/doctor.h"

namespace vfioctl {

namespace {

const char* colour(Severity s) {
  switch (s) {
    case Severity::kOk: return "\033[32m";
    case Severity::kInfo: return "";
    case Severity::kWarn: return "\033[33m";
    case Severity::kBlock: return "\033[31m";
  }
  return "";
}

}  // namespace

nlohmann::json doctor_json(const std::vector<Finding>& findings) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : findings) {
    list.push_back({{"check", f.check},
                    {"severity", std::string(to_string(f.severity))},
                    {"summary", f.summary},
                    {"details", f.details},
                    {"remedy", f.remedy.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.remedy)}});
  }
  return {{"findings", list}, {"blocking", any_blocking(findings)}};
}

void print_doctor(const std::vector<Finding>& findings, std::ostream& out, const OutputStyle& style) {
  std::size_t width = 0;
  for (const auto& f : findings) width = std::max(width, to_string(f.severity).size());
  for (const auto& f : findings) {
    std::string label(to_string(f.severity));
    std::string padded = label + std::string(width - label.size(), ' ');
    if (style.color && *colour(f.severity)) padded = std::string(colour(f.severity)) + padded + "\033[0m";
    out << padded << "  " << f.check << ": " << f.summary << "\n";
    std::string indent(width + 2, ' ');
    for (const auto& d : f.details) out << indent << "  " << d << "\n";
    if (!f.remedy.empty()) out << indent << "  fix: " << f.remedy << "\n";
  }
  out << (any_blocking(findings) ? "\nSomething blocks device assignment: see the blocking lines above.\n"
                                 : "\nNothing blocks device assignment.\n");
}

}  // namespace vfioctl
