// The AMBA bus (ARM PrimeCell peripherals): vfio-amba through driver_override
// (drivers/amba/bus.c amba_match checks it first). Like vfio-platform it has no id table and is
// marked for removal upstream.
#include "buses/buses.h"
#include "buses/msi_isolation.h"

namespace vfioctl {

BusSpec amba_bus_spec() {
  BusSpec s;
  s.name = "amba";
  s.generic_vfio_module = "vfio_amba";
  s.read_extra = [](const HostRoot&, const Dir& dev, Device& d) { read_firmware_description(dev, d); };
  s.notes = [](Session&, const Device&) {
    // vfio_amba_probe sets reset_required = false: no reset helper is looked for.
    return std::vector<std::string>{"vfio-amba needs no reset helper; it is marked for removal upstream"};
  };
  s.use_warning = msi_isolation_note;
  return s;
}

}  // namespace vfioctl
