// s390's channel subsystem: subchannels named "<cssid>.<ssid>.<schno>" ("0.0.0313"), each of
// a type (Documentation/ABI/testing/sysfs-bus-css: type, modalias "css:t<type>",
// driver_override). vfio_ccw takes I/O subchannels (type 0) only: its css_device_id table
// (drivers/s390/cio/vfio_ccw_drv.c) has that one type, and css_bus_match needs both the override
// and a table match. That table also gives vfio_ccw the alias "css:t0", which every I/O
// subchannel's uevent carries: `vfioctl policy` is what keeps it from autoloading.
//
// A subchannel is in no IOMMU group: the css bus has no IOMMU, and s390's IOMMU driver serves
// PCI only (drivers/iommu/Kconfig: S390_IOMMU depends on PCI). vfio_ccw makes a bound subchannel
// the parent of one mediated device type, vfio_ccw-io (mdev_register_parent in vfio_ccw_sch_probe);
// the VFIO user opens an mdev made from it, which has a group of its own.
#include "buses/buses.h"

#include "bus/mdev_children.h"
#include "bus/sysfs_device.h"
#include "host/hex_digit.h"

namespace vfioctl {

namespace {

// css.c: dev_set_name(&sch->dev, "%x.%x.%04x", cssid, ssid, schno). Upper case is accepted
// and lowered, as lscss users type it either way.
std::optional<std::string> subchannel_name(std::string_view text) {
  std::string s;
  for (char c : text) s += (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c;
  auto dot1 = s.find('.');
  auto dot2 = dot1 == std::string::npos ? dot1 : s.find('.', dot1 + 1);
  if (dot2 == std::string::npos || s.find('.', dot2 + 1) != std::string::npos) return std::nullopt;
  auto all_hex = [&](std::size_t from, std::size_t to) {
    if (from >= to) return false;
    for (std::size_t i = from; i < to; ++i) {
      if (hex_digit_value(s[i]) < 0) return false;
    }
    return true;
  };
  // The subchannel-set id is 0 to 3 (__MAX_SSID, arch/s390/include/asm/cio.h).
  if (dot1 > 2 || !all_hex(0, dot1) || dot2 - dot1 - 1 != 1 || s[dot1 + 1] < '0' || s[dot1 + 1] > '3' ||
      s.size() - dot2 - 1 != 4 || !all_hex(dot2 + 1, s.size())) {
    return std::nullopt;
  }
  return s;
}

}  // namespace

BusSpec css_bus_spec() {
  BusSpec s;
  s.name = "css";
  s.generic_vfio_module = "vfio_ccw";
  s.canonical_name = subchannel_name;
  s.mdev_parent = true;
  s.read_extra = [](const HostRoot&, const Dir& dev, Device& d) {
    // Only vfio_ccw makes a subchannel an mdev parent: the directory read is skipped for the
    // thousands of subchannels on io_subchannel a mainframe's status lists.
    if (d.driver == std::optional<std::string>("vfio_ccw")) d.mdevs = read_mdev_children(dev);
    ReadResult type = read_attr(dev, "type");
    if (!type.ok()) return;
    auto t = parse_decimal(type.value);
    if (t && *t != 0) {
      d.not_assignable = "subchannel of type " + type.value + " (vfio_ccw takes I/O subchannels, type 0, only)";
    }
  };
  return s;
}

}  // namespace vfioctl
