#include "bind/journal.h"

#include <unistd.h>

#include <ctime>

#include "host/file_io.h"

namespace vfioctl {

using nlohmann::json;

namespace {

// Read strictly: recover writes these to the kernel, so a journal that names another file or a
// bit out of range is refused as a whole rather than half used.
bool parse_ap_edits(const json& edits, std::vector<JournalApEdit>& out) {
  if (!edits.is_array()) return false;
  for (const auto& e : edits) {
    if (!e.is_object() || !e.contains("mask") || !e["mask"].is_string() || !e.contains("bits") ||
        !e["bits"].is_array() || e["bits"].empty() || !e.contains("cleared") || !e["cleared"].is_boolean()) {
      return false;
    }
    JournalApEdit edit;
    edit.mask = e["mask"].get<std::string>();
    edit.cleared = e["cleared"].get<bool>();
    if (edit.mask != "apmask" && edit.mask != "aqmask") return false;
    for (const auto& b : e["bits"]) {
      if (!b.is_number_integer() || b.get<long>() < 0 || b.get<long>() > 255) return false;
      edit.bits.push_back(b.get<int>());
    }
    out.push_back(std::move(edit));
  }
  return true;
}

}  // namespace

std::string utc_now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

JournalStore::JournalStore(const StateDir& dir) : path_(dir.file("journal.json")) {}

bool JournalStore::write(const Journal& journal, std::string* error) const {
  json devices = json::array();
  for (const auto& d : journal.devices) {
    devices.push_back({{"bus", d.bus}, {"name", d.name}, {"original", to_json(d.original)}});
  }
  json j{{"version", 1},
         {"operation", journal.operation},
         {"pid", journal.pid},
         {"started", journal.started},
         {"devices", devices}};
  if (journal.sriov_pf) {
    j["sriov"] = {{"pf", *journal.sriov_pf},
                  {"drivers_autoprobe", journal.sriov_autoprobe ? json(*journal.sriov_autoprobe) : json(nullptr)},
                  {"numvfs", journal.sriov_numvfs ? json(*journal.sriov_numvfs) : json(nullptr)}};
  }
  if (!journal.ap_edits.empty()) {
    json edits = json::array();
    for (const auto& e : journal.ap_edits) edits.push_back({{"mask", e.mask}, {"bits", e.bits}, {"cleared", e.cleared}});
    j["ap_masks"] = edits;
  }
  return write_file_atomically(path_, j.dump(2) + "\n", error);
}

std::optional<Journal> JournalStore::read(std::string* error) const {
  ReadResult r = read_file(path_);
  if (!r.ok()) {
    if (!r.missing() && error) *error = path_ + ": " + errno_text(r.error);
    return std::nullopt;
  }
  json j = json::parse(r.value, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1 || !j.contains("devices") ||
      !j["devices"].is_array()) {
    if (error) *error = path_ + ": not a vfioctl journal (version 1); move it away to continue";
    return std::nullopt;
  }
  Journal journal;
  journal.operation = j.value("operation", "");
  journal.pid = j.value("pid", 0L);
  journal.started = j.value("started", "");
  for (const auto& d : j["devices"]) {
    if (!d.is_object() || !d.contains("original")) continue;
    journal.devices.push_back(
        JournalDevice{d.value("bus", "pci"), d.value("name", ""), binding_state_from_json(d["original"])});
  }
  if (j.contains("sriov") && j["sriov"].is_object()) {
    const json& s = j["sriov"];
    if (s.contains("pf") && s["pf"].is_string()) journal.sriov_pf = s["pf"].get<std::string>();
    if (s.contains("drivers_autoprobe") && s["drivers_autoprobe"].is_number_integer()) {
      journal.sriov_autoprobe = s["drivers_autoprobe"].get<int>();
    }
    if (s.contains("numvfs") && s["numvfs"].is_number_integer()) journal.sriov_numvfs = s["numvfs"].get<int>();
  }
  if (j.contains("ap_masks") && !parse_ap_edits(j["ap_masks"], journal.ap_edits)) {
    if (error) *error = path_ + ": its AP mask entries are not valid; move it away to continue";
    return std::nullopt;
  }
  return journal;
}

void JournalStore::remove() const { ::unlink(path_.c_str()); }

}  // namespace vfioctl
