#include "report/status_json_text.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "host/parallel.h"
#include "report/status_report.h"

namespace vfioctl {

namespace {

// nlohmann's dump(2) layout: "{", then each member on its own line indented two more than the
// object, separated by ",", then the closing brace at the object's indentation; "{}" when
// empty. Members must be written in key order (nlohmann's objects are std::map): the writers
// below do so by hand, and status_json_text_test.cc compares them with the tree.
class ObjectText {
 public:
  ObjectText(std::string& out, int indent) : out_(out), indent_(indent) { out_ += '{'; }
  std::string& key(std::string_view name) {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_.append(static_cast<std::size_t>(indent_ + 2), ' ');
    out_ += '"';
    out_ += name;  // keys are identifiers: nothing to escape
    out_ += "\": ";
    return out_;
  }
  int member_indent() const { return indent_ + 2; }
  void close() {
    if (!first_) {
      out_ += '\n';
      out_.append(static_cast<std::size_t>(indent_), ' ');
    }
    out_ += '}';
  }

 private:
  std::string& out_;
  int indent_;
  bool first_ = true;
};

// Printable ASCII without '"' and '\' is copied; anything else goes through nlohmann, which
// escapes control characters, passes valid UTF-8 through and throws on invalid UTF-8.
void append_string(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (!plain) {
    out += nlohmann::json(std::string(s)).dump();
    return;
  }
  out += '"';
  out += s;
  out += '"';
}

void append_int(std::string& out, long long v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_bool(std::string& out, bool v) { out += v ? "true" : "false"; }

void append_optional(std::string& out, const std::optional<std::string>& s) {
  if (s) append_string(out, *s);
  else out += "null";
}
void append_optional(std::string& out, const std::optional<int>& v) {
  if (v) append_int(out, *v);
  else out += "null";
}
void append_optional(std::string& out, const std::optional<bool>& v) {
  if (v) append_bool(out, *v);
  else out += "null";
}

// dump(2)'s array layout: "[]" when empty, else one element a line, indented two more than the
// array; append_element(out, item, element_indent) writes each.
template <typename T, typename Append>
void append_array(std::string& out, const std::vector<T>& items, int indent, Append append_element) {
  if (items.empty()) {
    out += "[]";
    return;
  }
  out += "[\n";
  for (std::size_t i = 0; i < items.size(); ++i) {
    out.append(static_cast<std::size_t>(indent + 2), ' ');
    append_element(out, items[i], indent + 2);
    out += i + 1 < items.size() ? ",\n" : "\n";
  }
  out.append(static_cast<std::size_t>(indent), ' ');
  out += ']';
}

void append_strings(std::string& out, const std::vector<std::string>& items, int indent) {
  append_array(out, items, indent, [](std::string& o, const std::string& s, int) { append_string(o, s); });
}

void append_hex(std::string& out, unsigned value, int digits) {
  fmt::format_to(std::back_inserter(out), "\"{:0{}x}\"", value, digits);
}

// candidate_json()
void append_candidate(std::string& out, const Candidate& c, int indent) {
  ObjectText o(out, indent);
  append_string(o.key("alias"), c.alias);
  append_bool(o.key("blacklisted"), c.blacklisted);
  if (c.drivers.empty()) o.key("driver") += "null";
  else append_string(o.key("driver"), c.drivers.front());
  if (c.drivers.empty()) {
    append_string(o.key("driver_note"), is_present(c.state) ? "the module registered no driver on this bus"
                                                            : "driver name known after load");
  }
  if (c.drivers.size() > 1) append_strings(o.key("drivers"), c.drivers, o.member_indent());
  append_optional(o.key("excluded"), c.excluded);
  append_int(o.key("fields"), c.specificity.fields);
  append_int(o.key("literal_chars"), c.specificity.literal_chars);
  append_string(o.key("module"), c.module);
  if (c.rank == 0) o.key("rank") += "null";
  else append_int(o.key("rank"), c.rank);
  append_int(o.key("score"), c.score);
  append_string(o.key("source"), to_string(c.source));
  append_string(o.key("state"), reported_state(c));
  append_int(o.key("wildcard_fields"), c.specificity.wildcard_fields);
  o.close();
}

void append_sriov(std::string& out, const SriovInfo& s, int indent) {
  ObjectText o(out, indent);
  append_optional(o.key("drivers_autoprobe"), s.drivers_autoprobe);
  append_optional(o.key("numvfs"), s.numvfs);
  append_optional(o.key("physfn"), s.physfn);
  o.key("role") += s.is_vf ? "\"vf\"" : s.is_pf() ? "\"pf\"" : "null";
  append_optional(o.key("totalvfs"), s.totalvfs);
  o.close();
}

// The "mdevs" array of device_status_json().
void append_mdevs(std::string& out, const std::vector<MediatedDevice>& mdevs, int indent) {
  append_array(out, mdevs, indent, [](std::string& text, const MediatedDevice& m, int element_indent) {
    ObjectText o(text, element_indent);
    append_optional(o.key("iommu_group"), m.iommu_group);
    append_optional(o.key("type"), m.type);
    append_string(o.key("uuid"), m.uuid);
    o.close();
  });
}

// device_status_json()
void append_device(std::string& out, const DeviceReport& r, int indent) {
  const Device& d = r.device;
  const auto* id = d.pci ? &*d.pci : nullptr;
  auto hex_or_null = [&](std::string& o, unsigned value, int digits) {
    if (id) append_hex(o, value, digits);
    else o += "null";
  };
  ObjectText o(out, indent);
  append_string(o.key("address"), d.name);
  append_bool(o.key("assignable"), !d.not_assignable.has_value());
  append_string(o.key("bus"), d.bus);
  hex_or_null(o.key("class"), id ? id->class_code : 0, 6);
  hex_or_null(o.key("device"), id ? id->device : 0, 4);
  append_optional(o.key("driver"), d.driver);
  append_optional(o.key("driver_module"), d.driver_module);
  append_optional(o.key("driver_override"), d.driver_override);
  append_optional(o.key("group_viable"), r.group_viable);
  append_optional(o.key("iommu_group"), d.iommu_group);
  append_bool(o.key("is_vfio"), r.is_vfio);
  if (r.through_mdev) append_mdevs(o.key("mdevs"), d.mdevs, o.member_indent());
  append_optional(o.key("modalias"), d.modalias);
  append_optional(o.key("not_assignable_reason"), d.not_assignable);
  append_sriov(o.key("sriov"), d.sriov, o.member_indent());
  hex_or_null(o.key("subsystem_device"), id ? id->subsystem_device : 0, 4);
  hex_or_null(o.key("subsystem_vendor"), id ? id->subsystem_vendor : 0, 4);
  hex_or_null(o.key("vendor"), id ? id->vendor : 0, 4);
  append_optional(o.key("vfio_dev"), d.vfio_dev);
  if (const Candidate* best = r.best()) append_candidate(o.key("vfio_driver"), *best, o.member_indent());
  else o.key("vfio_driver") += "null";
  append_strings(o.key("warnings"), d.warnings, o.member_indent());
  o.close();
}

std::string document_text(const Snapshot& snapshot, const HostRoot& host) {
  // Devices are independent; at thousands of devices, two threads halve the wall time.
  constexpr int kDeviceIndent = 4;  // { "devices": [ <device>
  std::vector<std::string> devices(snapshot.devices.size());
  parallel_for(devices.size(), 1024, [&](std::size_t i) {
    devices[i].reserve(1536);
    append_device(devices[i], snapshot.devices[i], kDeviceIndent);
  });
  std::size_t size = 256;
  for (const auto& t : devices) size += t.size() + kDeviceIndent + 2;
  std::string out;
  out.reserve(size);
  ObjectText top(out, 0);
  std::string& array = top.key("devices");
  if (devices.empty()) {
    array += "[]";
  } else {
    array += "[\n";
    for (std::size_t i = 0; i < devices.size(); ++i) {
      array.append(kDeviceIndent, ' ');
      array += devices[i];
      array += i + 1 < devices.size() ? ",\n" : "\n";
    }
    array.append(kDeviceIndent - 2, ' ');
    array += ']';
  }
  append_bool(top.key("iommu_present"), snapshot.iommu_present);
  append_string(top.key("kernel_release"), host.kernel_release());
  append_strings(top.key("warnings"), snapshot.warnings, top.member_indent());
  top.close();
  return out;
}

}  // namespace

std::string status_json_text(const Snapshot& snapshot, const HostRoot& host) {
  try {
    return document_text(snapshot, host);
  } catch (const nlohmann::json::exception&) {
    // A string that is not UTF-8. Which one nlohmann names first depends on document order,
    // which the threads above do not keep: let the tree report it, exactly as before.
    return status_json(snapshot, host).dump(2);
  }
}

}  // namespace vfioctl
