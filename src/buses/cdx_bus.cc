// AMD's CDX bus (FPGA functions), devices "cdx-BB:DD". vfio-cdx's id table is override-only
// (CDX_DRIVER_OVERRIDE_DEVICE_VFIO), so file2alias.c writes its aliases as "vfio_cdx:v..d.."
// (do_cdx_entry) and they rank like PCI's, by the fields v, d, sv, sd and c.
#include "buses/buses.h"

namespace vfioctl {

namespace {
constexpr std::string_view kCdxFields[] = {"v", "d", "sv", "sd", "c"};
}

BusSpec cdx_bus_spec() {
  BusSpec s;
  s.name = "cdx";
  s.vfio_alias_prefix = "vfio_cdx:";
  s.fields.assign(std::begin(kCdxFields), std::end(kCdxFields));
  s.generic_vfio_module = "vfio_cdx";
  return s;
}

}  // namespace vfioctl
