#include "doctor/device_checks.h"

#include <map>

#include "bind/journal.h"
#include "bind/ownership.h"
#include "bind/state_files.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

std::string member_text(const GroupMember& m) {
  return m.name + " (" + (m.driver ? *m.driver : std::string("no driver")) + ")";
}

}  // namespace

// VFIO opens a group only when every member is unbound, on a vfio driver, or on a driver that
// manages its own DMA (pci-stub, pcieport): drivers/vfio/group.c vfio_group_viable via
// iommu_group_dma_owner_claimed(). A group with a device on vfio and another on a host driver
// is assigned by nobody.
Finding check_group_viability(const Snapshot& snapshot) {
  Finding f{"groups", Severity::kOk, "", {}, ""};
  int stuck = 0;
  for (const auto& [number, group] : snapshot.groups.groups()) {
    bool has_vfio = false;
    for (const auto& m : group.members) has_vfio = has_vfio || m.is_vfio;
    if (!has_vfio || group.viable()) continue;
    ++stuck;
    std::string line = "group " + std::to_string(number) + ": on vfio but blocked by";
    for (const GroupMember* b : group.blockers()) line += " " + member_text(*b);
    f.details.push_back(line);
  }
  if (stuck == 0) {
    f.summary = "every IOMMU group holding a vfio device is viable";
    return f;
  }
  f.severity = Severity::kBlock;
  f.summary = std::to_string(stuck) + " IOMMU group(s) hold a vfio device but are not viable: VFIO will not open them";
  f.remedy = "bind the blocking devices too (vfioctl bind DEVICE --group), or release the vfio ones";
  return f;
}

// A driver built into the kernel binds at boot, before udev or any vfioctl unit runs, so the
// persistence rules cannot catch the device first (a module-backed driver is caught by the udev
// rule that sets driver_override before the module is autoloaded).
Finding check_builtin_host_drivers(const Snapshot& snapshot, ModuleCatalog& modules) {
  Finding f{"builtin-host-drivers", Severity::kOk, "", {}, ""};
  std::map<std::string, std::vector<std::string>> by_driver;
  for (const auto& r : snapshot.devices) {
    const Device& d = r.device;
    if (!d.driver || r.is_vfio || d.not_assignable || r.best() == nullptr) continue;
    if (*d.driver == "pcieport") continue;
    bool builtin = !d.driver_module || modules.state(*d.driver_module) == ModuleState::kBuiltin;
    if (builtin) by_driver[*d.driver].push_back(d.id());
  }
  if (by_driver.empty()) {
    f.summary = "no assignable device is held by a driver built into the kernel";
    return f;
  }
  f.severity = Severity::kInfo;
  std::size_t count = 0;
  for (const auto& [driver, devices] : by_driver) {
    std::string line = driver + " (built in): ";
    for (std::size_t i = 0; i < devices.size(); ++i) line += (i ? ", " : "") + devices[i];
    f.details.push_back(line);
    count += devices.size();
  }
  f.summary = std::to_string(count) +
              " device(s) have a built-in host driver: it binds at boot before udev, so vfioctl can only take them after boot";
  f.remedy = "to keep one for vfio from boot: vfio-pci.ids=VENDOR:DEVICE on the kernel command line when "
             "vfio-pci is built in or in the initramfs and registers first, or a kernel with that host driver as a "
             "module; otherwise vfioctl takes it after boot";
  return f;
}

Finding check_orphan_overrides(const Snapshot& snapshot, const HostRoot& host) {
  Finding f{"overrides", Severity::kOk, "", {}, ""};
  OwnershipStore owned{StateDir(host)};
  for (const auto& r : snapshot.devices) {
    const Device& d = r.device;
    if (!d.driver_override) continue;
    if (owned.get(d.bus, d.name)) continue;
    f.details.push_back(d.id() + ": driver_override=" + *d.driver_override + ", driver " +
                        (d.driver ? *d.driver : std::string("none")));
  }
  if (f.details.empty()) {
    f.summary = "every driver_override was set by vfioctl (or none is set)";
    return f;
  }
  f.severity = Severity::kWarn;
  f.summary = std::to_string(f.details.size()) +
              " device(s) have a driver_override that vfioctl did not set (by hand, driverctl, libvirt or an older tool)";
  f.remedy = "if nothing needs it any more: vfioctl release --force DEVICE (or driverctl unset-override DEVICE)";
  return f;
}

// A driver_override outlives the driver it names: after `modprobe -r vfio_pci`, or when the
// vfio driver's probe refused the device, the device stays unbound, and no host driver can take
// it either (drivers/base/bus.c driver_match_device -> the bus's match honours only the
// override: pci_match_device, platform_match). Nothing can use it until one side acts.
Finding check_stranded_devices(const Snapshot& snapshot, VfioDriverCheck& check) {
  Finding f{"stranded", Severity::kOk, "", {}, ""};
  for (const auto& r : snapshot.devices) {
    const Device& d = r.device;
    if (d.driver || !d.driver_override || !check.names_vfio_driver(d.bus, *d.driver_override)) continue;
    f.details.push_back(d.id() + ": unbound, driver_override=" + *d.driver_override);
  }
  if (f.details.empty()) {
    f.summary = "no device is held for a vfio driver that does not have it";
    return f;
  }
  f.severity = Severity::kWarn;
  f.summary = std::to_string(f.details.size()) +
              " device(s) are held by their driver_override for a vfio driver that is not bound to them (not "
              "loaded, or its probe refused them): no driver can use them";
  f.remedy = "vfioctl bind DEVICE to give it to vfio again (the driver is loaded), or vfioctl release DEVICE to give "
             "it back to its host driver (--force when vfioctl did not bind it)";
  return f;
}

Finding check_interrupted_operation(const HostRoot& host) {
  Finding f{"journal", Severity::kOk, "no interrupted vfioctl operation", {}, ""};
  StateDir dir(host);
  if (path_exists(dir.file("journal.json"))) {
    f.severity = Severity::kBlock;
    f.summary = "an interrupted vfioctl operation left its journal in " + dir.file("journal.json");
    f.remedy = "vfioctl recover";
  }
  return f;
}

}  // namespace vfioctl
