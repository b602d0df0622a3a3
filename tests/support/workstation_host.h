// One fake host for the inventory, status, explain and CLI tests: a workstation with a GPU on
// vfio-pci that shares its IOMMU group with its HDMI audio (still on the host driver), a
// ConnectX PF with one VF enabled, an NVMe disk, root ports and a host bridge; and a module tree
// (text indexes) with the generic vfio_pci (loaded) and the mlx5 variant (installed, not loaded).
//
//   address        ids        class   driver          group  notes
//   0000:00:00.0   8086:3e30  060000  -               0      host bridge (type 0: assignable)
//   0000:00:01.0   8086:1901  060400  pcieport        1      root port (type 1: not assignable)
//   0000:01:00.0   10de:2204  030000  vfio-pci        1      override vfio-pci, vfio-dev vfio0
//   0000:01:00.1   10de:1aef  040300  snd_hda_intel   1      blocks group 1
//   0000:00:1c.0   8086:a110  060400  pcieport        2      root port
//   0000:02:00.0   15b3:101d  020000  mlx5_core       3      PF, sriov 8 total / 1 enabled
//   0000:02:00.1   15b3:101e  020000  -               4      VF of 02:00.0, mlx5_vfio_pci matches
//   0000:03:00.0   144d:a808  010802  nvme            5
#pragma once

#include <string>

#include "support/fake_sysfs.h"
#include "support/temp_root.h"

namespace vfioctl::testing {

inline constexpr const char* kWorkstationRelease = "6.12.0-workstation";
inline constexpr const char* kMlx5VariantAlias = "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*";

// Describes the devices in `sysfs` and writes the module tree into its root; then writes sysfs.
void build_workstation(FakeSysfs& sysfs);

}  // namespace vfioctl::testing
