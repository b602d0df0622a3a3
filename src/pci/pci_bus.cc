#include "pci/pci_bus.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "host/file_io.h"
#include "pci/pci_address.h"

namespace vfioctl {

namespace {

constexpr std::string_view kPciFields[] = {"v", "d", "sv", "sd", "bc", "sc", "i"};

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads an optional integer attribute; a present but unreadable or malformed one is a warning.
std::optional<int> read_int_attr(const Dir& dev, const char* attr, Device& d) {
  ReadResult r = read_attr(dev, attr);
  if (r.missing()) return std::nullopt;
  if (!r.ok()) {
    d.warnings.push_back(std::string(attr) + ": " + errno_text(r.error));
    return std::nullopt;
  }
  auto v = parse_int(r.value);
  if (!v) d.warnings.push_back(std::string(attr) + ": unexpected value '" + r.value + "'");
  return v;
}

// vfio_pci_core_register_device() refuses any header type but PCI_HEADER_TYPE_NORMAL. The
// header type is config byte 0x0e (bit 7 is the multi-function flag). Only bridge-class
// devices are checked, so listing thousands of endpoints costs no config reads.
void check_assignable(const Dir& dev, Device& d) {
  if (!d.pci || d.pci->base_class() != 0x06) return;
  std::uint8_t sub = d.pci->sub_class();
  std::optional<int> header_type;
  int fd = ::openat(dev.fd(), "config", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    unsigned char byte = 0;
    if (::pread(fd, &byte, 1, 0x0e) == 1) header_type = byte & 0x7f;
    ::close(fd);
  }
  if (header_type) {
    if (*header_type != 0) {
      d.not_assignable = "bridge (PCI header type " + std::to_string(*header_type) +
                         "): vfio-pci only takes type 0 endpoints";
    }
  } else if (sub == 0x04 || sub == 0x07 || sub == 0x09) {
    d.not_assignable = "bridge (class 06" + std::string(sub == 0x04 ? "04" : sub == 0x07 ? "07" : "09") +
                       "): vfio-pci only takes type 0 endpoints";
  }
}

Device read_device(const Dir& dev, const std::string& name) {
  Device d;
  d.bus = "pci";
  d.name = name;

  ReadResult modalias = read_attr(dev, "modalias");
  if (modalias.ok()) {
    d.modalias = modalias.value;
    d.pci = parse_pci_modalias(modalias.value);
    if (!d.pci) d.warnings.push_back("modalias: unexpected value '" + modalias.value + "'");
  } else {
    d.warnings.push_back("modalias: " + errno_text(modalias.error));
  }

  ReadResult driver = read_link(dev, "driver");
  if (driver.ok()) {
    d.driver = std::string(last_component(driver.value));
  } else if (!driver.missing()) {
    d.warnings.push_back("driver: " + errno_text(driver.error));
  }

  ReadResult override_attr = read_attr(dev, "driver_override");
  if (override_attr.ok()) {
    d.has_driver_override_attr = true;
    // The kernel prints "(null)" for an unset override (sprintf of a NULL pointer); an empty
    // value can only be a fixture, and means the same.
    if (override_attr.value != "(null)" && !override_attr.value.empty()) {
      d.driver_override = override_attr.value;
    }
  } else if (!override_attr.missing()) {
    d.has_driver_override_attr = true;
    d.warnings.push_back("driver_override: " + errno_text(override_attr.error));
  }

  ReadResult group = read_link(dev, "iommu_group");
  if (group.ok()) {
    auto g = parse_int(last_component(group.value));
    if (g) d.iommu_group = *g;
    else d.warnings.push_back("iommu_group: unexpected link '" + group.value + "'");
  } else if (!group.missing()) {
    d.warnings.push_back("iommu_group: " + errno_text(group.error));
  }

  ReadResult physfn = read_link(dev, "physfn");
  if (physfn.ok()) {
    d.sriov.is_vf = true;
    d.sriov.physfn = std::string(last_component(physfn.value));
  }
  d.sriov.totalvfs = read_int_attr(dev, "sriov_totalvfs", d);
  if (d.sriov.totalvfs) {
    d.sriov.numvfs = read_int_attr(dev, "sriov_numvfs", d);
    if (auto ap = read_int_attr(dev, "sriov_drivers_autoprobe", d)) d.sriov.drivers_autoprobe = *ap != 0;
  }

  // Since Linux 6.1 (vfio device cdev groundwork) every device bound to vfio-pci or a variant
  // has vfio-dev/vfioN. Only bound devices can have it.
  if (d.driver) {
    int error = 0;
    auto names = list_dir_at(dev, "vfio-dev", &error);
    std::sort(names.begin(), names.end());
    if (!names.empty()) d.vfio_dev = names.front();
  }

  check_assignable(dev, d);
  return d;
}

}  // namespace

std::span<const std::string_view> PciBus::modalias_fields() const { return kPciFields; }

std::optional<std::string> PciBus::canonical_name(std::string_view user_text) const {
  auto address = PciAddress::parse(user_text);
  if (!address) return std::nullopt;
  return address->to_string();
}

std::vector<std::string> PciBus::list(const HostRoot& host) const {
  auto names = list_dir(host.sys("bus/pci/devices"));
  // Natural PCI order (domain, bus, device, function); names the kernel would never produce
  // sort after the valid ones, by text.
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    auto pa = PciAddress::parse(a), pb = PciAddress::parse(b);
    if (pa && pb) return *pa < *pb;
    if (pa != pb && (pa || pb)) return pa.has_value();
    return a < b;
  });
  return names;
}

std::optional<Device> PciBus::read(const HostRoot& host, const std::string& name) const {
  Dir devices = Dir::open(host.sys("bus/pci/devices"));
  Dir dev = Dir::open_at(devices, name.c_str());
  if (!dev.valid()) return std::nullopt;
  return read_device(dev, name);
}

std::vector<Device> PciBus::read_many(const HostRoot& host, const std::vector<std::string>& names) const {
  std::vector<Device> out;
  out.reserve(names.size());
  Dir devices = Dir::open(host.sys("bus/pci/devices"));
  if (!devices.valid()) return out;
  for (const auto& name : names) {
    Dir dev = Dir::open_at(devices, name.c_str());
    if (!dev.valid()) continue;  // removed since listing (hot-unplug, VF teardown)
    out.push_back(read_device(dev, name));
  }
  return out;
}

std::optional<std::string> PciBus::vfio_alias_key(const Device& device) const {
  if (!device.modalias || !device.pci) return std::nullopt;
  return "vfio_" + *device.modalias;
}

}  // namespace vfioctl
