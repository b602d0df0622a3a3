#include "doctor/host_checks.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "bind/noiommu_mode.h"
#include "host/file_io.h"
#include "modules/module_options.h"

namespace vfioctl {

namespace {

std::string proc_text(const HostRoot& host, const char* path) {
  ReadResult r = read_file(host.path(path), 4u << 20);
  return r.ok() ? r.value : std::string();
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

// "GenuineIntel", "AuthenticAMD", or "" (other architectures print no vendor_id).
std::string cpu_vendor(const HostRoot& host) {
  std::istringstream in(proc_text(host, "/proc/cpuinfo"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("vendor_id", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) break;
    std::string v = line.substr(colon + 1);
    v.erase(0, v.find_first_not_of(" \t"));
    return v;
  }
  return {};
}

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::kOk: return "ok";
    case Severity::kInfo: return "info";
    case Severity::kWarn: return "warning";
    case Severity::kBlock: return "blocking";
  }
  return "?";
}

Finding check_iommu(const HostRoot& host) {
  Finding f{"iommu", Severity::kOk, "", {}, ""};
  std::vector<std::string> groups = list_dir(host.sys("kernel/iommu_groups"));
  std::vector<std::string> units = list_dir(host.sys("class/iommu"));
  std::sort(units.begin(), units.end());
  if (!groups.empty()) {
    f.summary = "IOMMU enabled: " + std::to_string(groups.size()) + " IOMMU groups";
    if (!units.empty()) {
      std::string joined;
      for (const auto& u : units) joined += (joined.empty() ? "" : ", ") + u;
      f.details.push_back("IOMMU units: " + joined);
    }
    return f;
  }
  f.severity = Severity::kBlock;
  f.summary = "no IOMMU groups: the kernel runs without an IOMMU, so VFIO cannot isolate devices";
  std::string cmdline = proc_text(host, "/proc/cmdline");
  for (const char* off : {"intel_iommu=off", "amd_iommu=off", "iommu=off"}) {
    if (has_word(cmdline, off)) f.details.push_back(std::string("the kernel command line has ") + off);
  }
  std::string vendor = cpu_vendor(host);
  if (vendor == "GenuineIntel") {
    f.remedy = "enable VT-d in the firmware setup and add intel_iommu=on to the kernel command line "
               "(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)";
  } else if (vendor == "AuthenticAMD") {
    f.remedy = "enable the IOMMU (AMD-Vi) in the firmware setup; the kernel turns it on by default "
               "unless amd_iommu=off or iommu=off is on its command line";
  } else {
    f.remedy = "enable the platform IOMMU (SMMU, etc.) in the firmware and the kernel configuration";
  }
  return f;
}

// The remapped MSI and IO-APIC chips carry an "IR-" prefix in /proc/interrupts
// (arch/x86/kernel/apic/msi.c and the IR domains of drivers/iommu/intel/irq_remapping.c and
// drivers/iommu/amd/iommu.c). Without remapping, vfio_iommu_type1 refuses to attach a group
// unless allow_unsafe_interrupts is set (drivers/vfio/vfio_iommu_type1.c, attach_group).
Finding check_interrupt_remapping(const HostRoot& host, const KmodSession& kmod) {
  Finding f{"interrupt-remapping", Severity::kOk, "", {}, ""};
  std::string interrupts = proc_text(host, "/proc/interrupts");
  bool remapped = interrupts.find("IR-") != std::string::npos;
  bool plain_msi = false;
  std::istringstream in(interrupts);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find("PCI-MSI") != std::string::npos && line.find("IR-") == std::string::npos) plain_msi = true;
  }
  const auto unsafe = module_bool_param(host, kmod, "vfio_iommu_type1", "allow_unsafe_interrupts");
  const bool unsafe_allowed = unsafe && unsafe->value;
  if (remapped) {
    f.summary = "interrupt remapping is active (IR- interrupt chips in /proc/interrupts)";
  } else if (plain_msi) {
    f.severity = unsafe_allowed ? Severity::kWarn : Severity::kBlock;
    f.summary = unsafe_allowed
                    ? "no interrupt remapping; vfio_iommu_type1 allow_unsafe_interrupts=Y" +
                          (unsafe->from.empty() ? std::string() : " (" + unsafe->from + ")") +
                          " lets a guest forge interrupts"
                    : "no interrupt remapping: vfio_iommu_type1 will refuse to attach IOMMU groups";
    f.remedy = "enable interrupt remapping (x2APIC / interrupt remapping in the firmware; do not boot "
               "with intremap=off); only on a trusted setup: vfio_iommu_type1.allow_unsafe_interrupts=1";
  } else {
    f.severity = Severity::kInfo;
    f.summary = interrupts.empty() ? "cannot read /proc/interrupts" : "no MSI interrupts in use: remapping cannot be judged";
  }
  return f;
}

// drivers/vfio/vfio_main.c (CONFIG_VFIO_NOIOMMU): the parameter exists only when the kernel
// was built with no-IOMMU support.
Finding check_noiommu_mode(const HostRoot& host) {
  Finding f{"noiommu", Severity::kOk, "vfio's unsafe no-IOMMU mode is off", {}, ""};
  if (noiommu_mode_on(host)) {
    f.severity = Severity::kWarn;
    f.summary = "vfio's unsafe no-IOMMU mode is on: devices bound without an IOMMU can DMA anywhere and taint the kernel";
    f.remedy = vfioctl_turned_noiommu_on(host)
                   ? "vfioctl turned it on for --noiommu: 'vfioctl release' of the no-IOMMU devices turns it off again"
                   : "echo N > /sys/module/vfio/parameters/enable_unsafe_noiommu_mode once no-IOMMU devices are released";
  }
  return f;
}

Finding check_vfio_modules(ModuleCatalog& modules) {
  Finding f{"vfio-modules", Severity::kOk, "", {}, ""};
  std::vector<std::string> missing, blocked;
  for (const char* m : {"vfio", "vfio_iommu_type1", "vfio_pci_core", "vfio_pci"}) {
    ModuleState s = modules.state(m);
    bool blacklisted = modules.blacklisted(m);
    std::string line = std::string(m) + ": " + std::string(to_string(s));
    if (blacklisted) line += ", blacklisted";
    f.details.push_back(line);
    if (s == ModuleState::kNotFound) missing.emplace_back(m);
    else if (blacklisted && !is_present(s)) blocked.emplace_back(m);
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  if (!missing.empty()) {
    f.severity = Severity::kBlock;
    f.summary = "vfio modules missing from this kernel's module tree: " + join(missing);
    f.remedy = "install the kernel's modules package (linux-image-*), or a kernel built with CONFIG_VFIO_PCI";
  } else if (!blocked.empty()) {
    f.severity = Severity::kBlock;
    f.summary = "vfio modules blacklisted in modprobe.d and not loaded: " + join(blocked);
    f.remedy = "remove the blacklist line from /etc/modprobe.d (modprobe --showconfig | grep blacklist shows where)";
  } else {
    f.summary = "vfio modules present (loaded, built in or loadable)";
  }
  return f;
}

// iommufd: /dev/iommu (drivers/iommu/iommufd, 6.2+). Device cdev: each vfio device's vfio-dev
// node gets a `dev` attribute only with CONFIG_VFIO_DEVICE_CDEV (drivers/vfio/device_cdev.c, 6.6+).
Finding check_vfio_interfaces(const HostRoot& host, ModuleCatalog& modules) {
  Finding f{"vfio-interfaces", Severity::kInfo, "", {}, ""};
  std::string iommufd;
  if (path_exists(host.path("/dev/iommu"))) {
    iommufd = "iommufd available (/dev/iommu)";
  } else {
    ModuleState s = modules.state("iommufd");
    iommufd = s == ModuleState::kNotFound ? "no iommufd in this kernel (before 6.2, or built without it)"
                                          : "iommufd " + std::string(to_string(s)) + ", /dev/iommu not present";
  }
  std::string cdev;
  std::vector<std::string> vfio_devs = list_dir(host.sys("class/vfio-dev"));
  bool any_cdev = std::any_of(vfio_devs.begin(), vfio_devs.end(), [&](const std::string& d) {
    return path_exists(host.sys("class/vfio-dev/" + d + "/dev"));
  });
  if (any_cdev) cdev = "vfio device cdev in use (/dev/vfio/devices/vfioN)";
  else if (!vfio_devs.empty()) cdev = "no vfio device cdev (kernel without CONFIG_VFIO_DEVICE_CDEV): the group API is used";
  else cdev = "vfio device cdev support shows once a device is bound to vfio";
  f.summary = iommufd + "; " + cdev;
  return f;
}

Finding check_dev_vfio(const HostRoot& host) {
  Finding f{"dev-vfio", Severity::kOk, "", {}, ""};
  std::string container = host.path("/dev/vfio/vfio");
  struct stat st{};
  if (::stat(container.c_str(), &st) != 0) {
    f.severity = Severity::kInfo;
    f.summary = "/dev/vfio/vfio does not exist (vfio not loaded yet, or a kernel without the legacy container)";
    return f;
  }
  f.summary = "/dev/vfio/vfio mode " + octal_mode(st.st_mode);
  if ((st.st_mode & 0666) != 0666) {
    f.severity = Severity::kWarn;
    f.summary += ": users other than root cannot open the VFIO container";
    f.remedy = "Debian's udev rules make it 0666; check /etc/udev/rules.d for a rule that changes it";
  }
  std::vector<std::string> nodes = list_dir(host.path("/dev/vfio"));
  std::sort(nodes.begin(), nodes.end());
  for (const auto& n : nodes) {
    if (n == "vfio" || n == "devices") continue;
    struct stat ns{};
    if (::stat(host.path("/dev/vfio/" + n).c_str(), &ns) != 0) continue;
    f.details.push_back("/dev/vfio/" + n + ": uid " + std::to_string(ns.st_uid) + ", gid " +
                        std::to_string(ns.st_gid) + ", mode " + octal_mode(ns.st_mode));
  }
  return f;
}

}  // namespace vfioctl
