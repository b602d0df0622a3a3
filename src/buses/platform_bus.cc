// The platform bus: devices the firmware describes (device tree, ACPI), handed to vfio-platform
// through driver_override (drivers/base/platform.c platform_match checks it first). vfio-platform
// has no id table, so it never autoloads and has no vfio alias: it is the one candidate. It also
// needs a reset function for the device unless vfio-platform's reset_required=0 (see
// platform_reset.h). Upstream has marked vfio-platform (and vfio-amba) for removal: it is kept
// working here, and `explain` says so.
#include "buses/buses.h"
#include "buses/msi_isolation.h"
#include "buses/platform_reset.h"

namespace vfioctl {

namespace {

std::vector<std::string> read_of_compatible(const Dir& dev) {
  std::vector<std::string> out;
  ReadResult r = read_attr(dev, "of_node/compatible");
  if (!r.ok()) return out;
  std::string_view rest = r.value;
  while (!rest.empty()) {
    auto nul = rest.find('\0');
    std::string_view one = rest.substr(0, nul);
    if (!one.empty()) out.emplace_back(one);
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
  return out;
}

std::optional<std::string> read_acpi_hid(const Dir& dev) {
  ReadResult r = read_attr(dev, "firmware_node/hid");
  if (!r.ok() || r.value.empty()) return std::nullopt;
  return r.value;
}

}  // namespace

void read_firmware_description(const Dir& dev, Device& d) {
  d.of_compatible = read_of_compatible(dev);
  if (!d.of_compatible.empty()) {
    d.of_iommus = read_attr(dev, "of_node/iommus").ok();
    d.of_msi_parent = read_attr(dev, "of_node/msi-parent").ok();
  }
  d.acpi_hid = read_acpi_hid(dev);
}

BusSpec platform_bus_spec() {
  BusSpec s;
  s.name = "platform";
  s.generic_vfio_module = "vfio_platform";
  s.read_extra = [](const HostRoot&, const Dir& dev, Device& d) { read_firmware_description(dev, d); };
  s.notes = [](Session& session, const Device& d) {
    std::vector<std::string> out;
    PlatformReset reset = find_platform_reset(session, d);
    if (reset.applies) out.push_back(reset.summary);
    out.push_back("vfio-platform and its reset helpers are marked for removal upstream: plan for their end");
    return out;
  };
  // vfio-platform's probe fails without a reset function while reset_required is on
  // (vfio_platform_init_common; vfio_platform_probe_common before 6.1), and on 6.1 even with it
  // off: refused before anything is touched, saying what to do.
  s.probe_refusal = [](Session& session, const Device& d) -> std::optional<std::string> {
    PlatformReset reset = find_platform_reset(session, d);
    if (!reset.probe_will_fail()) return std::nullopt;
    return reset.summary;
  };
  // After a refused probe, with vfio_platform now loaded: its reset_required as it is, and the
  // reset the device lacked (an ACPI device's _RST cannot be seen beforehand).
  s.probe_failure_hint = [](Session& session, const Device& d) -> std::optional<std::string> {
    PlatformReset reset = find_platform_reset(session, d);
    if (!reset.applies || reset.kernel_finds_it) return std::nullopt;
    return reset.summary;
  };
  s.use_warning = msi_isolation_note;
  return s;
}

}  // namespace vfioctl
