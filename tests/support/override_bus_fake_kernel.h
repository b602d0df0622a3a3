// A kernel for the driver_override buses besides PCI (platform, amba, fsl-mc, cdx, css), enough
// for vfioctl's bind and release there; the PCI simulator (sim_kernel.h) stays PCI's. Rules:
//   - driver_override (drivers/base/driver.c driver_set_override): the text up to a newline is
//     kept; an empty value clears it.
//   - unbind (drivers/base/bus.c unbind_store): ENODEV unless the device is bound to that driver.
//   - drivers_probe (bus.c drivers_probe_store -> bus_rescan_devices_helper -> device_attach):
//     an unbound device is offered to its bus's drivers; a bound one is left alone. The bus's
//     match(): with driver_override set only the driver of that name matches (platform_match,
//     amba_match, fsl_mc_bus_match, cdx_bus_match); without it, the device's own host driver
//     (its id table is not modelled: the test names the driver). css_bus_match
//     (drivers/s390/cio/css.c) narrows by driver_override and still needs the driver's id
//     table: vfio_ccw matches subchannel type 0 (SUBCHANNEL_TYPE_IO) only.
//   - a vfio driver's probe fails -EINVAL for a device with no IOMMU group
//     (vfio_device_set_group -> vfio_group_find_or_alloc), except vfio_ccw's: its probe registers
//     the subchannel as an mdev parent with the one type vfio_ccw-io (vfio_ccw_sch_probe ->
//     mdev_register_parent), and the VFIO device is the mdev, on vfio's emulated-IOMMU group
//     (vfio_ccw_mdev_probe -> vfio_register_emulated_iommu_dev). Unbinding it removes the types
//     and every mdev (vfio_ccw_sch_remove -> mdev_unregister_parent). A subchannel itself is in
//     no IOMMU group (the css bus has no IOMMU; S390_IOMMU serves PCI). A probe can be told to refuse
//     (vfio-platform without a reset helper: vfio_platform_probe_common -EINVAL).
//   - fsl-mc containers: a DPRC leaving its driver takes its objects out of Linux (dprc_remove
//     and vfio_fsl_mc_remove call dprc_remove_devices); a DPRC a driver probes is scanned and its
//     objects added back (dprc_scan_container). When that driver is vfio-fsl-mc, its bus notifier
//     sets every new object's driver_override to "vfio-fsl-mc" (vfio_fsl_mc_bus_notifier,
//     BUS_NOTIFY_ADD_DEVICE), so they attach to it.
//   - a driver can serve one device per module load: after a device is unbound from it, every
//     probe answers -EBUSY (drivers/firmware/qemu_fw_cfg.c: fw_cfg_sysfs_probe returns -EBUSY
//     while fw_cfg_sel_ko is set, and fw_cfg_sysfs_remove never clears it).
//   - bind (bus.c bind_store -> device_driver_attach) answers the probe's own error.
//   - loading a vfio module registers its driver (driver_register -> driver_attach: unbound
//     devices it matches probe).
// Devices are FakeSysfs "other" devices, re-rendered after every change.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "kernel/kernel_port.h"
#include "support/fake_sysfs.h"

namespace vfioctl::testing {

class OverrideBusFakeKernel final : public KernelPort {
 public:
  explicit OverrideBusFakeKernel(FakeSysfs& sysfs) : sysfs_(sysfs) {}

  struct DeviceSpec {
    std::string bus, name;
    std::string host_driver, host_module;  // what probes it without an override ("" none)
    std::optional<int> group;
    std::optional<int> css_type;           // css: the subchannel type attribute
    std::optional<std::string> container;  // fsl-mc: its DPRC
    std::string modalias;
    // A device-tree device whose node names an IOMMU: the kernel makes its group (this number)
    // when a driver first probes it, before the driver's probe runs (drivers/base/dd.c
    // really_probe -> bus dma_configure -> of_dma_configure -> of_iommu_configure). The test
    // gives the node its iommus property through FakeSysfs.
    std::optional<int> group_at_probe = std::nullopt;
  };
  // Adds the device bound to its host driver (unbound when it has none).
  void add_device(DeviceSpec spec);
  // Probes of `driver` fail with -error (a positive errno) from now on; the driver first logs
  // `reason` about the device when one is given, as dev_err() would, then the driver core its
  // "probe ... failed with error -N" (drivers/base/dd.c call_driver_probe).
  void refuse_probe(const std::string& driver, int error, std::string reason = {}) {
    refusals_[driver] = error;
    refusal_reasons_[driver] = std::move(reason);
  }
  // A mediated device made on a parent vfio_ccw holds (a UUID written to
  // mdev_supported_types/vfio_ccw-io/create), in IOMMU group `group`. False when the device is
  // not on vfio_ccw, as the create attribute exists only then.
  bool create_mdev(const std::string& bus, const std::string& name, const std::string& uuid, int group);
  // `driver` probes only until a device has been unbound from it; then -EBUSY (qemu_fw_cfg).
  void serves_one_device_per_load(const std::string& driver) { once_per_load_[driver] = false; }
  // The `index`th write (0-based, every write counted) fails with `error` and changes nothing.
  void fail_write(std::size_t index, int error) { failures_[index] = error; }

  int write_attribute(const std::string& path, std::string_view value) override;
  ModuleLoad load_module(const std::string& module, bool apply_blacklist) override;
  int change_owner(const std::string&, uid_t, gid_t) override { return 0; }
  void wait(std::chrono::milliseconds) override {}
  std::vector<std::string> kernel_messages_about(const std::string& device) override;

  const std::vector<std::string>& writes() const { return writes_; }
  std::string driver_of(const std::string& bus, const std::string& name) const;  // "none", "gone"
  std::optional<std::string> override_of(const std::string& bus, const std::string& name) const;
  bool loaded(const std::string& module) const { return loaded_.count(module) != 0; }

 private:
  struct Dev {
    DeviceSpec spec;
    std::optional<std::string> driver, override_;
    std::vector<std::pair<std::string, int>> mdevs;  // uuid, group
  };
  Dev* find(const std::string& bus, const std::string& name);
  const Dev* find(const std::string& bus, const std::string& name) const;
  bool matches(const Dev& d, const std::string& driver) const;
  bool registered(const std::string& bus, const std::string& driver) const;
  void attach(Dev& d);                                   // device_attach()
  int probe(Dev& d, const std::string& driver);          // really_probe(), with the fsl-mc rules
  void detach(Dev& d);                                   // device_release_driver()
  void remove_objects_of(const std::string& container);  // dprc_remove_devices()
  void scan_container(const std::string& container, bool vfio);
  void render();

  FakeSysfs& sysfs_;
  std::map<std::string, Dev> devices_;      // key bus + '/' + name: present in Linux
  std::map<std::string, Dev> mc_objects_;   // fsl-mc objects the MC holds, present or not
  std::set<std::string> loaded_;
  std::map<std::string, int> refusals_;
  std::map<std::string, std::string> refusal_reasons_;
  std::map<std::string, bool> once_per_load_;  // driver -> a device has been unbound from it
  std::map<std::size_t, int> failures_;
  std::vector<std::string> writes_;
  std::vector<std::string> messages_;
};

}  // namespace vfioctl::testing
