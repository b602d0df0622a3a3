// Rebuilds a real machine's PCI sysfs from a "pci-sysfs-snapshot/1" document (tests/data/sysfs/,
// schema in tests/data/sysfs/README.md) inside a FakeSysfs, attribute texts verbatim.
//
// What the snapshot does not record is derived: the config header type comes from the class
// (PCI Code and ID Assignment spec: 06/04 and 06/09 are PCI-to-PCI bridges, header type 1;
// 06/07 CardBus bridges, type 2; everything else, host bridges 06/00 included, type 0), and a
// driver whose module link names a module is taken as a loaded module. Names in a device's `entries` list that the
// snapshot does not describe (power/, msi_irqs/, resource, ...) are not recreated.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "support/fake_sysfs.h"

namespace vfioctl::testing {

// Describes every device, driver and group of the snapshot at `path` in `sysfs` and returns
// the parsed document, so tests can compare what they read with what the machine showed.
nlohmann::json load_sysfs_snapshot(FakeSysfs& sysfs, const std::string& path);

}  // namespace vfioctl::testing
