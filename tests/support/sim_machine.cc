#include "support/sim_machine.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "cli/cli.h"
#include "support/module_tree.h"

namespace vfioctl::testing {

namespace fs = std::filesystem;

namespace {

// "vfio_pci:" alias of PCI_DRIVER_OVERRIDE_DEVICE_VFIO(v, d) and "pci:" alias of
// PCI_DEVICE(v, d), as scripts/mod/file2alias.c do_pci_entry() writes them.
std::string vfio_alias(unsigned v, unsigned d) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "vfio_pci:v%08Xd%08Xsv*sd*bc*sc*i*", v, d);
  return buf;
}
std::string pci_alias(unsigned v, unsigned d) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "pci:v%08Xd%08Xsv*sd*bc*sc*i*", v, d);
  return buf;
}

std::vector<SyntheticModule> tree_modules() {
  return {
      {"vfio", {}, "kernel/drivers/vfio/vfio.ko"},
      {"vfio_pci_core", {}, "kernel/drivers/vfio/pci/vfio-pci-core.ko"},
      generic_vfio_pci(),
      {"mlx5_vfio_pci", {vfio_alias(0x15b3, 0x101e)}, "kernel/drivers/vfio/pci/mlx5/mlx5-vfio-pci.ko"},
      {"pds_vfio_pci", {vfio_alias(0x1dd8, 0x1003)}, "kernel/drivers/vfio/pci/pds/pds-vfio-pci.ko"},
      {"xe_vfio_pci", {vfio_alias(0x8086, 0xe20b)}, "kernel/drivers/vfio/pci/xe/xe-vfio-pci.ko"},
      {"qat_vfio_pci", {vfio_alias(0x8086, 0x4941)}, "kernel/drivers/vfio/pci/qat/qat_vfio_pci.ko"},
      {"e1000e", {pci_alias(0x8086, 0x10d3)}, "kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko"},
      {"nvme", {"pci:v*d*sv*sd*bc01sc08i02*"}, "kernel/drivers/nvme/host/nvme.ko"},
      {"mlx5_core", {pci_alias(0x15b3, 0x101d), pci_alias(0x15b3, 0x101e)},
       "kernel/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko"},
      {"pds_core", {pci_alias(0x1dd8, 0x100c)}, "kernel/drivers/net/ethernet/amd/pds_core/pds_core.ko"},
      {"xe", {pci_alias(0x8086, 0xe20b)}, "kernel/drivers/gpu/drm/xe/xe.ko"},
      {"qat_4xxx", {pci_alias(0x8086, 0x4940), pci_alias(0x8086, 0x4941)},
       "kernel/drivers/crypto/intel/qat/qat_4xxx/qat_4xxx.ko"},
      {"snd_hda_intel", {"pci:v*d*sv*sd*bc04sc03i*"}, "kernel/sound/pci/hda/snd-hda-intel.ko"},
  };
}

// One depmod run per test process; every machine links its /lib/modules/<rel> to it.
const std::string& shared_module_tree() {
  static TempRoot tree_root(fast_temp_parent());  // removed at exit, after every machine
  static const std::string dir = [] {
    if (auto error = build_depmod_tree(tree_root, SimMachine::kRelease, tree_modules())) throw std::runtime_error(*error);
    return tree_root.at(std::string("/lib/modules/") + SimMachine::kRelease);
  }();
  return dir;
}

}  // namespace

SimMachine::SimMachine() {
  root.symlink(std::string("/lib/modules/") + kRelease, shared_module_tree());

  kernel.module("vfio", SimModuleState::kNotLoaded)
      .module("vfio_pci_core", SimModuleState::kNotLoaded)
      .depends("vfio_pci_core", "vfio");
  auto vfio_variant = [&](const std::string& module, const std::string& driver) {
    kernel.depends(module, "vfio_pci_core");
    return SimDriver::named(driver, module).vfio();
  };
  kernel.driver(vfio_variant("vfio_pci", "vfio-pci").override_only());
  kernel.driver(vfio_variant("mlx5_vfio_pci", "mlx5_vfio_pci").override_only(0x15b3, 0x101e));
  // pds_vfio_pci's init fails for a device that is not a VF (pci_iov_vf_id() < 0).
  kernel.driver(vfio_variant("pds_vfio_pci", "pds_vfio_pci").override_only(0x1dd8, 0x1003)
                    .with_probe(SimProbePolicy::refuse_unless_vf(EINVAL)));
  kernel.driver(vfio_variant("xe_vfio_pci", "xe-vfio-pci").override_only(0x8086, 0xe20b));
  kernel.driver(vfio_variant("qat_vfio_pci", "qat_vfio_pci").override_only(0x8086, 0x4941));
  kernel.module("qat_vfio_pci", SimModuleState::kNotLoaded, /*blacklisted=*/true);

  kernel.driver(SimDriver::named("e1000e", "e1000e").id(0x8086, 0x10d3));
  kernel.driver(SimDriver::named("nvme", "nvme").class_id(0x010802, 0xffffff));
  kernel.driver(SimDriver::named("mlx5_core", "mlx5_core").id(0x15b3, 0x101d).id(0x15b3, 0x101e).can_configure_sriov());
  kernel.driver(SimDriver::named("pds_core", "pds_core").id(0x1dd8, 0x100c).can_configure_sriov());
  kernel.driver(SimDriver::named("xe", "xe").id(0x8086, 0xe20b));
  kernel.driver(SimDriver::named("4xxx", "qat_4xxx").id(0x8086, 0x4940).id(0x8086, 0x4941));
  kernel.driver(SimDriver::named("snd_hda_intel", "snd_hda_intel").class_id(0x040300, 0xffff00));
  kernel.driver(SimDriver::named("pcieport", "").class_id(0x060400, 0xffff00));
  for (const char* m : {"e1000e", "nvme", "mlx5_core", "pds_core", "xe", "qat_4xxx", "snd_hda_intel"}) {
    kernel.module(m, SimModuleState::kLoaded);
  }
}

CliRun SimMachine::run(const std::vector<std::string>& args) {
  sysfs.write();  // devices described since the last change
  std::vector<std::string> full{"--root", root.path(), "--kernel-release", kRelease};
  full.insert(full.end(), args.begin(), args.end());
  std::ostringstream out, err;
  CliIo io{out, err};
  io.kernel = &kernel;
  io.addresses = &addresses;
  io.lock_wait_seconds = 0;
  CliRun r;
  r.exit_code = run_cli(full, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

SimMachine::Binding SimMachine::binding(const std::string& device) const {
  Binding b;
  if (!sysfs.has_pci(device)) return b;
  const FakePci& d = sysfs.pci_at(device);
  b.present = true;
  b.driver = d.bound_driver();
  b.driver_override = d.current_override();
  return b;
}

std::map<std::string, SimMachine::Binding> SimMachine::bindings() const {
  std::map<std::string, Binding> out;
  for (const auto& a : sysfs.pci_addresses()) out[a] = binding(a);
  return out;
}

bool SimMachine::journal_exists() const { return fs::exists(root.at("/run/vfioctl/journal.json")); }

std::vector<std::string> SimMachine::recorded_devices() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root.at("/run/vfioctl/bound/pci"), ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) out.push_back(name.substr(0, name.size() - 5));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void SimMachine::net_interface(const std::string& device, const std::string& ifname, bool up) {
  std::string dir = sysfs.pci(device).sys_path() + "/net/" + ifname;
  // Documentation/ABI/testing/sysfs-class-net "flags": hex, IFF_UP is 0x1.
  sysfs.file(dir + "/flags", up ? "0x1003\n" : "0x1002\n");
  sysfs.symlink("/sys/class/net/" + ifname, dir);
}

void SimMachine::block_device(const std::string& device, const std::string& name, const std::string& majmin) {
  std::string dir = sysfs.pci(device).sys_path() + "/nvme/nvme0/" + name;
  sysfs.file(dir + "/dev", majmin + "\n");
  sysfs.symlink("/sys/class/block/" + name, dir);
}

void SimMachine::mounted(const std::string& majmin, const std::string& mount_point) {
  // Documentation/filesystems/proc.rst, /proc/<pid>/mountinfo: the third field is major:minor.
  mountinfo_ += "36 25 " + majmin + " / " + mount_point + " rw,relatime shared:1 - ext4 /dev/x rw\n";
  root.write("/proc/self/mountinfo", mountinfo_);
}

void SimMachine::block_holder(const std::string& device, const std::string& name, const std::string& holder) {
  std::string dir = sysfs.pci(device).sys_path() + "/nvme/nvme0/" + name;
  sysfs.file(dir + "/holders/" + holder, "");
}

void SimMachine::boot_vga_with_fbcon(const std::string& device) {
  sysfs.pci(device).attr("boot_vga", "1");
  sysfs.file("/sys/class/graphics/fb0/name", "simplefb\n");
  sysfs.file("/sys/class/vtconsole/vtcon1/name", "(M) frame buffer device\n");
  sysfs.file("/sys/class/vtconsole/vtcon1/bind", "1\n");
}

void SimMachine::process_holding(int pid, const std::string& comm, const std::string& node) {
  std::string proc = "/proc/" + std::to_string(pid);
  root.write(proc + "/comm", comm + "\n");
  root.symlink(proc + "/fd/3", node);
}

std::string binding_text(const SimMachine::Binding& b) {
  if (!b.present) return "(gone)";
  return b.driver.value_or("-") + " (override " + b.driver_override.value_or("none") + ")";
}

}  // namespace vfioctl::testing
