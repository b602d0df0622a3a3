// One device as vfioctl sees it, whatever its bus. Every field that comes from sysfs is
// optional: a missing or unreadable attribute leaves a gap and a warning, never a crash.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pci/pci_modalias.h"

namespace vfioctl {

struct SriovInfo {
  bool is_vf = false;
  std::optional<std::string> physfn;          // the PF's address, for a VF
  std::optional<int> totalvfs;                // sriov_totalvfs, for an SR-IOV capable PF
  std::optional<int> numvfs;                  // sriov_numvfs
  std::optional<bool> drivers_autoprobe;      // sriov_drivers_autoprobe
  bool is_pf() const { return totalvfs.has_value() && *totalvfs > 0; }
  bool has_vfs_enabled() const { return numvfs.value_or(0) > 0; }
};

// How vfioctl names a device to people and in JSON: a PCI address alone ("0000:01:00.0"),
// BUS/NAME on every other bus ("platform/fff51000.ethernet"), the form users type.
inline std::string device_id(std::string_view bus, std::string_view name) {
  return bus == "pci" ? std::string(name) : std::string(bus) + "/" + std::string(name);
}

// A mediated device (Documentation/driver-api/vfio-mediated-device.rst): a child of its parent
// device in sysfs, named by its UUID, with an mdev_type link to the parent's type it was made
// from and an iommu_group link to the emulated-IOMMU group vfio gave it
// (vfio_register_emulated_iommu_dev). A VFIO user opens the mdev, not the parent.
struct MediatedDevice {
  std::string uuid;
  std::optional<std::string> type;  // "vfio_ccw-io"
  std::optional<int> iommu_group;
};

struct Device {
  std::string bus;   // "pci"
  std::string name;  // the sysfs name: "0000:01:00.0"

  std::optional<std::string> modalias;
  std::optional<PciIdentity> pci;  // PCI only: from the modalias
  // Platform and amba devices described by the device tree: of_node/compatible, NUL-separated,
  // most specific first (Documentation/devicetree/usage-model.rst).
  std::vector<std::string> of_compatible;
  // Platform and amba devices described by ACPI: the hardware ID of their ACPI companion
  // (firmware_node/hid, Documentation/ABI/testing/sysfs-bus-acpi). vfio-platform treats such a
  // device as ACPI, whatever its compatible strings (vfio_platform_probe_common tries ACPI first).
  std::optional<std::string> acpi_hid;
  // The device-tree node names an IOMMU (iommus). Up to 6.12 at least, the kernel reads it, and
  // makes the device's IOMMU group, only when a driver probes the device (really_probe ->
  // platform_dma_configure/amba_dma_configure -> of_dma_configure -> of_iommu_configure; the
  // IOMMU core's own probe needs the fwspec that leaves), so an unbound device has no group yet.
  // A CDX function has no node; its controller's node maps it to an IOMMU (iommu-map, which the
  // kernel reads only below a non-empty dma-ranges), at probe the same way (cdx_dma_configure),
  // and sets this too.
  bool of_iommus = false;
  // The node names an MSI controller (msi-parent): the device's MSI domain (of_msi_configure).
  // For a CDX function: its controller's node has msi-map (cdx_msi_domain_init).
  bool of_msi_parent = false;
  // The device of the same bus this one lives in, when that matters for binding: an fsl-mc
  // object's DPRC container, which takes its objects with it to a driver and back.
  std::optional<std::string> container;

  std::optional<std::string> driver;         // bound driver (basename of the driver link)
  std::optional<std::string> driver_module;  // the driver's module link, when it has one
  std::optional<std::string> driver_override;  // "(null)" in sysfs reads as nullopt
  bool has_driver_override_attr = false;
  std::optional<int> iommu_group;
  std::optional<std::string> vfio_dev;       // "vfio0" when the device has a vfio-dev node
  // The mdevs of a parent whose vfio driver serves it through mediated devices (an s390
  // subchannel on vfio_ccw); they go away when that driver unbinds.
  std::vector<MediatedDevice> mdevs;
  SriovInfo sriov;

  // A device vfio cannot take: a bridge (vfio_pci_core_register_device refuses a header type
  // other than normal). Set with its reason.
  std::optional<std::string> not_assignable;

  std::vector<std::string> warnings;

  std::string id() const { return device_id(bus, name); }
};

}  // namespace vfioctl
