#include "bind/binding_state.h"

namespace vfioctl {

std::string BindingState::describe() const {
  if (!present) return "(device gone)";
  std::string s = driver.value_or("no driver");
  if (driver_override) s += " (override " + *driver_override + ")";
  return s;
}

nlohmann::json to_json(const BindingState& s) {
  nlohmann::json j;
  j["driver"] = s.driver ? nlohmann::json(*s.driver) : nlohmann::json(nullptr);
  j["driver_override"] = s.driver_override ? nlohmann::json(*s.driver_override) : nlohmann::json(nullptr);
  if (!s.present) j["present"] = false;
  return j;
}

BindingState binding_state_from_json(const nlohmann::json& j) {
  BindingState s;
  if (j.contains("driver") && j["driver"].is_string()) s.driver = j["driver"].get<std::string>();
  if (j.contains("driver_override") && j["driver_override"].is_string()) {
    s.driver_override = j["driver_override"].get<std::string>();
  }
  if (j.contains("present") && j["present"].is_boolean()) s.present = j["present"].get<bool>();
  return s;
}

}  // namespace vfioctl
