// AMD's CDX bus (FPGA functions), devices "cdx-BB:DD". vfio-cdx's id table is override-only
// (CDX_DRIVER_OVERRIDE_DEVICE_VFIO), so file2alias.c writes its aliases as "vfio_cdx:v..d.."
// (do_cdx_entry) and they rank like PCI's, by the fields v, d, sv, sd and c.
//
// The bus also lists its bus devices, "cdx-BB" (cdx_bus_add), beside the functions. They carry
// only enable and reset (cdx_bus_dev_group) and cdx_bus_match never matches them to a driver.
//
// A function has no device-tree node of its own; its controller's node describes its DMA and
// MSI, and in sysfs the controller is its grandparent (<controller>/cdx-BB/cdx-BB:DD). The
// function's IOMMU group comes when a driver probes it (cdx_dma_configure -> of_dma_configure_id
// maps its requester ID through the controller node's iommu-map), like a DT device's; its MSI
// domain is the controller's, made from msi-map (cdx_msi_domain_init). cdx_dma_configure calls
// of_dma_configure_id without force_dma, which returns before the IOMMU when of_dma_get_range
// finds no non-empty dma-ranges from the controller's node up: iommu-map alone gives no group.
// All in drivers/cdx/cdx.c, cdx_msi.c and drivers/of/device.c, address.c, as of 6.12; the
// real-kernel scenario 99 shows each.
#include "buses/buses.h"
#include "buses/msi_isolation.h"

namespace vfioctl {

namespace {

constexpr std::string_view kCdxFields[] = {"v", "d", "sv", "sd", "c"};

// of_dma_get_range's walk from the controller's node (drivers/of/address.c): up the tree until a
// non-empty dma-ranges; an empty one means "1:1, look further up"; past the first node, a node
// without the property ends the walk (-ENODEV). The depth bound only guards against a loop.
bool controller_has_dma_ranges(const Dir& dev) {
  std::string node = "../../of_node";
  for (int depth = 0; depth < 32; ++depth, node += "/..") {
    ReadResult r = read_attr(dev, (node + "/dma-ranges").c_str());
    if (r.ok() && !r.value.empty()) return true;
    if (!r.ok() && depth > 0) return false;
  }
  return false;
}

void read_cdx_extra(const HostRoot&, const Dir& dev, Device& d) {
  if (!read_attr(dev, "vendor").ok() && read_attr(dev, "enable").ok()) {
    d.not_assignable = "CDX bus device, not a function: vfio-cdx takes the functions on it (cdx-BB:DD)";
    return;
  }
  const bool iommu_map = read_attr(dev, "../../of_node/iommu-map").ok();
  d.of_iommus = iommu_map && controller_has_dma_ranges(dev);
  d.of_msi_parent = read_attr(dev, "../../of_node/msi-map").ok();
}

}  // namespace

BusSpec cdx_bus_spec() {
  BusSpec s;
  s.name = "cdx";
  s.vfio_alias_prefix = "vfio_cdx:";
  s.fields.assign(std::begin(kCdxFields), std::end(kCdxFields));
  s.generic_vfio_module = "vfio_cdx";
  s.read_extra = read_cdx_extra;
  s.without_group =
      "vfio refuses such a device (vfio_device_set_group: -EINVAL); a CDX function's IOMMU comes from its "
      "controller's device-tree node, which needs an iommu-map and a non-empty dma-ranges (without dma-ranges "
      "the kernel configures no IOMMU for the functions)";
  // Only a function whose controller maps it to an IOMMU gets a group type1 could attach.
  s.use_warning = [](Session& session, const Device& d) -> std::optional<std::string> {
    if (!d.of_iommus || d.of_msi_parent) return std::nullopt;
    return type1_msi_note(session, "its CDX controller's device-tree node has no msi-map");
  };
  return s;
}

}  // namespace vfioctl
