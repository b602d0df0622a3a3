// NXP's Management Complex bus (DPAA2): DPRC containers and the objects in them (dpni, dpio,
// ...), named "<type>.<id>". vfio-fsl-mc takes them through driver_override
// (drivers/bus/fsl-mc/fsl-mc-bus.c fsl_mc_bus_match checks it first); its fsl_mc_driver has no
// match table, so it never autoloads and is the one candidate. A container goes first: an
// object's probe finds the vfio device set of its parent DPRC (vfio_fsl_mc_init_device).
// Marked for removal upstream (v6.18), like vfio-platform and vfio-amba.
#include "buses/buses.h"

namespace vfioctl {

BusSpec fsl_mc_bus_spec() {
  BusSpec s;
  s.name = "fsl-mc";
  s.generic_vfio_module = "vfio_fsl_mc";
  s.notes = [](const HostRoot&, const VfioAliasIndex&, const Device& d) {
    std::vector<std::string> out;
    if (d.name.rfind("dprc.", 0) != 0) {
      out.push_back("an object of a DPRC container: bind the container (fsl-mc/dprc.N) to vfio-fsl-mc first");
    }
    out.push_back("vfio-fsl-mc is marked for removal upstream (Linux 6.18)");
    return out;
  };
  return s;
}

}  // namespace vfioctl
