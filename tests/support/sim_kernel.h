// A simulated Linux kernel for the binding code: a KernelPort whose writes follow the rules of
// the PCI driver core, over a FakeSysfs that is re-rendered after every change, so that vfioctl's
// ordinary read path (HostRoot, PciBus) sees a consistent /sys after each write.
//
// Each rule names the kernel function it copies (torvalds/linux, read for this simulator in
// 2026): drivers/pci/pci-driver.c (pci_match_device, pci_device_can_probe, pci_device_probe),
// drivers/base/bus.c (bind_store, unbind_store, drivers_probe_store, bus_rescan_devices_helper),
// drivers/base/dd.c (__device_attach, __device_attach_driver, really_probe,
// device_driver_attach), drivers/base/driver.c (driver_set_override), drivers/pci/iov.c
// (sriov_numvfs_store, sriov_drivers_autoprobe_store, pci_iov_add_virtfn) and
// drivers/vfio/pci/vfio_pci_core.c (vfio_pci_core_register_device).
//
// What is modelled: PCI drivers (name, module, id table, vfio_pci_core or not, sriov_configure
// or not, a probe policy), modules (not loaded, loaded, built in; blacklisted; loading one
// registers its drivers, and driver registration attaches matching unbound devices), devices
// (whatever the FakeSysfs describes), VF creation and removal, vfio's /dev/vfio/<group> nodes
// and <dev>/vfio-dev/vfioN, vfio's enable_unsafe_noiommu_mode, and hot-unplug.
// What is not: new_id/remove_id, device remove/rescan attributes, asynchronous probing,
// deferred probing, module unloading through vfioctl.
//
// Faults are planned by write index (the 0-based count of write_attribute calls so far):
// fail that write with an errno and no effect, hot-unplug a device just before it, make every
// probe it triggers refuse, or throw SimulatedCrash before performing it (kill -9 between two
// writes; SimulatedCrash is not a std::exception, so no catch (const std::exception&) in vfioctl
// can swallow it).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/kernel_port.h"
#include "support/fake_sysfs.h"

namespace vfioctl::testing {

inline constexpr std::uint32_t kPciAnyId = 0xffffffffu;  // PCI_ANY_ID, include/linux/mod_devicetable.h

// One struct pci_device_id. `override_only` is PCI_ID_F_VFIO_DRIVER_OVERRIDE
// (PCI_DRIVER_OVERRIDE_DEVICE_VFIO): the entry matches only through driver_override.
struct SimIdEntry {
  std::uint32_t vendor = kPciAnyId;
  std::uint32_t device = kPciAnyId;
  std::uint32_t subvendor = kPciAnyId;
  std::uint32_t subdevice = kPciAnyId;
  std::uint32_t cls = 0;
  std::uint32_t class_mask = 0;
  bool override_only = false;
};

// What the driver's probe() answers once the driver core calls it.
struct SimProbePolicy {
  enum class Kind {
    kAccept,
    kRefuseUnlessVf,  // like pds_vfio_pci: init fails unless the device is a VF
    kRefuse,          // always -error
    kRefuseTimes,     // -error for the first `times` probes, then accepts
  };
  Kind kind = Kind::kAccept;
  int error = 0;  // positive errno
  int times = 0;

  static SimProbePolicy accept() { return {}; }
  static SimProbePolicy refuse_unless_vf(int error) { return {Kind::kRefuseUnlessVf, error, 0}; }
  static SimProbePolicy refuse(int error) { return {Kind::kRefuse, error, 0}; }
  static SimProbePolicy refuse_times(int times, int error) { return {Kind::kRefuseTimes, error, times}; }
};

struct SimDriver {
  std::string name;    // the driver name: /sys/bus/pci/drivers/<name>, what driver_override names
  std::string module;  // "" for code built into the kernel without a /sys/module entry
  std::vector<SimIdEntry> ids;
  bool vfio_pci_core = false;    // probes through vfio_pci_core_register_device
  bool sriov_configure = false;  // has .sriov_configure (can create VFs)
  SimProbePolicy probe;

  static SimDriver named(std::string name, std::string module) {
    SimDriver d;
    d.name = std::move(name);
    d.module = std::move(module);
    return d;
  }
  SimDriver& id(std::uint32_t vendor, std::uint32_t device) {
    ids.push_back(SimIdEntry{vendor, device});
    return *this;
  }
  SimDriver& class_id(std::uint32_t cls, std::uint32_t mask) {
    SimIdEntry e;
    e.cls = cls;
    e.class_mask = mask;
    ids.push_back(e);
    return *this;
  }
  // PCI_DRIVER_OVERRIDE_DEVICE_VFIO(vendor, device) (include/linux/pci.h); with the defaults,
  // vfio-pci's single PCI_ANY_ID override-only entry.
  SimDriver& override_only(std::uint32_t vendor = kPciAnyId, std::uint32_t device = kPciAnyId) {
    SimIdEntry e{vendor, device};
    e.override_only = true;
    ids.push_back(e);
    return *this;
  }
  SimDriver& vfio() {
    vfio_pci_core = true;
    return *this;
  }
  SimDriver& can_configure_sriov() {
    sriov_configure = true;
    return *this;
  }
  SimDriver& with_probe(SimProbePolicy p) {
    probe = p;
    return *this;
  }
};

enum class SimModuleState { kNotLoaded, kLoaded, kBuiltin };

enum class SimFault {
  kEbusy,         // the write fails with EBUSY and changes nothing
  kEnodev,        // ... ENODEV
  kEio,           // ... EIO
  kRemoveDevice,  // the device is hot-unplugged just before the write, which then runs
  kRefuseProbe,   // every probe the write triggers fails (-EINVAL from the driver's probe)
  kCrash,         // SimulatedCrash is thrown before the write
};
const char* to_string(SimFault fault);

// Thrown for SimFault::kCrash. Deliberately not derived from std::exception.
struct SimulatedCrash {
  std::size_t write_index = 0;
  std::string path;  // the write that did not happen
};

struct SimWrite {
  std::string path;
  std::string value;
  int error = 0;  // 0 or the errno answered
};

struct SimChown {
  std::string path;
  uid_t uid = 0;
  gid_t gid = 0;
};

class SimKernel final : public KernelPort {
 public:
  // Devices come from `sysfs`; every driver a described device is bound to must be declared
  // with driver() before the first KernelPort call (std::logic_error otherwise).
  explicit SimKernel(FakeSysfs& sysfs);

  // Declarations change the description only; /sys is rewritten by the next KernelPort call or
  // FakeSysfs::write() (SimMachine::run does that), so a machine is set up without rewriting /sys
  // once per declaration.
  //
  // Declares a module. Loaded and built-in modules register their drivers at once (no probing:
  // the FakeSysfs description is the state after boot). Blacklisted modules are refused by
  // load_module(apply_blacklist = true), and written to <root>/etc/modprobe.d/sim-blacklist.conf
  // so that vfioctl's own view (libkmod) agrees.
  SimKernel& module(const std::string& name, SimModuleState state, bool blacklisted = false);
  // Declares a driver of `driver.module` (declaring the module as not loaded if it is new).
  // Modules load their dependencies (`depends`) first, as modprobe does.
  SimKernel& driver(SimDriver driver);
  SimKernel& depends(const std::string& module, const std::string& on);
  // A PF's VFs get this device ID (sriov_vf_device) and these IOMMU groups, in VF order;
  // default: the PF's device ID, and fresh group numbers from 100 upwards.
  SimKernel& vf_device(const std::string& pf, std::uint16_t device);
  // CONFIG_VFIO_DEVICE_CDEV (6.6+): each bound vfio device also gets /dev/vfio/devices/vfioN,
  // named after its vfio-dev class device (drivers/vfio/device_cdev.c vfio_init_device_cdev(),
  // created by vfio_device_add() and removed by vfio_device_del() in drivers/vfio/vfio_main.c).
  SimKernel& device_cdev(bool on) {
    device_cdev_ = on;
    return *this;
  }
  // Whether device nodes appear in <root>/dev (devtmpfs). Off: a static /dev (a chroot or a
  // container without devtmpfs), where the kernel's vfio cdevs exist but no node shows up.
  // CONFIG_VFIO_NOIOMMU (default on). Off, as in Debian's kernels: vfio has no
  // enable_unsafe_noiommu_mode parameter (module_param_named sits under #ifdef
  // CONFIG_VFIO_NOIOMMU in drivers/vfio/vfio_main.c), so writing it fails with ENOENT.
  SimKernel& noiommu_config(bool on) {
    noiommu_config_ = on;
    return *this;
  }
  SimKernel& group_nodes(bool on) {
    dev_nodes_ = on;
    return *this;
  }

  // Fault plan. `device` (kRemoveDevice only): the device to unplug; default the one the write
  // is about (the device in the path, or the address written).
  SimKernel& inject(std::size_t write_index, SimFault fault, std::string device = {});
  void clear_faults() { faults_.clear(); }
  // Whether a planned fault had an effect (a kRefuseProbe fault only has one when its write
  // triggered a probe).
  bool fault_fired() const { return fault_fired_; }
  // The device a kRemoveDevice fault unplugged (and the VFs that went with it).
  const std::vector<std::string>& removed_devices() const { return removed_; }
  // Hot-unplug now (outside any write).
  void unplug(const std::string& device);
  // Unloads a module as rmmod would (its drivers release their devices first).
  void unload(const std::string& module);

  // What happened.
  const std::vector<SimWrite>& writes() const { return writes_; }
  std::size_t write_count() const { return write_count_; }
  const std::vector<std::string>& module_loads() const { return module_loads_; }  // modules actually loaded
  const std::vector<SimChown>& chowns() const { return chowns_; }
  std::chrono::milliseconds waited() const { return waited_; }
  const std::vector<std::string>& log() const { return log_; }  // every kernel message, in order

  // The simulated state of a device (from the FakeSysfs description).
  bool present(const std::string& device) const { return sysfs_.has_pci(device); }
  std::optional<std::string> driver_of(const std::string& device) const;
  std::optional<std::string> override_of(const std::string& device) const;
  bool module_loaded(const std::string& module) const;
  bool noiommu_enabled() const { return noiommu_; }
  const SimDriver* find_driver(const std::string& name) const;

  // KernelPort
  int write_attribute(const std::string& path, std::string_view value) override;
  ModuleLoad load_module(const std::string& module, bool apply_blacklist) override;
  int change_owner(const std::string& path, uid_t uid, gid_t gid) override;
  void wait(std::chrono::milliseconds duration) override;
  std::vector<std::string> kernel_messages_about(const std::string& device) override;

 private:
  struct Module {
    SimModuleState state = SimModuleState::kNotLoaded;
    bool blacklisted = false;
    std::vector<std::string> drivers;
    std::vector<std::string> depends;
  };
  struct PfConfig {
    std::optional<std::uint16_t> vf_device;
  };

  int dispatch(const std::string& path, std::string_view value);
  int store_driver_override(const std::string& device, std::string_view value);
  int store_bind(const std::string& driver, std::string_view value);
  int store_unbind(const std::string& driver, std::string_view value);
  int store_drivers_probe(std::string_view value);
  int store_sriov_numvfs(const std::string& pf, std::string_view value);
  int store_sriov_autoprobe(const std::string& pf, std::string_view value);
  int store_noiommu(std::string_view value);

  // The driver core.
  const SimIdEntry* match(const SimDriver& drv, const FakePci& dev) const;  // pci_match_device
  bool can_probe(const FakePci& dev) const;                                 // pci_device_can_probe
  int probe(const SimDriver& drv, const std::string& device);               // 0 or -errno
  bool attach(const std::string& device);                                   // __device_attach
  void release_driver(const std::string& device);                          // device_release_driver
  void register_driver(const std::string& name, bool attach);              // driver_register
  void bind_to(const SimDriver& drv, const std::string& device);
  void add_vfs(const std::string& pf, int count);
  void remove_vfs(const std::string& pf);
  void remove_device(const std::string& device);
  void set_noiommu_param();

  std::optional<std::string> device_of_write(const std::string& path, std::string_view value) const;
  void check_model();
  void render();
  void logk(const std::string& device, const std::string& message);
  std::optional<std::string> find_device(std::string_view sysfs_name) const;  // sysfs_streq
  std::vector<std::string> vfs_of(const std::string& pf) const;
  int next_free_group() const;
  std::string group_node(int group) const;

  FakeSysfs& sysfs_;
  std::map<std::string, SimDriver> drivers_;
  std::vector<std::string> registered_;  // registration order = bus_for_each_drv order
  std::map<std::string, Module> modules_;
  std::map<std::string, PfConfig> pfs_;
  std::map<std::string, int> probe_refusals_;  // kRefuseTimes: refusals so far, per driver
  std::set<int> noiommu_groups_;
  bool noiommu_ = false;
  bool noiommu_config_ = true;
  int next_vfio_dev_ = 100;
  bool device_cdev_ = false;
  bool dev_nodes_ = true;
  std::map<std::string, int> vfio_dev_numbers_;  // bound vfio device -> its N of vfio-dev/vfioN
  bool booted_ = false;

  std::multimap<std::size_t, std::pair<SimFault, std::string>> faults_;
  bool refuse_probes_now_ = false;
  bool fault_fired_ = false;
  std::vector<std::string> removed_;

  std::size_t write_count_ = 0;
  std::vector<SimWrite> writes_;
  std::vector<std::string> module_loads_;
  std::vector<SimChown> chowns_;
  std::chrono::milliseconds waited_{0};
  std::vector<std::string> log_;
  std::map<std::string, std::vector<std::string>> unread_messages_;  // per device
};

}  // namespace vfioctl::testing
