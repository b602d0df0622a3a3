#include "support/sysfs_snapshot.h"

#include <stdexcept>

namespace vfioctl::testing {

using nlohmann::json;

namespace {

unsigned long hex_attr(const json& attrs, const char* name, unsigned long fallback) {
  if (!attrs.contains(name) || !attrs[name].is_string()) return fallback;
  return std::stoul(attrs[name].get<std::string>(), nullptr, 16);
}

// The address of the bridge a device sits under: the path component before its own, when that
// component is a PCI device and not the root bus ("pci0000:00").
std::string parent_from_real_path(const std::string& real_path) {
  auto last = real_path.rfind('/');
  if (last == std::string::npos || last == 0) return {};
  auto before = real_path.rfind('/', last - 1);
  std::string parent = real_path.substr(before + 1, last - before - 1);
  return parent.rfind("pci", 0) == 0 ? std::string() : parent;
}

const json* find_driver(const json& doc, const std::string& name) {
  for (const auto& d : doc["drivers"]) {
    if (d["name"] == name) return &d;
  }
  return nullptr;
}

std::string module_of(const json* driver) {
  if (!driver || !(*driver)["module"].is_object()) return {};
  return (*driver)["module"]["name"].get<std::string>();
}

}  // namespace

json load_sysfs_snapshot(FakeSysfs& sysfs, const std::string& path) {
  json doc = json::parse(read_data_file(path));
  if (doc.value("schema", "") != "pci-sysfs-snapshot/1") {
    throw std::runtime_error(path + ": not a pci-sysfs-snapshot/1 document");
  }
  sysfs.drivers_autoprobe(doc["bus"].value("drivers_autoprobe", "1") != "0");
  if (doc["iommu_groups"].is_null()) sysfs.without_iommu_groups_dir();

  // Devices first without their VF/bridge relations, so that every address exists when the
  // relations are added.
  for (const auto& dev : doc["devices"]) {
    FakePci& d = sysfs.pci(dev["address"].get<std::string>());
    const json& attrs = dev["attrs"];
    d.ids(static_cast<std::uint16_t>(hex_attr(attrs, "vendor", 0xffff)),
          static_cast<std::uint16_t>(hex_attr(attrs, "device", 0xffff)),
          static_cast<std::uint16_t>(hex_attr(attrs, "subsystem_vendor", 0)),
          static_cast<std::uint16_t>(hex_attr(attrs, "subsystem_device", 0)));
    auto class_code = static_cast<std::uint32_t>(hex_attr(attrs, "class", 0xff0000));
    d.cls(class_code).revision(static_cast<std::uint8_t>(hex_attr(attrs, "revision", 0)));
    std::uint32_t cls16 = class_code >> 8;
    if (cls16 == 0x0604 || cls16 == 0x0609) d.header_type(1);
    else if (cls16 == 0x0607) d.header_type(2);
    else d.header_type(0);
    for (const auto& [name, value] : attrs.items()) {
      if (value.is_null()) d.missing(name);
      else if (value.is_object()) d.unreadable(name);
      else d.attr(name, value.get<std::string>());
    }
    if (dev["driver"].is_object()) {
      std::string driver = dev["driver"]["name"].get<std::string>();
      std::string module = module_of(find_driver(doc, driver));
      d.driver(driver, module, module.empty() ? ModuleKind::kNone : ModuleKind::kLoadable);
    }
    if (dev["iommu_group"].is_object()) d.group(std::stoi(dev["iommu_group"]["name"].get<std::string>()));
    if (dev["sriov"].is_object()) {
      const json& s = dev["sriov"];
      auto num = [&](const char* key, int fallback) {
        return s.contains(key) && s[key].is_string() ? std::stoi(s[key].get<std::string>()) : fallback;
      };
      d.sriov(num("sriov_totalvfs", 0), num("sriov_numvfs", 0), num("sriov_drivers_autoprobe", 1) != 0);
    }
  }
  for (const auto& dev : doc["devices"]) {
    FakePci& d = sysfs.pci(dev["address"].get<std::string>());
    if (dev["physfn"].is_object()) {
      d.vf_of(dev["physfn"]["name"].get<std::string>());
    } else {
      std::string parent = parent_from_real_path(dev["real_path"].get<std::string>());
      if (!parent.empty()) d.behind(parent);
    }
  }
  for (const auto& drv : doc["drivers"]) {
    std::string module = module_of(&drv);
    sysfs.driver(drv["name"].get<std::string>(), module, module.empty() ? ModuleKind::kNone : ModuleKind::kLoadable);
  }
  return doc;
}

}  // namespace vfioctl::testing
