#include "bind/ownership.h"

#include <unistd.h>

#include <filesystem>

#include "host/file_io.h"

namespace vfioctl {

using nlohmann::json;

OwnershipStore::OwnershipStore(const StateDir& dir) : dir_(dir.file("bound")) {}

std::string OwnershipStore::file(const std::string& bus, const std::string& name) const {
  return dir_ + "/" + bus + "/" + name + ".json";
}

bool OwnershipStore::put(const OwnershipRecord& r, std::string* error) const {
  std::error_code ec;
  std::filesystem::create_directories(dir_ + "/" + r.bus, ec);
  json j{{"version", 1},
         {"bus", r.bus},
         {"name", r.name},
         {"original", to_json(r.original)},
         {"driver", r.driver},
         {"module", r.module},
         {"bound_at", r.bound_at},
         {"owner", r.owner ? json(*r.owner) : json(nullptr)}};
  if (r.ap_mask) {
    j["ap_mask"] = *r.ap_mask;
    j["ap_bits"] = r.ap_bits;
  }
  return write_file_atomically(file(r.bus, r.name), j.dump(2) + "\n", error);
}

std::optional<OwnershipRecord> OwnershipStore::get(const std::string& bus, const std::string& name) const {
  ReadResult r = read_file(file(bus, name));
  if (!r.ok()) return std::nullopt;
  json j = json::parse(r.value, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("original")) return std::nullopt;
  OwnershipRecord rec;
  rec.bus = j.value("bus", bus);
  rec.name = j.value("name", name);
  rec.original = binding_state_from_json(j["original"]);
  rec.driver = j.value("driver", "");
  rec.module = j.value("module", "");
  rec.bound_at = j.value("bound_at", "");
  if (j.contains("owner") && j["owner"].is_string()) rec.owner = j["owner"].get<std::string>();
  if (j.contains("ap_mask") && j["ap_mask"].is_string() && j.contains("ap_bits") && j["ap_bits"].is_array()) {
    rec.ap_mask = j["ap_mask"].get<std::string>();
    for (const auto& b : j["ap_bits"]) {
      if (b.is_number_integer()) rec.ap_bits.push_back(b.get<int>());
    }
  }
  return rec;
}

void OwnershipStore::remove(const std::string& bus, const std::string& name) const {
  ::unlink(file(bus, name).c_str());
}

std::vector<OwnershipRecord> OwnershipStore::list() const {
  std::vector<OwnershipRecord> out;
  for (const auto& bus : list_dir(dir_)) {
    for (const auto& f : list_dir(dir_ + "/" + bus)) {
      if (f.size() <= 5 || f.compare(f.size() - 5, 5, ".json") != 0) continue;
      if (auto rec = get(bus, f.substr(0, f.size() - 5))) out.push_back(std::move(*rec));
    }
  }
  return out;
}

}  // namespace vfioctl
