// NXP's Management Complex bus (DPAA2): DPRC containers and the objects in them (dpni, dpio,
// ...), named "<type>.<id>". vfio-fsl-mc takes them through driver_override
// (drivers/bus/fsl-mc/fsl-mc-bus.c fsl_mc_bus_match checks it first); its fsl_mc_driver has no
// match table, so it never autoloads and is the one candidate. A container goes first: an
// object's probe finds the vfio device set of its parent DPRC (vfio_fsl_mc_init_device).
// A container also takes its objects along: leaving its driver removes them from Linux
// (dprc_remove, vfio_fsl_mc_remove -> dprc_remove_devices), and the driver that probes it next
// scans them back in, vfio-fsl-mc with driver_override "vfio-fsl-mc" on each
// (vfio_fsl_mc_bus_notifier). So bind and release handle a container before its objects.
// Marked for removal upstream (v6.18), like vfio-platform and vfio-amba.
#include "buses/buses.h"

namespace vfioctl {

BusSpec fsl_mc_bus_spec() {
  BusSpec s;
  s.name = "fsl-mc";
  s.generic_vfio_module = "vfio_fsl_mc";
  // An object's directory is its container's child (device_add under dev->parent):
  // /sys/bus/fsl-mc/devices/dpni.1 -> ../../../devices/platform/soc/80c000000.fsl-mc/dprc.1/dprc.2/dpni.1.
  s.read_extra = [](const HostRoot& host, const Dir&, Device& d) {
    ReadResult link = read_link_path(host.sys("bus/fsl-mc/devices/") + d.name);
    if (!link.ok()) return;
    std::string_view path = link.value;
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return;
    std::string_view parent = last_component(path.substr(0, slash));
    if (parent.rfind("dprc.", 0) == 0) d.container = std::string(parent);
  };
  s.notes = [](Session&, const Device& d) {
    std::vector<std::string> out;
    if (d.container) {
      out.push_back("an object of the container fsl-mc/" + *d.container + ": it goes to vfio-fsl-mc with its container "
                    "(bind --group fsl-mc/" + *d.container + "), which vfio-fsl-mc scans back in with each object's "
                    "driver_override set");
    } else if (d.name.rfind("dprc.", 0) != 0) {
      out.push_back("an object of a DPRC container: bind the container (fsl-mc/dprc.N) to vfio-fsl-mc first");
    }
    out.push_back("vfio-fsl-mc is marked for removal upstream (Linux 6.18)");
    return out;
  };
  return s;
}

}  // namespace vfioctl
