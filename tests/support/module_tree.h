// Module trees for tests: <root>/lib/modules/<release>/ laid out from a real Debian kernel of
// tests/data/kernels (see tests/data/PROVENANCE.md), optionally with synthetic vfio variant
// modules, modprobe.d files and /sys/module entries; or built for real by kmod's depmod from
// stub .ko files, so that libkmod and `modprobe -R` can be asked about synthetic variants too.
//
// Only files depmod writes (or the kernel package ships) go into a tree: modules.alias,
// modules.dep, modules.builtin, modules.builtin.modinfo, modules.builtin.alias.bin. The text
// twin tests/data/.../modules.builtin.alias is derived and never appears in a tree, because no
// real system has it (kmod's depmod writes only the .bin).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/temp_root.h"

namespace vfioctl::testing {

// One kernel of tests/data/kernels.
struct FixtureKernel {
  std::string folder;   // "amd64-6.1.0-50-amd64"
  std::string release;  // "6.1.0-50-amd64"
  bool has_vfio = true; // false for s390x 6.1: "# CONFIG_VFIO is not set"
};

// The nine kernels, in the order of tests/data/PROVENANCE.md.
const std::vector<FixtureKernel>& fixture_kernels();
const FixtureKernel& fixture_kernel(std::string_view folder);

// The text of tests/data/kernels/<folder>/<name>, from <name> or <name>.gz.
std::string fixture_file(const FixtureKernel& kernel, std::string_view name);

// A module that no Debian kernel ships, described as its modinfo would describe it.
struct SyntheticModule {
  std::string name;                  // module name ("mlx5_vfio_pci")
  std::vector<std::string> aliases;  // full patterns ("vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*")
  std::string path;                  // relative to the tree; empty: kernel/drivers/vfio/pci/<name, '_' -> '-'>.ko
  std::string tree_path() const;
};

// The synthetic variants the foundation issue names, each shaped like its upstream
// PCI_DRIVER_OVERRIDE_DEVICE_VFIO(vendor, device) table entry (scripts/mod/file2alias.c
// do_pci_entry: "vfio_pci:" prefix, v/d fixed, sv/sd/bc/sc/i "*"). SYNTHETIC: no Debian
// kernel builds any of them (tests/data/PROVENANCE.md). One id per module.
std::vector<SyntheticModule> synthetic_variants();
// A synthetic module whose alias is class-qualified, as file2alias.c writes a table entry with a
// full class mask: "vfio_pci:v*d*sv*sd*bc02sc00i00*" (add_wildcard() appends the final '*').
SyntheticModule synthetic_class_variant();
// The generic module as every Debian kernel with vfio has it.
SyntheticModule generic_vfio_pci();
// The modalias of a device a synthetic variant is for: its vendor:device with plausible
// subsystem ids and class (a ConnectX VF is an Ethernet controller, 020000; a GH200 a 3D
// controller, 030200; ...).
std::string synthetic_device_for(const SyntheticModule& variant);

class ModuleTree {
 public:
  ModuleTree(const TempRoot& root, std::string release, bool merged_usr = false);

  // Copies a fixture kernel's depmod files into <root>/lib/modules/<release> (or
  // <root>/usr/lib/modules/<release> when `merged_usr`), gunzipped.
  static ModuleTree from_fixture(const TempRoot& root, const FixtureKernel& kernel,
                                 bool merged_usr = false);

  const std::string& release() const { return release_; }
  std::string dir() const;                      // absolute path of the tree
  std::string file(std::string_view name) const;  // absolute path of a file in the tree
  std::string read(std::string_view name) const;

  // What depmod would have added for the module: its "alias PATTERN NAME" lines at the end of
  // modules.alias and a "PATH:" line in modules.dep (installed, no dependencies). The .bin
  // indexes are left alone; vfioctl reads the text modules.alias.
  void add_synthetic(const SyntheticModule& module);

  // Turns `module` into built-in code, the way a kernel with CONFIG_<X>=y describes it: its
  // lines leave modules.alias and modules.dep, its path joins modules.builtin, its aliases become
  // "<name>.alias=" records of modules.builtin.modinfo, and modules.builtin.alias.bin is rebuilt
  // by the real depmod from that modinfo. Returns an error message, or nullopt on success.
  std::optional<std::string> make_builtin(const SyntheticModule& module);

  // Replaces a file of the tree; deletes one (to test the fallbacks when an index is missing).
  void write(std::string_view name, std::string_view text) const;
  void remove(std::string_view name) const;

 private:
  void append(std::string_view name, std::string_view text) const;

  const TempRoot& root_;
  std::string release_;
  bool merged_usr_;
};

// <root><dir>/<file_name>, e.g. an /etc/modprobe.d file.
void write_modprobe_conf(const TempRoot& root, std::string_view file_name, std::string_view text,
                         std::string_view dir = "/etc/modprobe.d");

// /sys/module/<module> of a loaded module, with `initstate` ("live", "coming" or "going";
// kernel/module/sysfs.c show_initstate()). For each driver, the links the driver core makes
// (drivers/base/module.c module_add_driver()): /sys/module/<module>/drivers/pci:<driver> ->
// /sys/bus/pci/drivers/<driver>, and /sys/bus/pci/drivers/<driver>/module -> /sys/module/<module>.
void fake_loaded_module(const TempRoot& root, std::string_view module,
                        const std::vector<std::string>& pci_drivers = {},
                        std::string_view initstate = "live");
// /sys/module/<module> of built-in code: the same, without initstate (the kernel creates
// initstate only for loadable modules; kernel/params.c locate_module_kobject() makes the
// directory of built-in code that has parameters or drivers).
void fake_builtin_module(const TempRoot& root, std::string_view module,
                         const std::vector<std::string>& pci_drivers = {});

// kmod's tools, at the paths Debian 12 installs them (package kmod, scripts/install-deps.sh).
inline constexpr const char* kDepmod = "/sbin/depmod";
inline constexpr const char* kModprobe = "/sbin/modprobe";
bool kmod_tools_available();

// A real module tree: stub .ko files for `modules` (see support/stub_ko.h), `builtin` listed in
// modules.builtin with their aliases in modules.builtin.modinfo, then `depmod -b ROOT RELEASE`.
// Returns an error message (depmod's stderr), or nullopt on success.
std::optional<std::string> build_depmod_tree(const TempRoot& root, const std::string& release,
                                             const std::vector<SyntheticModule>& modules,
                                             const std::vector<SyntheticModule>& builtin = {});

// kmod's own answer: `modprobe -C CONFIG -d ROOT -S RELEASE -R KEY`, the module names it
// prints, sorted. `config` "/dev/null" leaves out every modprobe.d file.
struct KmodAnswer {
  int exit_code = -1;
  std::vector<std::string> modules;
  std::string error;
};
KmodAnswer modprobe_resolve(const std::string& root, const std::string& release,
                            const std::string& key, const std::string& config = "/dev/null");

}  // namespace vfioctl::testing
