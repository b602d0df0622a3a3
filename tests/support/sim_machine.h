// One simulated machine for the bind, release, vfs and recover tests: a temporary root with a
// fake /sys (FakeSysfs), a module tree built by kmod's depmod from stub modules, and a
// SimKernel that knows the modules and drivers below. Commands run in-process through run_cli
// with the simulator and a FakeAddressSource plugged into CliIo.
//
//   module          driver          id table (vfio drivers: override-only)  at start
//   vfio            -               -                                       not loaded
//   vfio_pci_core   -               - (needs vfio)                          not loaded
//   vfio_pci        vfio-pci        any                                     not loaded
//   mlx5_vfio_pci   mlx5_vfio_pci   15b3:101e (ConnectX-5 VF)               not loaded
//   pds_vfio_pci    pds_vfio_pci    1dd8:1003; its probe refuses non-VFs    not loaded
//   xe_vfio_pci     xe-vfio-pci     8086:e20b                               not loaded
//   qat_vfio_pci    qat_vfio_pci    8086:4941                               blacklisted
//   e1000e          e1000e          8086:10d3                               loaded
//   nvme            nvme            class 010802                            loaded
//   mlx5_core       mlx5_core       15b3:101d, 15b3:101e; sriov_configure   loaded
//   pds_core        pds_core        1dd8:100c; sriov_configure              loaded
//   xe              xe              8086:e20b                               loaded
//   qat_4xxx        4xxx            8086:4940, 8086:4941                    loaded
//   snd_hda_intel   snd_hda_intel   class 0403xx                            loaded
//   (built in)      pcieport        class 0604xx                            -
// Each module's modules.alias lines are what file2alias.c writes for that table ("vfio_pci:"
// for override-only entries). The names and IDs follow the upstream drivers (see
// /work/shared/research/vfio-landscape.md a6); the modules themselves are stubs.
//
// Devices are up to each test: describe them on `sysfs` before the first run().
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "support/cli_capture.h"
#include "support/fake_address_source.h"
#include "support/fake_sysfs.h"
#include "support/sim_kernel.h"
#include "support/temp_root.h"

namespace vfioctl::testing {

class SimMachine {
 public:
  static constexpr const char* kRelease = "6.12.0-sim";

  SimMachine();

  TempRoot root{fast_temp_parent()};
  FakeSysfs sysfs{root};
  SimKernel kernel{sysfs};
  FakeAddressSource addresses;

  // run_cli("--root ROOT --kernel-release REL" + args) with the simulator and the address list.
  // A SimulatedCrash passes through.
  CliRun run(const std::vector<std::string>& args);

  struct Binding {
    bool present = false;
    std::optional<std::string> driver;
    std::optional<std::string> driver_override;
    friend bool operator==(const Binding&, const Binding&) = default;
  };
  Binding binding(const std::string& device) const;
  std::map<std::string, Binding> bindings() const;  // every device described now

  bool journal_exists() const;
  // Devices with an ownership record (/run/vfioctl/bound/pci/<dev>.json).
  std::vector<std::string> recorded_devices() const;

  // Host state for the in-use checks and for release.
  // A network interface of `device`: <dev>/net/<ifname> and /sys/class/net/<ifname> with its
  // flags (IFF_UP when `up`).
  void net_interface(const std::string& device, const std::string& ifname, bool up);
  // A block device of `device` (<dev>/nvme/nvme0/<name>, /sys/class/block/<name>, dev = majmin).
  void block_device(const std::string& device, const std::string& name, const std::string& majmin);
  void mounted(const std::string& majmin, const std::string& mount_point);  // /proc/self/mountinfo
  void block_holder(const std::string& device, const std::string& name, const std::string& holder);
  // The boot VGA device with the framebuffer console on it.
  void boot_vga_with_fbcon(const std::string& device);
  // /proc/<pid>/fd/3 -> node, /proc/<pid>/comm.
  void process_holding(int pid, const std::string& comm, const std::string& node);

 private:
  std::string mountinfo_;
};

std::string binding_text(const SimMachine::Binding& b);

}  // namespace vfioctl::testing
