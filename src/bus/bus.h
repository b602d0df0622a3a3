// The interface every VFIO-capable bus implements. PCI is the first; platform, amba, fsl-mc,
// cdx, css and ap add one implementation each. Everything above this interface (alias ranking,
// group viability, status, explain, binding) is bus-neutral.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bus/device.h"
#include "host/host_root.h"

namespace vfioctl {

class Session;

class Bus {
 public:
  virtual ~Bus() = default;

  // The sysfs bus name: /sys/bus/<name>.
  virtual std::string_view name() const = 0;

  // The prefix of this bus's vfio aliases ("vfio_pci:") and the field markers of its modalias,
  // used to score how specific an alias is.
  virtual std::string_view vfio_alias_prefix() const = 0;
  virtual std::span<const std::string_view> modalias_fields() const = 0;
  // The bus's generic vfio module, the last-resort candidate ("vfio_pci").
  virtual std::string_view generic_vfio_module() const = 0;

  // The canonical sysfs name for what a user typed ("01:00.0" -> "0000:01:00.0"), or nullopt
  // when the text cannot name a device of this bus. Pure syntax: does not look at sysfs.
  virtual std::optional<std::string> canonical_name(std::string_view user_text) const = 0;

  // Names of every device present, sorted in the bus's natural order.
  virtual std::vector<std::string> list(const HostRoot& host) const = 0;

  // Reads one device. nullopt when the device does not exist.
  virtual std::optional<Device> read(const HostRoot& host, const std::string& name) const = 0;

  // Reads many devices, in the order of `names`; devices that vanished are left out. Buses
  // override it when sharing work between devices pays (PCI keeps one directory fd open).
  virtual std::vector<Device> read_many(const HostRoot& host, const std::vector<std::string>& names) const {
    std::vector<Device> out;
    for (const auto& n : names) {
      if (auto d = read(host, n)) out.push_back(std::move(*d));
    }
    return out;
  }

  // The alias key kmod would be asked for: the modalias with the vfio prefix
  // ("pci:v..." -> "vfio_pci:v..."). nullopt when the device has no usable modalias.
  virtual std::optional<std::string> vfio_alias_key(const Device& device) const = 0;

  // Whether listing every device shows all of them (PCI), or only those vfio could take (an
  // IOMMU group, an override, a vfio node): other buses hold many devices no one assigns.
  virtual bool lists_all_devices() const { return true; }
  // Whether devices reach vfio through driver_override (all but s390 AP, which uses masks).
  virtual bool uses_driver_override() const { return true; }
  // Whether this bus's vfio driver serves a device through mediated devices it is the parent of
  // (vfio_ccw: a VFIO user opens an mdev made on the subchannel). The device itself then needs
  // no IOMMU group: each mdev gets vfio's emulated-IOMMU group (vfio_register_emulated_iommu_dev),
  // and its DMA goes through the driver's own translation (vfio_ccw_cp.c pins the pages a
  // channel program names), so group viability and the host's IOMMU do not apply to it.
  virtual bool serves_through_mdev() const { return false; }

  // What an admin should know about giving this device to vfio on this bus (a reset helper
  // vfio-platform will not find, a driver marked for removal upstream), for explain. The session
  // answers what the hooks ask of the host: its vfio alias index (vfio-platform's reset helpers
  // are found in it) and libkmod (the options modprobe.d gives a module not loaded yet).
  virtual std::vector<std::string> notes(Session& /*session*/, const Device& /*device*/) const { return {}; }

  // Why this bus's vfio driver will refuse the device in its probe, when that is known before
  // anything is touched (vfio-platform without a reset function); bind then does nothing.
  virtual std::optional<std::string> probe_refusal(Session& /*session*/, const Device& /*device*/) const {
    return std::nullopt;
  }

  // What to do next when this bus's vfio driver refused the device in its probe, for the error
  // (vfio-platform: the reset it wanted and how to do without); nullopt when there is nothing
  // to add to the kernel's own lines.
  virtual std::optional<std::string> probe_failure_hint(Session& /*session*/, const Device& /*device*/) const {
    return std::nullopt;
  }

  // What will stop a VFIO user after a good bind, for bind's notes (a group vfio_iommu_type1 will
  // not attach: no MSI isolation); nullopt when nothing is known to.
  virtual std::optional<std::string> use_warning(Session& /*session*/, const Device& /*device*/) const {
    return std::nullopt;
  }

  // What vfio does with a device outside every IOMMU group, for the refusal that says so.
  virtual std::string_view without_group() const {
    return "vfio refuses such a device (vfio_device_set_group: -EINVAL); it is not behind an IOMMU the kernel "
           "knows (check the device tree's iommus property or the IORT table)";
  }
};

}  // namespace vfioctl
