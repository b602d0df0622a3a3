// One result of `vfioctl doctor`: what was checked, how bad it is, what was seen and what to do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vfioctl {

enum class Severity {
  kOk,     // as it should be
  kInfo,   // worth knowing, changes nothing
  kWarn,   // works, but unsafe or surprising
  kBlock,  // stops device assignment until fixed
};
std::string_view to_string(Severity s);

struct Finding {
  std::string check;    // stable key for tools: "iommu", "interrupt-remapping", ...
  Severity severity = Severity::kOk;
  std::string summary;  // one line
  std::vector<std::string> details;
  std::string remedy;   // what to do next; empty when nothing is needed
};

}  // namespace vfioctl
