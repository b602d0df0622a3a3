#include "support/module_tree.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "modules/module_catalog.h"
#include "support/run_program.h"
#include "support/stub_ko.h"

namespace vfioctl::testing {

namespace fs = std::filesystem;

namespace {

// The files of a fixture folder that a real module tree has (PROVENANCE.md lists them all).
constexpr const char* kTreeFiles[] = {"modules.alias", "modules.dep", "modules.builtin",
                                      "modules.builtin.modinfo", "modules.builtin.alias.bin"};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string join_lines(const std::vector<std::string_view>& lines) {
  std::string out;
  for (auto l : lines) {
    out.append(l);
    out.push_back('\n');
  }
  return out;
}

std::string module_tree_dir(const TempRoot& root, const std::string& release, bool merged_usr) {
  return root.at(std::string(merged_usr ? "/usr/lib/modules/" : "/lib/modules/") + release);
}

void write_file(const std::string& path, std::string_view content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace

const std::vector<FixtureKernel>& fixture_kernels() {
  static const std::vector<FixtureKernel> kernels = {
      {"amd64-6.1.0-50-amd64", "6.1.0-50-amd64", true},
      {"arm64-6.1.0-50-arm64", "6.1.0-50-arm64", true},
      {"s390x-6.1.0-50-s390x", "6.1.0-50-s390x", false},
      {"ppc64el-6.1.0-50-powerpc64le", "6.1.0-50-powerpc64le", true},
      {"amd64-6.12.95+deb12-amd64", "6.12.95+deb12-amd64", true},
      {"arm64-6.12.95+deb12-arm64", "6.12.95+deb12-arm64", true},
      {"s390x-6.12.95+deb12-s390x", "6.12.95+deb12-s390x", true},
      {"ppc64el-6.12.95+deb12-powerpc64le", "6.12.95+deb12-powerpc64le", true},
      {"amd64-7.2.13+deb14-amd64", "7.2.13+deb14-amd64", true},
  };
  return kernels;
}

const FixtureKernel& fixture_kernel(std::string_view folder) {
  for (const auto& k : fixture_kernels()) {
    if (k.folder == folder) return k;
  }
  throw std::invalid_argument("no fixture kernel " + std::string(folder));
}

std::string fixture_file(const FixtureKernel& kernel, std::string_view name) {
  std::string base = data_path("kernels/" + kernel.folder + "/" + std::string(name));
  if (fs::exists(base)) return read_data_file(base);
  return read_data_file(base + ".gz");
}

std::string SyntheticModule::tree_path() const {
  if (!path.empty()) return path;
  std::string file = name;
  std::replace(file.begin(), file.end(), '_', '-');
  return "kernel/drivers/vfio/pci/" + file + ".ko";
}

std::vector<SyntheticModule> synthetic_variants() {
  // Module names and file paths: upstream drivers/vfio/pci/*/Makefile (tests/data/kernels/
  // drivers.tsv, rows marked "source"). Device ids: the first entry of each upstream id table.
  return {
      {"mlx5_vfio_pci", {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/mlx5/mlx5-vfio-pci.ko"},
      {"nvgrace_gpu_vfio_pci", {"vfio_pci:v000010DEd00002342sv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/nvgrace-gpu/nvgrace-gpu-vfio-pci.ko"},
      {"virtio_vfio_pci", {"vfio_pci:v00001AF4d00001041sv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/virtio/virtio-vfio-pci.ko"},
      {"pds_vfio_pci", {"vfio_pci:v00001DD8d00001003sv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/pds/pds-vfio-pci.ko"},
      {"hisi_acc_vfio_pci", {"vfio_pci:v000019E5d0000A256sv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/hisilicon/hisi-acc-vfio-pci.ko"},
      {"qat_vfio_pci", {"vfio_pci:v00008086d00004941sv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/qat/qat_vfio_pci.ko"},
      // xe_vfio_pci's table is built from INTEL_*_IDS lists; 8086:e20b is a Battlemage id used
      // here only as a plausible value. What matters is its driver name, "xe-vfio-pci".
      {"xe_vfio_pci", {"vfio_pci:v00008086d0000E20Bsv*sd*bc*sc*i*"},
       "kernel/drivers/vfio/pci/xe/xe-vfio-pci.ko"},
  };
}

SyntheticModule synthetic_class_variant() {
  return {"synthetic_class_vfio_pci", {"vfio_pci:v*d*sv*sd*bc02sc00i00*"},
          "kernel/drivers/vfio/pci/synthetic/synthetic-class-vfio-pci.ko"};
}

SyntheticModule generic_vfio_pci() {
  return {"vfio_pci", {"vfio_pci:v*d*sv*sd*bc*sc*i*"}, "kernel/drivers/vfio/pci/vfio-pci.ko"};
}

std::string synthetic_device_for(const SyntheticModule& variant) {
  static const std::map<std::string, std::string, std::less<>> devices = {
      {"mlx5_vfio_pci", "pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00"},
      {"nvgrace_gpu_vfio_pci", "pci:v000010DEd00002342sv000010DEsd000016EBbc03sc02i00"},
      {"virtio_vfio_pci", "pci:v00001AF4d00001041sv00001AF4sd00001100bc02sc00i00"},
      {"pds_vfio_pci", "pci:v00001DD8d00001003sv00001DD8sd00005001bc02sc00i00"},
      {"hisi_acc_vfio_pci", "pci:v000019E5d0000A256sv000019E5sd00000000bc10sc00i00"},
      {"qat_vfio_pci", "pci:v00008086d00004941sv00008086sd00000000bc0Bsc40i00"},
      {"xe_vfio_pci", "pci:v00008086d0000E20Bsv00008086sd00001100bc03sc00i00"},
  };
  auto it = devices.find(variant.name);
  if (it == devices.end()) throw std::invalid_argument("no device for " + variant.name);
  return it->second;
}

ModuleTree::ModuleTree(const TempRoot& root, std::string release, bool merged_usr)
    : root_(root), release_(std::move(release)), merged_usr_(merged_usr) {
  fs::create_directories(dir());
}

ModuleTree ModuleTree::from_fixture(const TempRoot& root, const FixtureKernel& kernel, bool merged_usr) {
  ModuleTree tree(root, kernel.release, merged_usr);
  for (const char* name : kTreeFiles) write_file(tree.file(name), fixture_file(kernel, name));
  return tree;
}

std::string ModuleTree::dir() const { return module_tree_dir(root_, release_, merged_usr_); }

std::string ModuleTree::file(std::string_view name) const { return dir() + "/" + std::string(name); }

std::string ModuleTree::read(std::string_view name) const { return read_data_file(file(name)); }

void ModuleTree::append(std::string_view name, std::string_view text) const {
  std::string content = fs::exists(file(name)) ? read(name) : std::string();
  if (!content.empty() && content.back() != '\n' && name != "modules.builtin.modinfo") content += '\n';
  content.append(text);
  write_file(file(name), content);
}

void ModuleTree::add_synthetic(const SyntheticModule& module) {
  std::string lines;
  for (const auto& a : module.aliases) lines += "alias " + a + " " + module.name + "\n";
  append("modules.alias", lines);
  append("modules.dep", module.tree_path() + ":\n");
}

std::optional<std::string> ModuleTree::make_builtin(const SyntheticModule& module) {
  // Out of the loadable lists.
  std::string alias_text = read("modules.alias");
  std::vector<std::string_view> kept;
  for (auto line : split_lines(alias_text)) {
    bool names_module = line.size() > module.name.size() + 1 &&
                        line.substr(line.size() - module.name.size() - 1) == " " + module.name;
    if (!names_module) kept.push_back(line);
  }
  write_file(file("modules.alias"), join_lines(kept));
  std::string dep_text = read("modules.dep");
  kept.clear();
  for (auto line : split_lines(dep_text)) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos || module_name_from_path(line.substr(0, colon)) != module.name) {
      kept.push_back(line);
    }
  }
  write_file(file("modules.dep"), join_lines(kept));

  // Into the built-in ones.
  append("modules.builtin", module.tree_path() + "\n");
  std::string records;
  for (const auto& a : module.aliases) records += module.name + ".alias=" + a + '\0';
  append("modules.builtin.modinfo", records);

  // depmod builds modules.builtin.alias.bin from modules.builtin.modinfo; run it over a scratch
  // tree holding only those two files, so the real modules.alias of this tree is not rewritten
  // from .ko files it does not have.
  TempRoot scratch;
  ModuleTree side(scratch, release_);
  write_file(side.file("modules.builtin"), read("modules.builtin"));
  write_file(side.file("modules.builtin.modinfo"), read("modules.builtin.modinfo"));
  ProgramResult r = run_program({kDepmod, "-b", scratch.path(), release_});
  if (r.exit_code != 0) return "depmod failed: " + r.err;
  std::error_code ec;
  fs::copy_file(side.file("modules.builtin.alias.bin"), file("modules.builtin.alias.bin"),
                fs::copy_options::overwrite_existing, ec);
  if (ec) return "depmod wrote no modules.builtin.alias.bin: " + ec.message();
  return std::nullopt;
}

void ModuleTree::write(std::string_view name, std::string_view text) const { write_file(file(name), text); }

void ModuleTree::remove(std::string_view name) const { fs::remove(file(name)); }

void write_modprobe_conf(const TempRoot& root, std::string_view file_name, std::string_view text,
                         std::string_view dir) {
  root.write(std::string(dir) + "/" + std::string(file_name), text);
}

namespace {

void fake_module(const TempRoot& root, std::string_view module, const std::vector<std::string>& drivers,
                 std::optional<std::string_view> initstate) {
  const std::string m(module);
  root.mkdir("/sys/module/" + m);
  if (initstate) root.write("/sys/module/" + m + "/initstate", std::string(*initstate) + "\n");
  for (const auto& d : drivers) {
    root.mkdir("/sys/bus/pci/drivers/" + d);
    root.symlink("/sys/module/" + m + "/drivers/pci:" + d, "../../../bus/pci/drivers/" + d);
    root.symlink("/sys/bus/pci/drivers/" + d + "/module", "../../../../module/" + m);
  }
}

}  // namespace

void fake_loaded_module(const TempRoot& root, std::string_view module,
                        const std::vector<std::string>& pci_drivers, std::string_view initstate) {
  fake_module(root, module, pci_drivers, initstate);
}

void fake_builtin_module(const TempRoot& root, std::string_view module,
                         const std::vector<std::string>& pci_drivers) {
  fake_module(root, module, pci_drivers, std::nullopt);
}

// In CI the tools are installed by scripts/install-deps.sh, so their absence there is a broken
// setup, not a reason to skip the oracle tests silently.
bool kmod_tools_available() {
  bool available = is_executable(kDepmod) && is_executable(kModprobe);
  const char* ci = std::getenv("CI");
  if (!available && ci != nullptr && *ci != '\0') throw std::runtime_error("CI is set but kmod's depmod/modprobe are missing");
  return available;
}

std::optional<std::string> build_depmod_tree(const TempRoot& root, const std::string& release,
                                             const std::vector<SyntheticModule>& modules,
                                             const std::vector<SyntheticModule>& builtin) {
  ModuleTree tree(root, release);
  std::string order, builtin_list, builtin_modinfo;
  for (const auto& m : modules) {
    write_file(tree.file(m.tree_path()), make_stub_ko({m.name, m.aliases, release}));
    order += m.tree_path() + "\n";
  }
  for (const auto& m : builtin) {
    builtin_list += m.tree_path() + "\n";
    for (const auto& a : m.aliases) builtin_modinfo += m.name + ".alias=" + a + '\0';
  }
  write_file(tree.file("modules.order"), order);
  write_file(tree.file("modules.builtin"), builtin_list);
  write_file(tree.file("modules.builtin.modinfo"), builtin_modinfo);
  ProgramResult r = run_program({kDepmod, "-b", root.path(), release});
  if (r.exit_code != 0) return "depmod -b " + root.path() + " " + release + " failed: " + r.err;
  return std::nullopt;
}

KmodAnswer modprobe_resolve(const std::string& root, const std::string& release, const std::string& key,
                            const std::string& config) {
  ProgramResult r = run_program({kModprobe, "-C", config, "-d", root, "-S", release, "-R", key});
  KmodAnswer answer;
  answer.exit_code = r.exit_code;
  answer.error = r.err;
  for (auto line : split_lines(r.out)) {
    if (!line.empty()) answer.modules.emplace_back(line);
  }
  std::sort(answer.modules.begin(), answer.modules.end());
  return answer;
}

}  // namespace vfioctl::testing
