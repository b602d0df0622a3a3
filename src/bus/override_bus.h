// A bus whose devices go to vfio through driver_override, as PCI's do (drivers/base/
// driver.c driver_set_override, the driver_override attribute of each bus and its bus match
// honouring it): platform, amba, fsl-mc, cdx and css. What differs between them is data (the
// bus name, its generic vfio module, its vfio alias prefix and modalias fields, the shape of a
// device name) and optional hooks for what is special about a device; each bus is a BusSpec in
// its own file (src/buses/), registered in bus_registry.cc. The ap bus reads through this class
// too, though it has no driver_override: its binding goes through the masks (src/ap).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "host/file_io.h"

namespace vfioctl {

struct BusSpec {
  std::string name;                      // /sys/bus/<name>
  std::string vfio_alias_prefix;         // "vfio_cdx:"; empty when the bus's vfio driver has no id table
  std::vector<std::string_view> fields;  // modalias field markers, for alias specificity
  std::string generic_vfio_module;       // "vfio_platform"
  // Whether a user's text is a device name of this bus (syntax only); the canonical form.
  std::function<std::optional<std::string>(std::string_view)> canonical_name;
  // Reads what only this bus has (compatible strings, subchannel type) into the device.
  std::function<void(const HostRoot&, const Dir&, Device&)> read_extra;
  std::function<std::vector<std::string>(Session&, const Device&)> notes;
  std::function<std::optional<std::string>(Session&, const Device&)> probe_refusal;
  std::function<std::optional<std::string>(Session&, const Device&)> probe_failure_hint;
  std::function<std::optional<std::string>(Session&, const Device&)> use_warning;
  bool steered_by_override = true;  // false: the bus has no driver_override (ap: masks instead)
  bool list_all = false;            // list every device, not only those with an IOMMU group or a vfio tie
  bool mdev_parent = false;         // Bus::serves_through_mdev
  std::string without_group;        // Bus::without_group, when this bus has more to say
};

class OverrideBus final : public Bus {
 public:
  explicit OverrideBus(BusSpec spec) : spec_(std::move(spec)) {}

  std::string_view name() const override { return spec_.name; }
  std::string_view vfio_alias_prefix() const override { return spec_.vfio_alias_prefix; }
  std::span<const std::string_view> modalias_fields() const override { return spec_.fields; }
  std::string_view generic_vfio_module() const override { return spec_.generic_vfio_module; }
  std::optional<std::string> canonical_name(std::string_view user_text) const override;
  std::vector<std::string> list(const HostRoot& host) const override;
  std::optional<Device> read(const HostRoot& host, const std::string& name) const override;
  std::optional<std::string> vfio_alias_key(const Device& device) const override;
  bool lists_all_devices() const override { return spec_.list_all; }
  bool uses_driver_override() const override { return spec_.steered_by_override; }
  bool serves_through_mdev() const override { return spec_.mdev_parent; }
  std::string_view without_group() const override {
    return spec_.without_group.empty() ? Bus::without_group() : std::string_view(spec_.without_group);
  }
  std::vector<std::string> notes(Session& session, const Device& device) const override {
    return spec_.notes ? spec_.notes(session, device) : std::vector<std::string>{};
  }
  std::optional<std::string> probe_refusal(Session& session, const Device& device) const override {
    return spec_.probe_refusal ? spec_.probe_refusal(session, device) : std::nullopt;
  }
  std::optional<std::string> probe_failure_hint(Session& session, const Device& device) const override {
    return spec_.probe_failure_hint ? spec_.probe_failure_hint(session, device) : std::nullopt;
  }
  std::optional<std::string> use_warning(Session& session, const Device& device) const override {
    return spec_.use_warning ? spec_.use_warning(session, device) : std::nullopt;
  }

 private:
  BusSpec spec_;
};

// Names the kernel gives devices on these buses ("fff51000.ethernet", "dprc.1", "cdx-00:01",
// "0.0.0313"): letters, digits and . _ : , + @ -, at most 255 characters, not "." or "..".
// Nothing a shell or a path could misread.
std::optional<std::string> plain_device_name(std::string_view text);

}  // namespace vfioctl
