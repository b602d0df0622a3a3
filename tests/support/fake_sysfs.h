// A fake /sys for tests, laid out the way the kernel lays out PCI devices, drivers, modules and
// IOMMU groups, so that code reading it cannot tell it from the real thing.
//
// The layout follows:
//   Documentation/ABI/testing/sysfs-bus-pci        (device attributes, drivers/<drv>/{bind,unbind,
//                                                   new_id,remove_id}, drivers_probe,
//                                                   drivers_autoprobe, sriov_* , physfn/virtfnN)
//   Documentation/ABI/testing/sysfs-kernel-iommu_groups (/sys/kernel/iommu_groups/N/devices/<dev>
//                                                   links and the device's iommu_group link)
//   drivers/pci/pci-sysfs.c                         (attribute formats: "0x%04x", "0x%06x", the
//                                                   modalias, driver_override "%s" of a NULL
//                                                   pointer = "(null)", config)
//   drivers/base/module.c module_add_driver()       (drivers/<drv>/module and
//                                                   /sys/module/<mod>/drivers/<bus>:<drv>)
//   drivers/pci/iov.c pci_iov_add_virtfn()          (a VF's parent device is its PF's parent, so
//                                                   the VF directory is the PF's sibling)
// Links are relative, computed from the common ancestor as kernfs_get_target_path() does
// ("../../../bus/pci/drivers/virtio-pci" from /sys/devices/pci0000:00/0000:00:01.0).
//
// Usage: describe devices with the fluent calls, then hand `host()` (or `root().path()` for
// `--root`) to the code under test; both (re)write /sys from the description first. Changes
// made to the files by hand after that stay until the description changes again.
//
//   FakeSysfs sysfs(root);
//   sysfs.pci("0000:00:1c.0").bridge();
//   sysfs.pci("0000:01:00.0").behind("0000:00:1c.0").ids(0x15b3, 0x101d, 0x15b3, 0x0016)
//        .cls(0x020000).driver("mlx5_core", "mlx5_core").group(7).sriov(8, 1);
//   sysfs.pci("0000:01:00.2").ids(0x15b3, 0x101e).cls(0x020000).vf_of("0000:01:00.0").group(8);
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "host/host_root.h"
#include "support/temp_root.h"

namespace vfioctl::testing {

class FakeSysfs;

enum class ModuleKind {
  kLoadable,  // /sys/module/<mod>/initstate reads "live"
  kBuiltin,   // /sys/module/<mod> exists without initstate (built-in code with a driver)
  kNone,      // no module link at all: a kernel built without CONFIG_MODULES (host-virtio.json)
};

class FakePci {
 public:
  FakePci(FakeSysfs& owner, std::string address);

  // Identity. Defaults: 1b36:0010 (QEMU NVMe), subsystem 0000:0000, class 0x010802, rev 0.
  FakePci& ids(std::uint16_t vendor, std::uint16_t device, std::uint16_t subsystem_vendor = 0,
               std::uint16_t subsystem_device = 0);
  FakePci& cls(std::uint32_t class_code);
  FakePci& revision(std::uint8_t revision);
  // A PCI-to-PCI bridge: header type 1, and class 0x060400 unless cls() says otherwise.
  FakePci& bridge();
  FakePci& header_type(std::uint8_t type);  // config byte 0x0e
  // Placed below this bridge: /sys/devices/pci0000:00/<bridge>/<this>.
  FakePci& behind(std::string_view bridge_address);

  // Bound to `name`. `module` empty means the driver has no module link (ModuleKind::kNone).
  FakePci& driver(std::string_view name, std::string_view module = {},
                  ModuleKind kind = ModuleKind::kLoadable);
  // Bound to a vfio driver: driver() plus a vfio-dev/vfioN directory (Linux 6.1+).
  FakePci& vfio(std::string_view name = "vfio-pci", std::string_view module = "vfio_pci");
  FakePci& vfio_dev(std::optional<int> number = std::nullopt);  // N picked when not given
  FakePci& override_driver(std::string_view name);                // driver_override content
  FakePci& group(int number);

  // SR-IOV: an SR-IOV capable PF. A PF that has VFs (vf_of) but no sriov() call gets
  // totalvfs = numvfs = the number of its VFs.
  FakePci& sriov(int totalvfs, int numvfs, bool drivers_autoprobe = true);
  FakePci& vf_of(std::string_view pf_address);

  // Faults. `name` is an attribute or link of the device directory ("modalias", "driver").
  FakePci& attr(std::string_view name, std::string_view text);  // exact text, newline added
  FakePci& missing(std::string_view name);     // not created
  FakePci& unreadable(std::string_view name);  // a directory in its place: read() gives EISDIR,
                                               // readlink() EINVAL (root ignores chmod)
  FakePci& dangling(std::string_view name);    // a link to nothing: open() gives ENOENT

  const std::string& address() const { return address_; }
  // "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0" (a host path, not under the root).
  std::string sys_path() const;

  // Undoing parts of the description (used by the kernel simulator, support/sim_kernel.h, when a
  // device leaves its driver, loses its override or its vfio-dev node).
  FakePci& no_driver();        // unbound; also drops the vfio-dev directory
  FakePci& no_override();      // driver_override reads "(null)" again
  FakePci& no_vfio_dev();
  FakePci& no_group();         // no IOMMU group (vfio's no-IOMMU groups go away on unbind)

  // The description, read back (for the simulator and for assertions).
  std::uint16_t vendor_id() const { return vendor_; }
  std::uint16_t device_id() const { return device_; }
  std::uint16_t subsystem_vendor_id() const { return subsystem_vendor_; }
  std::uint16_t subsystem_device_id() const { return subsystem_device_; }
  std::uint32_t class_code_value() const;   // what the class attribute shows
  std::uint8_t header_type_value() const;   // config byte 0x0e as written (0 or 1 by default)
  const std::optional<std::string>& bound_driver() const { return driver_; }
  const std::optional<std::string>& current_override() const { return override_; }
  const std::optional<int>& iommu_group_number() const { return group_; }
  const std::optional<std::string>& physfn_address() const { return physfn_; }
  bool has_vfio_dev() const { return vfio_dev_; }
  struct SriovSettings {
    int totalvfs = 0;
    int numvfs = 0;
    bool drivers_autoprobe = true;
  };
  // The SR-IOV attributes as they are rendered: from sriov(), or derived from the VFs.
  std::optional<SriovSettings> sriov_settings() const;

 private:
  friend class FakeSysfs;
  FakeSysfs& owner_;
  std::string address_;
  std::uint16_t vendor_ = 0x1b36, device_ = 0x0010, subsystem_vendor_ = 0, subsystem_device_ = 0;
  std::optional<std::uint32_t> class_code_;
  std::uint8_t revision_ = 0;
  bool bridge_ = false;
  std::optional<std::uint8_t> header_type_;
  std::string parent_;  // bridge address, "" for the root bus
  std::optional<std::string> driver_;
  std::optional<std::string> override_;
  std::optional<int> group_;
  bool vfio_dev_ = false;
  std::optional<int> vfio_dev_number_;
  struct Sriov {
    int totalvfs = 0;
    int numvfs = 0;
    bool drivers_autoprobe = true;
  };
  std::optional<Sriov> sriov_;
  std::optional<std::string> physfn_;
  std::map<std::string, std::string, std::less<>> attr_text_;
  std::set<std::string, std::less<>> missing_, unreadable_, dangling_;
};

// A device of another bus ("platform", ...), enough for IOMMU group membership.
class FakeOtherDevice {
 public:
  FakeOtherDevice(FakeSysfs& owner, std::string bus, std::string name);
  // Bound to `name`; `module` as for FakePci::driver (empty: no module link).
  FakeOtherDevice& driver(std::string_view name, std::string_view module = {}, ModuleKind kind = ModuleKind::kNone);
  FakeOtherDevice& no_driver();
  FakeOtherDevice& group(int number);
  FakeOtherDevice& vfio_dev();
  const std::optional<std::string>& bound_driver() const { return driver_; }
  FakeOtherDevice& modalias(std::string_view text);
  FakeOtherDevice& override_driver(std::string_view name);  // driver_override content
  FakeOtherDevice& no_override();
  FakeOtherDevice& no_override_attr();                       // a bus without driver_override
  FakeOtherDevice& attr(std::string_view name, std::string_view text);  // exact text, newline added
  // of_node -> /sys/firmware/devicetree/base/<node>, whose compatible property is the strings,
  // each NUL-terminated (drivers/of/base.c: properties are raw bytes; strings end in NUL).
  FakeOtherDevice& of_compatible(std::vector<std::string> strings);
  // Another property of that node (iommus, msi-parent), as raw bytes: a phandle and cells.
  FakeOtherDevice& of_property(std::string_view name, std::string_view bytes = std::string_view("\0\0\x80\x04", 4));
  // An ACPI companion: firmware_node -> /sys/devices/LNXSYSTM:00/<hid>:00 with its hid file
  // (Documentation/ABI/testing/sysfs-bus-acpi; the layout seen on a real q35 guest).
  FakeOtherDevice& acpi_companion(std::string_view hid);
  // A child of another device of the same bus (an fsl-mc object of its DPRC container), or of
  // any bus as "BUS/NAME" (a CDX bus device under its controller, a platform device): its
  // directory is under the parent's, as device_add() places a child under dev->parent.
  FakeOtherDevice& parent(std::string_view name);
  std::string sys_path() const;  // /sys/devices/<bus>/<name>, or under its parent's
  // An mdev parent's types (mdev_supported_types/<type>/{create,available_instances,device_api},
  // drivers/vfio/mdev/mdev_sysfs.c) and a mediated device made from one: a child directory named
  // by its UUID, with mdev_type -> ../mdev_supported_types/<type> and its own IOMMU group.
  FakeOtherDevice& mdev_type(std::string_view type);
  FakeOtherDevice& mdev(std::string_view uuid, std::string_view type, int group);
  FakeOtherDevice& no_mdevs();  // types and mdevs gone (mdev_unregister_parent)

 private:
  friend class FakeSysfs;
  FakeSysfs& owner_;
  std::string bus_, name_;
  std::optional<std::string> driver_;
  std::optional<int> group_;
  bool vfio_dev_ = false;
  std::optional<std::string> modalias_;
  std::optional<std::string> override_;
  bool override_attr_ = true;
  std::map<std::string, std::string, std::less<>> attrs_;
  std::vector<std::string> compatible_;
  std::map<std::string, std::string, std::less<>> of_properties_;
  std::optional<std::string> acpi_hid_;
  std::optional<std::string> parent_;
  std::vector<std::string> mdev_types_;
  struct Mdev {
    std::string uuid, type;
    int group;
  };
  std::vector<Mdev> mdevs_;
};

class FakeSysfs {
 public:
  explicit FakeSysfs(TempRoot& root);

  // The device with this address, created on first use (on its root bus, pci<domain>:<bus>).
  FakePci& pci(std::string_view address);
  FakeOtherDevice& other(std::string_view bus, std::string_view name);
  bool has_other(std::string_view bus, std::string_view name) const;
  // A registered driver of another bus with no device bound (vfio-platform loaded, idle).
  FakeSysfs& bus_driver(std::string_view bus, std::string_view name, std::string_view module, ModuleKind kind);
  void remove_other(std::string_view bus, std::string_view name);  // device_del(): gone from sysfs
  // A registered PCI driver with no device bound (vfio-pci loaded, nothing on it yet).
  // Declaring the same driver twice with different modules is a test bug and throws.
  FakeSysfs& driver(std::string_view name, std::string_view module = {},
                    ModuleKind kind = ModuleKind::kLoadable);
  // A module with no PCI driver (vfio, vfio_iommu_type1).
  FakeSysfs& module(std::string_view name, ModuleKind kind = ModuleKind::kLoadable);
  FakeSysfs& drivers_autoprobe(bool on);
  // No /sys/kernel/iommu_groups at all (kernels without CONFIG_IOMMU_API). By default the
  // directory exists, empty when no device has a group, as on the host-virtio machine.
  FakeSysfs& without_iommu_groups_dir();

  // (Re)creates <root>/sys from the description; a no-op when nothing changed since.
  void write();
  // write(), then a HostRoot over the temporary root.
  HostRoot host(std::string kernel_release = {});
  TempRoot& root() { return root_; }

  bool has_pci(std::string_view address) const { return pci_.count(address) != 0; }
  void changed() { dirty_ = true; }

  // Additions for the kernel simulator (support/sim_kernel.h) and for host state that lives
  // under /sys outside the PCI tree (network interfaces, block devices, consoles):
  // Every PCI address described, in address order.
  std::vector<std::string> pci_addresses() const;
  // The described device; throws std::out_of_range when there is none.
  const FakePci& pci_at(std::string_view address) const;
  // Hot-unplug: the device leaves the description (its VFs must be removed first; throws
  // std::logic_error otherwise, and for a bridge with devices behind it).
  void remove_pci(std::string_view address);
  // An extra file under /sys (host path), rewritten after everything else on every write().
  FakeSysfs& file(std::string_view path, std::string_view text);
  FakeSysfs& remove_file(std::string_view path);
  // An extra symlink (host paths; made relative like the kernel's own links).
  FakeSysfs& symlink(std::string_view path, std::string_view target);
  // A module unloaded (rmmod): its PCI drivers and its /sys/module entry go away. The caller
  // unbinds the devices first (std::logic_error while a described device is bound to one).
  void unregister_driver(std::string_view name);
  void remove_module(std::string_view name);

 private:
  friend class FakePci;
  friend class FakeOtherDevice;
  struct Driver {
    std::string bus, name, module;
    ModuleKind kind = ModuleKind::kNone;
  };
  void declare_driver(std::string_view bus, std::string_view name, std::string_view module, ModuleKind kind);
  std::string pci_path(const FakePci& d, int depth = 0) const;
  void write_pci(const FakePci& d, int vfio_number);
  void write_other(const FakeOtherDevice& d);
  void write_driver(const Driver& drv);
  void link(const std::string& at, const std::string& target);  // host paths, made relative
  void attr(const FakePci& d, const std::string& dir, std::string_view name, const std::string& text);

  TempRoot& root_;
  std::map<std::string, FakePci, std::less<>> pci_;
  std::map<std::string, FakeOtherDevice, std::less<>> other_;
  std::map<std::string, Driver, std::less<>> drivers_;  // key bus + '/' + name
  std::map<std::string, ModuleKind, std::less<>> modules_;
  bool drivers_autoprobe_ = true;
  bool iommu_groups_dir_ = true;
  bool dirty_ = true;
  std::map<std::string, std::string, std::less<>> extra_files_;
  std::map<std::string, std::string, std::less<>> extra_links_;
};

}  // namespace vfioctl::testing
