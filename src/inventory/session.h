// Everything one vfioctl run learns about the host, built lazily and shared: the root, libkmod,
// the module catalog, the vfio alias index and the buses. One Session per command.
#pragma once

#include <memory>
#include <optional>

#include "bus/bus_registry.h"
#include "host/host_root.h"
#include "inventory/vfio_driver_check.h"
#include "modules/kmod_session.h"
#include "modules/module_catalog.h"
#include "modules/vfio_alias_index.h"

namespace vfioctl {

class Session {
 public:
  explicit Session(HostRoot host);

  const HostRoot& host() const { return host_; }
  const BusRegistry& buses() const { return buses_; }
  KmodSession& kmod() { return kmod_; }
  ModuleCatalog& modules() { return modules_; }
  const VfioAliasIndex& aliases();
  VfioDriverCheck& vfio_check();

 private:
  HostRoot host_;
  BusRegistry buses_;
  KmodSession kmod_;
  ModuleCatalog modules_;
  std::optional<VfioAliasIndex> aliases_;
  std::unique_ptr<VfioDriverCheck> vfio_check_;
};

}  // namespace vfioctl
