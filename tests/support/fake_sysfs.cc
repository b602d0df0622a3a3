#include "support/fake_sysfs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "pci/pci_address.h"
#include "pci/pci_modalias.h"

namespace vfioctl::testing {

namespace fs = std::filesystem;

// ---- FakePci ---------------------------------------------------------------------------

FakePci::FakePci(FakeSysfs& owner, std::string address) : owner_(owner), address_(std::move(address)) {}

FakePci& FakePci::ids(std::uint16_t vendor, std::uint16_t device, std::uint16_t subsystem_vendor,
                      std::uint16_t subsystem_device) {
  vendor_ = vendor;
  device_ = device;
  subsystem_vendor_ = subsystem_vendor;
  subsystem_device_ = subsystem_device;
  owner_.changed();
  return *this;
}

FakePci& FakePci::cls(std::uint32_t class_code) {
  class_code_ = class_code & 0xffffff;
  owner_.changed();
  return *this;
}

FakePci& FakePci::revision(std::uint8_t revision) {
  revision_ = revision;
  owner_.changed();
  return *this;
}

FakePci& FakePci::bridge() {
  bridge_ = true;
  owner_.changed();
  return *this;
}

FakePci& FakePci::header_type(std::uint8_t type) {
  header_type_ = type;
  owner_.changed();
  return *this;
}

FakePci& FakePci::behind(std::string_view bridge_address) {
  parent_ = std::string(bridge_address);
  owner_.changed();
  return *this;
}

FakePci& FakePci::driver(std::string_view name, std::string_view module, ModuleKind kind) {
  owner_.declare_driver("pci", name, module, kind);
  driver_ = std::string(name);
  owner_.changed();
  return *this;
}

FakePci& FakePci::vfio(std::string_view name, std::string_view module) {
  driver(name, module);
  return vfio_dev();
}

FakePci& FakePci::vfio_dev(std::optional<int> number) {
  vfio_dev_ = true;
  vfio_dev_number_ = number;
  owner_.changed();
  return *this;
}

FakePci& FakePci::override_driver(std::string_view name) {
  override_ = std::string(name);
  owner_.changed();
  return *this;
}

FakePci& FakePci::group(int number) {
  group_ = number;
  owner_.changed();
  return *this;
}

FakePci& FakePci::sriov(int totalvfs, int numvfs, bool drivers_autoprobe) {
  sriov_ = Sriov{totalvfs, numvfs, drivers_autoprobe};
  owner_.changed();
  return *this;
}

FakePci& FakePci::vf_of(std::string_view pf_address) {
  physfn_ = std::string(pf_address);
  owner_.changed();
  return *this;
}

FakePci& FakePci::attr(std::string_view name, std::string_view text) {
  attr_text_[std::string(name)] = std::string(text);
  owner_.changed();
  return *this;
}

FakePci& FakePci::missing(std::string_view name) {
  missing_.insert(std::string(name));
  owner_.changed();
  return *this;
}

FakePci& FakePci::unreadable(std::string_view name) {
  unreadable_.insert(std::string(name));
  owner_.changed();
  return *this;
}

FakePci& FakePci::dangling(std::string_view name) {
  dangling_.insert(std::string(name));
  owner_.changed();
  return *this;
}

std::string FakePci::sys_path() const { return owner_.pci_path(*this); }

FakePci& FakePci::no_driver() {
  driver_.reset();
  vfio_dev_ = false;
  vfio_dev_number_.reset();
  owner_.changed();
  return *this;
}

FakePci& FakePci::no_override() {
  override_.reset();
  owner_.changed();
  return *this;
}

FakePci& FakePci::no_vfio_dev() {
  vfio_dev_ = false;
  vfio_dev_number_.reset();
  owner_.changed();
  return *this;
}

FakePci& FakePci::no_group() {
  group_.reset();
  owner_.changed();
  return *this;
}

std::uint32_t FakePci::class_code_value() const { return class_code_.value_or(bridge_ ? 0x060400 : 0x010802); }

std::uint8_t FakePci::header_type_value() const { return header_type_.value_or(bridge_ ? 1 : 0); }

std::optional<FakePci::SriovSettings> FakePci::sriov_settings() const {
  if (sriov_) return SriovSettings{sriov_->totalvfs, sriov_->numvfs, sriov_->drivers_autoprobe};
  int vfs = 0;
  for (const auto& [name, other] : owner_.pci_) vfs += other.physfn_ == address_;
  if (vfs == 0) return std::nullopt;
  return SriovSettings{vfs, vfs, true};
}

// ---- FakeOtherDevice ---------------------------------------------------------------------

FakeOtherDevice::FakeOtherDevice(FakeSysfs& owner, std::string bus, std::string name)
    : owner_(owner), bus_(std::move(bus)), name_(std::move(name)) {}

FakeOtherDevice& FakeOtherDevice::driver(std::string_view name, std::string_view module, ModuleKind kind) {
  owner_.declare_driver(bus_, name, module, module.empty() ? ModuleKind::kNone : kind);
  driver_ = std::string(name);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::no_driver() {
  driver_.reset();
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::group(int number) {
  group_ = number;
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::vfio_dev() {
  vfio_dev_ = true;
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::mdev_type(std::string_view type) {
  if (std::find(mdev_types_.begin(), mdev_types_.end(), type) == mdev_types_.end()) mdev_types_.emplace_back(type);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::mdev(std::string_view uuid, std::string_view type, int group) {
  mdev_type(type);
  mdevs_.push_back({std::string(uuid), std::string(type), group});
  return *this;
}

FakeOtherDevice& FakeOtherDevice::no_mdevs() {
  mdev_types_.clear();
  mdevs_.clear();
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::modalias(std::string_view text) {
  modalias_ = std::string(text);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::override_driver(std::string_view name) {
  override_ = std::string(name);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::no_override() {
  override_.reset();
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::no_override_attr() {
  override_attr_ = false;
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::attr(std::string_view name, std::string_view text) {
  attrs_[std::string(name)] = std::string(text);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::acpi_companion(std::string_view hid) {
  acpi_hid_ = std::string(hid);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::of_compatible(std::vector<std::string> strings) {
  compatible_ = std::move(strings);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::of_property(std::string_view name, std::string_view bytes) {
  of_properties_[std::string(name)] = std::string(bytes);
  owner_.changed();
  return *this;
}

FakeOtherDevice& FakeOtherDevice::parent(std::string_view name) {
  parent_ = std::string(name);
  owner_.changed();
  return *this;
}

std::string FakeOtherDevice::sys_path() const {
  if (parent_) {
    const auto slash = parent_->find('/');
    if (slash == std::string::npos) return owner_.other(bus_, *parent_).sys_path() + "/" + name_;
    return owner_.other(parent_->substr(0, slash), parent_->substr(slash + 1)).sys_path() + "/" + name_;
  }
  return "/sys/devices/" + bus_ + "/" + name_;
}

// ---- FakeSysfs ---------------------------------------------------------------------------

FakeSysfs::FakeSysfs(TempRoot& root) : root_(root) {}

FakePci& FakeSysfs::pci(std::string_view address) {
  auto canonical = PciAddress::parse(address);
  if (!canonical) throw std::invalid_argument("FakeSysfs::pci: not a PCI address: " + std::string(address));
  std::string name = canonical->to_string();
  auto it = pci_.find(name);
  if (it == pci_.end()) {
    it = pci_.emplace(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple(*this, name)).first;
    dirty_ = true;
  }
  return it->second;
}

FakeOtherDevice& FakeSysfs::other(std::string_view bus, std::string_view name) {
  std::string key = std::string(bus) + '/' + std::string(name);
  auto it = other_.find(key);
  if (it == other_.end()) {
    it = other_.emplace(std::piecewise_construct, std::forward_as_tuple(key),
                        std::forward_as_tuple(*this, std::string(bus), std::string(name))).first;
    dirty_ = true;
  }
  return it->second;
}

FakeSysfs& FakeSysfs::bus_driver(std::string_view bus, std::string_view name, std::string_view module,
                                 ModuleKind kind) {
  declare_driver(bus, name, module, kind);
  return *this;
}

bool FakeSysfs::has_other(std::string_view bus, std::string_view name) const {
  return other_.count(std::string(bus) + '/' + std::string(name)) != 0;
}

void FakeSysfs::remove_other(std::string_view bus, std::string_view name) {
  other_.erase(std::string(bus) + '/' + std::string(name));
  changed();
}

FakeSysfs& FakeSysfs::driver(std::string_view name, std::string_view module, ModuleKind kind) {
  declare_driver("pci", name, module, kind);
  return *this;
}

FakeSysfs& FakeSysfs::module(std::string_view name, ModuleKind kind) {
  modules_[std::string(name)] = kind;
  dirty_ = true;
  return *this;
}

FakeSysfs& FakeSysfs::drivers_autoprobe(bool on) {
  drivers_autoprobe_ = on;
  dirty_ = true;
  return *this;
}

FakeSysfs& FakeSysfs::without_iommu_groups_dir() {
  iommu_groups_dir_ = false;
  dirty_ = true;
  return *this;
}

void FakeSysfs::declare_driver(std::string_view bus, std::string_view name, std::string_view module,
                               ModuleKind kind) {
  if (module.empty()) kind = ModuleKind::kNone;
  if (kind == ModuleKind::kNone) module = {};
  std::string key = std::string(bus) + '/' + std::string(name);
  Driver wanted{std::string(bus), std::string(name), std::string(module), kind};
  auto it = drivers_.find(key);
  if (it != drivers_.end()) {
    if (it->second.module != wanted.module || it->second.kind != wanted.kind) {
      throw std::logic_error("FakeSysfs: driver " + key + " declared with two different modules");
    }
    return;
  }
  drivers_.emplace(key, std::move(wanted));
  dirty_ = true;
}

std::string FakeSysfs::pci_path(const FakePci& d, int depth) const {
  if (depth > 64) throw std::logic_error("FakeSysfs: bridge loop at " + d.address_);
  // pci_iov_add_virtfn(): virtfn->dev.parent = dev->dev.parent, so a VF is its PF's sibling.
  std::string parent = d.parent_;
  if (d.physfn_) {
    auto pf = pci_.find(*d.physfn_);
    if (pf == pci_.end()) throw std::logic_error("FakeSysfs: VF " + d.address_ + " of unknown PF " + *d.physfn_);
    std::string pf_dir = pci_path(pf->second, depth + 1);
    return pf_dir.substr(0, pf_dir.rfind('/') + 1) + d.address_;
  }
  if (!parent.empty()) {
    auto bridge = pci_.find(parent);
    if (bridge == pci_.end()) throw std::logic_error("FakeSysfs: " + d.address_ + " behind unknown bridge " + parent);
    return pci_path(bridge->second, depth + 1) + "/" + d.address_;
  }
  // The root bus directory is "pci" + domain:bus (drivers/pci/probe.c pci_register_host_bridge:
  // dev_set_name(&bridge->dev, "pci%04x:%02x", ...)).
  return "/sys/devices/pci" + d.address_.substr(0, d.address_.rfind(':')) + "/" + d.address_;
}

void FakeSysfs::link(const std::string& at, const std::string& target) {
  fs::path rel = fs::path(target).lexically_relative(fs::path(at).parent_path());
  root_.symlink(at, rel.string());
}

void FakeSysfs::attr(const FakePci& d, const std::string& dir, std::string_view name, const std::string& text) {
  if (d.missing_.count(name) || d.unreadable_.count(name) || d.dangling_.count(name)) return;
  auto custom = d.attr_text_.find(name);
  root_.write(dir + "/" + std::string(name), (custom != d.attr_text_.end() ? custom->second : text) + "\n");
}

void FakeSysfs::write_driver(const Driver& drv) {
  std::string dir = "/sys/bus/" + drv.bus + "/drivers/" + drv.name;
  // Write-only in the kernel; empty files here so their presence can be checked.
  for (const char* f : {"bind", "unbind", "uevent"}) root_.write(dir + "/" + f, "");
  if (drv.bus == "pci") {
    for (const char* f : {"new_id", "remove_id"}) root_.write(dir + "/" + f, "");
  }
  if (drv.kind == ModuleKind::kNone) return;
  std::string module_dir = "/sys/module/" + drv.module;
  link(dir + "/module", module_dir);
  link(module_dir + "/drivers/" + drv.bus + ":" + drv.name, dir);
  if (drv.kind == ModuleKind::kLoadable) root_.write(module_dir + "/initstate", "live\n");
}

void FakeSysfs::write_pci(const FakePci& d, int vfio_number) {
  const std::string dir = pci_path(d);
  root_.mkdir(dir);
  bool is_bridge = d.bridge_;
  std::uint32_t class_code = d.class_code_.value_or(is_bridge ? 0x060400 : 0x010802);
  std::uint8_t header = d.header_type_.value_or(is_bridge ? 1 : 0);
  PciIdentity id{d.vendor_, d.device_, d.subsystem_vendor_, d.subsystem_device_, class_code};
  std::string modalias = format_pci_modalias(id);

  // drivers/pci/pci-sysfs.c: pci_config_attr_simple(vendor, "0x%04x\n") and friends,
  // class_show "0x%06x\n", revision "0x%02x\n", modalias_show, driver_override_show
  // ("%s\n" of a NULL pointer prints "(null)").
  attr(d, dir, "vendor", fmt::format("0x{:04x}", d.vendor_));
  attr(d, dir, "device", fmt::format("0x{:04x}", d.device_));
  attr(d, dir, "subsystem_vendor", fmt::format("0x{:04x}", d.subsystem_vendor_));
  attr(d, dir, "subsystem_device", fmt::format("0x{:04x}", d.subsystem_device_));
  attr(d, dir, "class", fmt::format("0x{:06x}", class_code));
  attr(d, dir, "revision", fmt::format("0x{:02x}", d.revision_));
  attr(d, dir, "modalias", modalias);
  attr(d, dir, "driver_override", d.override_.value_or("(null)"));
  attr(d, dir, "numa_node", "-1");
  attr(d, dir, "enable", d.driver_ ? "1" : "0");
  std::string uevent;
  if (d.driver_) uevent += "DRIVER=" + *d.driver_ + "\n";
  uevent += fmt::format("PCI_CLASS={:X}\nPCI_ID={:04X}:{:04X}\nPCI_SUBSYS_ID={:04X}:{:04X}\nPCI_SLOT_NAME={}\nMODALIAS={}",
                        class_code, d.vendor_, d.device_, d.subsystem_vendor_, d.subsystem_device_,
                        d.address_, modalias);
  attr(d, dir, "uevent", uevent);
  for (const char* f : {"remove", "rescan"}) {
    if (!d.missing_.count(f)) root_.write(dir + "/" + f, "");
  }

  // Config space: the standard header (PCI Local Bus spec 6.1), enough of it for the header
  // type at 0x0e; 256 bytes, the size of conventional config space.
  if (!d.missing_.count("config") && !d.unreadable_.count("config") && !d.dangling_.count("config")) {
    std::string config(256, '\0');
    auto put16 = [&](std::size_t at, std::uint16_t v) {
      config[at] = static_cast<char>(v & 0xff);
      config[at + 1] = static_cast<char>(v >> 8);
    };
    put16(0x00, d.vendor_);
    put16(0x02, d.device_);
    put16(0x06, 0x0010);  // status: capabilities list
    config[0x08] = static_cast<char>(d.revision_);
    config[0x09] = static_cast<char>(class_code & 0xff);
    config[0x0a] = static_cast<char>((class_code >> 8) & 0xff);
    config[0x0b] = static_cast<char>((class_code >> 16) & 0xff);
    config[0x0e] = static_cast<char>(header);
    if ((header & 0x7f) == 0) {
      put16(0x2c, d.subsystem_vendor_);
      put16(0x2e, d.subsystem_device_);
    }
    root_.write(dir + "/config", config);
  }

  auto make_link = [&](const std::string& name, const std::string& target) {
    if (d.missing_.count(name) || d.unreadable_.count(name) || d.dangling_.count(name)) return;
    link(dir + "/" + name, target);
  };
  make_link("subsystem", "/sys/bus/pci");
  link("/sys/bus/pci/devices/" + d.address_, dir);
  if (d.driver_) {
    std::string drv_dir = "/sys/bus/pci/drivers/" + *d.driver_;
    make_link("driver", drv_dir);
    link(drv_dir + "/" + d.address_, dir);
  }
  if (d.group_) {
    std::string group_dir = "/sys/kernel/iommu_groups/" + std::to_string(*d.group_);
    make_link("iommu_group", group_dir);
    link(group_dir + "/devices/" + d.address_, dir);
    if (!fs::exists(root_.at(group_dir + "/type"))) {
      root_.write(group_dir + "/type", "DMA\n");
      root_.write(group_dir + "/reserved_regions", "");
    }
  }
  if (d.vfio_dev_) {
    // drivers/vfio/vfio_main.c: the device's vfio-dev class device, named vfio%d.
    root_.write(dir + "/vfio-dev/vfio" + std::to_string(vfio_number) + "/dev",
                "511:" + std::to_string(vfio_number) + "\n");
  }

  // SR-IOV (drivers/pci/iov.c): sriov_* attributes are visible on PFs only; a VF links to its
  // PF with physfn, the PF to each VF with virtfnN.
  if (d.physfn_) make_link("physfn", pci_path(pci_.find(*d.physfn_)->second));
  std::vector<const FakePci*> vfs;
  for (const auto& [name, other] : pci_) {
    if (other.physfn_ == d.address_) vfs.push_back(&other);
  }
  if (d.sriov_ || !vfs.empty()) {
    FakePci::Sriov s = d.sriov_.value_or(
        FakePci::Sriov{static_cast<int>(vfs.size()), static_cast<int>(vfs.size()), true});
    attr(d, dir, "sriov_totalvfs", std::to_string(s.totalvfs));
    attr(d, dir, "sriov_numvfs", std::to_string(s.numvfs));
    attr(d, dir, "sriov_drivers_autoprobe", s.drivers_autoprobe ? "1" : "0");
    attr(d, dir, "sriov_offset", "2");
    attr(d, dir, "sriov_stride", "1");
    attr(d, dir, "sriov_vf_device", fmt::format("{:x}", vfs.empty() ? d.device_ : vfs.front()->device_));
    for (std::size_t i = 0; i < vfs.size(); ++i) make_link("virtfn" + std::to_string(i), pci_path(*vfs[i]));
  }

  // Attributes given as text that the kernel layout above does not produce.
  for (const auto& [name, text] : d.attr_text_) {
    if (!fs::exists(fs::symlink_status(root_.at(dir + "/" + name)))) attr(d, dir, name, text);
  }
  for (const auto& name : d.unreadable_) {
    std::error_code ec;
    fs::remove(root_.at(dir + "/" + name), ec);
    root_.mkdir(dir + "/" + name);
  }
  for (const auto& name : d.dangling_) root_.symlink(dir + "/" + name, "../no-such-entry-" + name);
}

void FakeSysfs::write_other(const FakeOtherDevice& d) {
  const std::string dir = d.sys_path();
  if (d.override_attr_) root_.write(dir + "/driver_override", (d.override_ ? *d.override_ : "(null)") + "\n");
  if (d.modalias_) root_.write(dir + "/modalias", *d.modalias_ + "\n");
  for (const auto& [name, text] : d.attrs_) root_.write(dir + "/" + name, text + "\n");
  if (!d.compatible_.empty()) {
    std::string node = "/sys/firmware/devicetree/base/" + d.name_;
    std::string bytes;
    for (const auto& s : d.compatible_) bytes += s + '\0';
    root_.write(node + "/compatible", bytes);
    for (const auto& [name, value] : d.of_properties_) root_.write(node + "/" + name, value);
    link(dir + "/of_node", node);
  }
  if (d.acpi_hid_) {
    std::string node = "/sys/devices/LNXSYSTM:00/" + *d.acpi_hid_ + ":00";
    root_.write(node + "/hid", *d.acpi_hid_ + "\n");
    link(dir + "/firmware_node", node);
  }
  root_.write(dir + "/uevent", d.driver_ ? "DRIVER=" + *d.driver_ + "\n" : std::string());
  link(dir + "/subsystem", "/sys/bus/" + d.bus_);
  link("/sys/bus/" + d.bus_ + "/devices/" + d.name_, dir);
  if (d.driver_) {
    std::string drv_dir = "/sys/bus/" + d.bus_ + "/drivers/" + *d.driver_;
    link(dir + "/driver", drv_dir);
    link(drv_dir + "/" + d.name_, dir);
  }
  if (d.group_) {
    std::string group_dir = "/sys/kernel/iommu_groups/" + std::to_string(*d.group_);
    link(dir + "/iommu_group", group_dir);
    link(group_dir + "/devices/" + d.name_, dir);
  }
  if (d.vfio_dev_) root_.mkdir(dir + "/vfio-dev/vfio900");
  for (const auto& type : d.mdev_types_) {
    const std::string t = dir + "/mdev_supported_types/" + type;
    root_.write(t + "/create", "");
    root_.write(t + "/available_instances", "1\n");
    root_.write(t + "/device_api", "vfio-ccw\n");
  }
  for (const auto& m : d.mdevs_) {
    const std::string mdir = dir + "/" + m.uuid;
    root_.write(mdir + "/remove", "");
    link(mdir + "/mdev_type", dir + "/mdev_supported_types/" + m.type);
    link(mdir + "/subsystem", "/sys/bus/mdev");
    link("/sys/bus/mdev/devices/" + m.uuid, mdir);
    const std::string group_dir = "/sys/kernel/iommu_groups/" + std::to_string(m.group);
    link(mdir + "/iommu_group", group_dir);
    link(group_dir + "/devices/" + m.uuid, mdir);
  }
}

void FakeSysfs::write() {
  if (!dirty_) return;
  std::error_code ec;
  fs::remove_all(root_.at("/sys"), ec);

  // /sys/bus/pci itself (drivers/pci/pci-driver.c bus attributes, drivers/base/bus.c
  // drivers_probe/drivers_autoprobe/uevent, pci-sysfs.c rescan and resource_alignment).
  root_.mkdir("/sys/bus/pci/devices");
  root_.mkdir("/sys/bus/pci/drivers");
  root_.mkdir("/sys/bus/pci/slots");
  root_.write("/sys/bus/pci/drivers_probe", "");
  root_.write("/sys/bus/pci/drivers_autoprobe", drivers_autoprobe_ ? "1\n" : "0\n");
  root_.write("/sys/bus/pci/rescan", "");
  root_.write("/sys/bus/pci/uevent", "");
  root_.write("/sys/bus/pci/resource_alignment", "\n");
  root_.mkdir("/sys/module");
  root_.mkdir("/sys/devices");
  if (iommu_groups_dir_) root_.mkdir("/sys/kernel/iommu_groups");
  else root_.mkdir("/sys/kernel");

  for (const auto& [name, kind] : modules_) {
    root_.mkdir("/sys/module/" + name);
    if (kind == ModuleKind::kLoadable) root_.write("/sys/module/" + name + "/initstate", "live\n");
  }
  for (const auto& [key, drv] : drivers_) write_driver(drv);

  std::set<int> used;
  for (const auto& [name, d] : pci_) {
    if (d.vfio_dev_ && d.vfio_dev_number_) used.insert(*d.vfio_dev_number_);
  }
  int next = 0;
  for (const auto& [name, d] : pci_) {
    int number = -1;
    if (d.vfio_dev_) {
      if (d.vfio_dev_number_) {
        number = *d.vfio_dev_number_;
      } else {
        while (used.count(next)) ++next;
        number = next;
        used.insert(next);
      }
    }
    write_pci(d, number);
  }
  for (const auto& [key, d] : other_) write_other(d);
  for (const auto& [path, text] : extra_files_) root_.write(path, text);
  for (const auto& [path, target] : extra_links_) link(path, target);
  dirty_ = false;
}

std::vector<std::string> FakeSysfs::pci_addresses() const {
  std::vector<std::string> out;
  for (const auto& [name, d] : pci_) out.push_back(name);
  return out;
}

const FakePci& FakeSysfs::pci_at(std::string_view address) const {
  auto it = pci_.find(address);
  if (it == pci_.end()) throw std::out_of_range("FakeSysfs: no device " + std::string(address));
  return it->second;
}

void FakeSysfs::remove_pci(std::string_view address) {
  auto it = pci_.find(address);
  if (it == pci_.end()) throw std::out_of_range("FakeSysfs: no device " + std::string(address));
  for (const auto& [name, d] : pci_) {
    if (d.physfn_ == it->first) throw std::logic_error("FakeSysfs: remove the VFs of " + name + " first");
    if (d.parent_ == it->first) throw std::logic_error("FakeSysfs: " + name + " is behind " + it->first);
  }
  pci_.erase(it);
  dirty_ = true;
}

FakeSysfs& FakeSysfs::file(std::string_view path, std::string_view text) {
  extra_files_[std::string(path)] = std::string(text);
  dirty_ = true;
  return *this;
}

FakeSysfs& FakeSysfs::remove_file(std::string_view path) {
  if (auto it = extra_files_.find(path); it != extra_files_.end()) extra_files_.erase(it);
  dirty_ = true;
  return *this;
}

FakeSysfs& FakeSysfs::symlink(std::string_view path, std::string_view target) {
  extra_links_[std::string(path)] = std::string(target);
  dirty_ = true;
  return *this;
}

void FakeSysfs::unregister_driver(std::string_view name) {
  for (const auto& [address, d] : pci_) {
    if (d.driver_ == name) throw std::logic_error("FakeSysfs: " + address + " is still bound to " + std::string(name));
  }
  drivers_.erase("pci/" + std::string(name));
  dirty_ = true;
}

void FakeSysfs::remove_module(std::string_view name) {
  if (auto it = modules_.find(name); it != modules_.end()) modules_.erase(it);
  dirty_ = true;
}

HostRoot FakeSysfs::host(std::string kernel_release) {
  write();
  return HostRoot(root_.path(), std::move(kernel_release));
}

}  // namespace vfioctl::testing
