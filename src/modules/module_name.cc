#include "modules/module_name.h"

namespace vfioctl {

std::string normalize_module_name(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '-') c = '_';
  }
  return out;
}

std::optional<std::string> normalize_alias(std::string_view alias) {
  std::string out(alias);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == ']') return std::nullopt;
    if (out[i] == '[') {
      i = out.find(']', i);
      if (i == std::string::npos) return std::nullopt;
    } else if (out[i] == '-') {
      out[i] = '_';
    }
  }
  return out;
}

bool is_valid_module_or_driver_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  if (name == "." || name == "..") return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace vfioctl
