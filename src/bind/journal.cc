#include "bind/journal.h"

#include <unistd.h>

#include <ctime>

#include "host/file_io.h"

namespace vfioctl {

using nlohmann::json;

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
  return journal;
}

void JournalStore::remove() const { ::unlink(path_.c_str()); }

}  // namespace vfioctl
