// The driver_override protocol, the same on every bus that has the attribute (PCI, platform,
// amba, fsl-mc, cdx, css): Documentation/ABI/testing/sysfs-bus-pci, "driver_override".
//
//   set_override   <dev>/driver_override <- driver name. Restricts matching to that driver
//                  name; does not unbind and loads nothing (drivers/pci/pci-driver.c
//                  pci_match_device: an override naming another driver is "no match").
//   clear_override <dev>/driver_override <- "\n" (the store strips one newline; empty clears).
//   unbind         drivers/<drv>/unbind <- dev. unbind_store() answers ENODEV unless the device
//                  is bound to exactly that driver, so a device that changed driver in the
//                  meantime is never unbound from the wrong one.
//   probe          drivers_probe <- dev. Attaches an unbound device by normal matching; the
//                  write succeeds even when no driver binds (drivers/base/bus.c
//                  drivers_probe_store -> bus_rescan_devices_helper), hence verify().
//   bind           drivers/<drv>/bind <- dev. ENODEV when the driver does not match.
// Every write counts, so tests can check that a bind costs exactly three.
#pragma once

#include <chrono>
#include <string>

#include "bind/binding_state.h"
#include "bus/bus.h"
#include "host/host_root.h"
#include "kernel/kernel_port.h"

namespace vfioctl {

class OverrideBinder {
 public:
  OverrideBinder(const HostRoot& host, KernelPort& kernel, const Bus& bus);

  int set_override(const std::string& device, const std::string& driver);
  int clear_override(const std::string& device);
  int unbind(const std::string& device, const std::string& driver);
  int probe(const std::string& device);
  int bind(const std::string& device, const std::string& driver);

  // Re-reads the driver link and the override.
  BindingState state(const std::string& device) const;

  // Waits, boundedly, until the device is bound to some driver (a probe started by a module
  // load may complete asynchronously). Returns the state seen last; the caller compares.
  BindingState wait_for_driver(const std::string& device);

  std::size_t writes() const { return writes_; }
  const Bus& bus() const { return bus_; }
  KernelPort& kernel() { return kernel_; }
  const HostRoot& host() const { return host_; }

  std::string device_path(const std::string& device, const char* attribute) const;

 private:
  int write(const std::string& path, std::string_view value);

  const HostRoot& host_;
  KernelPort& kernel_;
  const Bus& bus_;
  std::size_t writes_ = 0;
};

}  // namespace vfioctl
