#include "bench_roots.h"

#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "pci/pci_modalias.h"

namespace vfioctl::bench {

namespace fs = std::filesystem;

namespace {

std::string gunzip(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  gzclose(f);
  if (n < 0) throw std::runtime_error("cannot gunzip " + path);
  return out;
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void link(const fs::path& path, const std::string& target) {
  fs::create_directories(path.parent_path());
  fs::create_symlink(target, path);
}

// Every root made here is removed when the process exits.
struct TempDirs {
  std::vector<fs::path> dirs;
  ~TempDirs() {
    for (const auto& d : dirs) {
      std::error_code ec;
      fs::remove_all(d, ec);
    }
  }
  fs::path make() {
    std::string tmpl = (fs::temp_directory_path() / "vfioctl-bench-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dirs.emplace_back(tmpl);
    return dirs.back();
  }
};

TempDirs& temp_dirs() {
  static TempDirs dirs;
  return dirs;
}

void install_module_tree(const fs::path& root, const std::string& kernel) {
  const std::string src = kernel_data_dir(kernel);
  const fs::path dst = root / "lib/modules" / release_of(kernel);
  fs::create_directories(dst);
  write_file(dst / "modules.alias", modules_alias_text(kernel));
  write_file(dst / "modules.dep", gunzip(src + "/modules.dep.gz"));
  for (const char* name : {"modules.builtin", "modules.builtin.alias.bin", "modules.builtin.modinfo"}) {
    if (fs::exists(src + "/" + name)) fs::copy_file(src + "/" + name, dst / name);
  }
}

struct FakeDevice {
  std::string address;
  PciIdentity id;
  std::string driver;    // "" = unbound
  std::string override_;  // "" = (null)
  bool bridge = false;
};

std::vector<FakeDevice> plan_devices(std::size_t n) {
  std::vector<FakeDevice> out;
  unsigned bus = 1, slot = 0, fn = 0;
  auto next_address = [&] {
    std::string a = fmt::format("0000:{:02x}:{:02x}.{}", bus, slot, fn);
    if (++fn == 8) {
      fn = 0;
      if (++slot == 32) {
        slot = 0;
        ++bus;
      }
    }
    return a;
  };
  for (std::size_t i = 0; i < n; ++i) {
    FakeDevice d;
    if (i % 64 == 0) {
      d.address = fmt::format("0000:00:{:02x}.{}", (i / 64) / 8 % 32, (i / 64) % 8);
      d.id = {0x8086, 0x2030, 0x8086, 0, 0x060400};
      d.driver = "pcieport";
      d.bridge = true;
    } else {
      d.address = next_address();
      switch (i % 16) {
        case 1: d.id = {0x144d, 0xa824, 0x144d, 0xa801, 0x010802}; d.driver = "nvme"; break;
        case 2: d.id = {0x10de, 0x2330, 0x10de, 0x16c1, 0x030200}; d.driver = "vfio-pci";
                d.override_ = "vfio-pci"; break;
        case 3: d.id = {0x10de, 0x2330, 0x10de, 0x16c1, 0x030200}; break;
        default:
          d.id = {0x15b3, 0x101e, 0x15b3, 0, 0x020000};
          d.driver = i % 8 == 4 ? "vfio-pci" : "mlx5_core";
          if (d.driver == "vfio-pci") d.override_ = "vfio-pci";
      }
    }
    out.push_back(d);
  }
  return out;
}

void install_fake_sysfs(const fs::path& root, std::size_t n) {
  const fs::path sys = root / "sys";
  const std::map<std::string, std::string> module_of = {
      {"mlx5_core", "mlx5_core"}, {"vfio-pci", "vfio_pci"}, {"nvme", "nvme"}};
  for (const auto& [driver, module] : module_of) {
    link(sys / "bus/pci/drivers" / driver / "module", "../../../../module/" + module);
    write_file(sys / "module" / module / "initstate", "live\n");
    link(sys / "module" / module / "drivers" / ("pci:" + driver), "../../../bus/pci/drivers/" + driver);
  }
  fs::create_directories(sys / "bus/pci/drivers/pcieport");  // built in: no module link

  int group = 0;
  for (const auto& d : plan_devices(n)) {
    const fs::path dev = sys / "devices/pci0000:00" / d.address;
    write_file(dev / "modalias", format_pci_modalias(d.id) + "\n");
    write_file(dev / "vendor", fmt::format("0x{:04x}\n", d.id.vendor));
    write_file(dev / "device", fmt::format("0x{:04x}\n", d.id.device));
    write_file(dev / "class", fmt::format("0x{:06x}\n", d.id.class_code));
    write_file(dev / "driver_override", (d.override_.empty() ? "(null)" : d.override_) + "\n");
    std::string config(256, '\0');
    config[0x0e] = d.bridge ? 1 : 0;
    write_file(dev / "config", config);
    link(dev / "subsystem", "../../../bus/pci");
    if (!d.driver.empty()) {
      link(dev / "driver", "../../../bus/pci/drivers/" + d.driver);
      link(sys / "bus/pci/drivers" / d.driver / d.address, "../../../../devices/pci0000:00/" + d.address);
    }
    if (d.driver == "vfio-pci") fs::create_directories(dev / "vfio-dev" / fmt::format("vfio{}", group));
    const fs::path g = sys / "kernel/iommu_groups" / std::to_string(group);
    link(dev / "iommu_group", "../../../kernel/iommu_groups/" + std::to_string(group));
    link(g / "devices" / d.address, "../../../../devices/pci0000:00/" + d.address);
    link(sys / "bus/pci/devices" / d.address, "../../../devices/pci0000:00/" + d.address);
    ++group;
  }
}

}  // namespace

std::string kernel_data_dir(const std::string& kernel) {
  return std::string(VFIOCTL_TEST_DATA) + "/kernels/" + kernel;
}

std::string release_of(const std::string& kernel) { return kernel.substr(kernel.find('-') + 1); }

const std::string& modules_alias_text(const std::string& kernel) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(kernel);
  if (it == cache.end()) it = cache.emplace(kernel, gunzip(kernel_data_dir(kernel) + "/modules.alias.gz")).first;
  return it->second;
}

const std::string& module_tree_root(const std::string& kernel) {
  static std::map<std::string, std::string> cache;
  auto it = cache.find(kernel);
  if (it == cache.end()) {
    fs::path root = temp_dirs().make();
    install_module_tree(root, kernel);
    it = cache.emplace(kernel, root.string()).first;
  }
  return it->second;
}

const std::string& fake_sysfs_root(std::size_t devices) {
  static std::map<std::size_t, std::string> cache;
  auto it = cache.find(devices);
  if (it == cache.end()) {
    fs::path root = temp_dirs().make();
    install_module_tree(root, "amd64-7.2.13+deb14-amd64");
    install_fake_sysfs(root, devices);
    it = cache.emplace(devices, root.string()).first;
  }
  return it->second;
}

}  // namespace vfioctl::bench
