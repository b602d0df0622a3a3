// Where a device is bound, as far as binding is concerned: its driver and its driver_override.
// This is what the journal records before the first write and what rollback restores.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vfioctl {

struct BindingState {
  std::optional<std::string> driver;
  std::optional<std::string> driver_override;
  bool present = true;  // false: the device is gone from sysfs

  friend bool operator==(const BindingState&, const BindingState&) = default;
  std::string describe() const;  // "e1000e (override none)"
};

nlohmann::json to_json(const BindingState& s);
BindingState binding_state_from_json(const nlohmann::json& j);

}  // namespace vfioctl
