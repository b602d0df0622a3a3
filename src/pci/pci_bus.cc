#include "pci/pci_bus.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "bus/sysfs_device.h"
#include "host/file_io.h"
#include "host/parallel.h"
#include "pci/pci_address.h"

namespace vfioctl {

namespace {

constexpr std::string_view kPciFields[] = {"v", "d", "sv", "sd", "bc", "sc", "i"};

// Reads an optional integer attribute; a present but unreadable or malformed one is a warning.
std::optional<int> read_int_attr(const Dir& dev, const char* attr, Device& d) {
  ReadResult r = read_attr(dev, attr);
  if (r.missing()) return std::nullopt;
  if (!r.ok()) {
    d.warnings.push_back(std::string(attr) + ": " + errno_text(r.error));
    return std::nullopt;
  }
  auto v = parse_decimal(r.value);
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

// The identity from the separate attributes, for when the modalias cannot be used. They show
// the same pci_dev fields as the modalias (drivers/pci/pci-sysfs.c: vendor/device/
// subsystem_vendor/subsystem_device "0x%04x", class "0x%06x"). nullopt, with a warning, when
// any of them is unusable too.
std::optional<PciIdentity> identity_from_attributes(const Dir& dev, Device& d) {
  constexpr const char* kNames[] = {"vendor", "device", "subsystem_vendor", "subsystem_device", "class"};
  constexpr std::uint32_t kMax[] = {0xffff, 0xffff, 0xffff, 0xffff, 0xffffff};
  std::uint32_t values[5] = {};
  for (std::size_t i = 0; i < 5; ++i) {
    ReadResult r = read_attr(dev, kNames[i]);
    if (!r.ok()) {
      d.warnings.push_back(std::string(kNames[i]) + ": " + errno_text(r.error));
      return std::nullopt;
    }
    std::string_view text = r.value;
    if (text.substr(0, 2) == "0x") text.remove_prefix(2);
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), values[i], 16);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || values[i] > kMax[i]) {
      d.warnings.push_back(std::string(kNames[i]) + ": unexpected value '" + r.value + "'");
      return std::nullopt;
    }
  }
  return PciIdentity{static_cast<std::uint16_t>(values[0]), static_cast<std::uint16_t>(values[1]),
                     static_cast<std::uint16_t>(values[2]), static_cast<std::uint16_t>(values[3]), values[4]};
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
  if (!d.pci) d.pci = identity_from_attributes(dev, d);

  read_binding_attributes(dev, d);

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
  // Natural PCI order (domain, bus, device, function); names the kernel would never produce
  // sort after the valid ones, by text. Each name is parsed once, not once per comparison.
  std::vector<std::pair<std::optional<PciAddress>, std::string>> keyed;
  for (auto& name : list_dir(host.sys("bus/pci/devices"))) {
    auto address = PciAddress::parse(name);
    keyed.emplace_back(address, std::move(name));
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    const auto& [pa, na] = a;
    const auto& [pb, nb] = b;
    if (pa && pb) return *pa < *pb;
    if (pa.has_value() != pb.has_value()) return pa.has_value();
    return na < nb;
  });
  std::vector<std::string> names;
  names.reserve(keyed.size());
  for (auto& k : keyed) names.push_back(std::move(k.second));
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
  Dir devices = Dir::open(host.sys("bus/pci/devices"));
  if (!devices.valid()) return out;
  // Devices are independent: read them on a few threads, each into its own slot, so the
  // result keeps the order of `names`. 512 devices per thread at least (a thread costs about
  // what reading 10 devices does).
  std::vector<std::optional<Device>> slots(names.size());
  parallel_for(names.size(), 512, [&](std::size_t i) {
    Dir dev = Dir::open_at(devices, names[i].c_str());
    if (dev.valid()) slots[i] = read_device(dev, names[i]);  // else removed since listing
  });
  out.reserve(names.size());
  for (auto& slot : slots) {
    if (slot) out.push_back(std::move(*slot));
  }
  return out;
}

std::optional<std::string> PciBus::vfio_alias_key(const Device& device) const {
  if (!device.pci) return std::nullopt;
  if (device.modalias && parse_pci_modalias(*device.modalias) == device.pci) return "vfio_" + *device.modalias;
  // The modalias was unreadable and the identity came from the other attributes: the key is
  // what modalias_show() would have printed for it.
  return "vfio_" + format_pci_modalias(*device.pci);
}

}  // namespace vfioctl
