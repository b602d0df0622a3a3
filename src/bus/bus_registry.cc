#include "bus/bus_registry.h"

#include "buses/buses.h"
#include "pci/pci_bus.h"

namespace vfioctl {

std::string DeviceRef::id() const {
  return device_id(bus->name(), name);
}

BusRegistry::BusRegistry() {
  buses_.push_back(std::make_unique<PciBus>());  // first: pci() and the default for plain addresses
  for (auto spec : {platform_bus_spec(), amba_bus_spec(), fsl_mc_bus_spec(), cdx_bus_spec(), css_bus_spec(), ap_bus_spec()}) {
    buses_.push_back(std::make_unique<OverrideBus>(std::move(spec)));
  }
}

const Bus* BusRegistry::find(std::string_view name) const {
  for (const auto& b : buses_) {
    if (b->name() == name) return b.get();
  }
  return nullptr;
}

std::optional<DeviceRef> BusRegistry::parse(std::string_view text, std::string* error) const {
  const Bus* bus = &pci();
  std::string_view rest = text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view bus_name = text.substr(0, slash);
    bus = find(bus_name);
    rest = text.substr(slash + 1);
    if (!bus) {
      std::string known;
      for (const auto& b : buses_) known += (known.empty() ? "" : ", ") + std::string(b->name());
      if (error) *error = "unknown bus '" + std::string(bus_name) + "' in '" + std::string(text) +
                          "' (known: " + known + ")";
      return std::nullopt;
    }
  }
  auto canonical = bus->canonical_name(rest);
  if (!canonical) {
    if (error) {
      *error = bus->name() == "pci"
                   ? "'" + std::string(text) + "' is not a PCI address (expected DDDD:BB:DD.F such as 0000:01:00.0, or BB:DD.F)"
                   : "'" + std::string(text) + "' is not a valid " + std::string(bus->name()) + " device name";
    }
    return std::nullopt;
  }
  return DeviceRef{bus, *canonical};
}

}  // namespace vfioctl
