#include "support/kmod_oracle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "support/temp_root.h"

namespace vfioctl::testing {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(text);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!text.empty() && text.back() == sep) out.emplace_back();
  return out;
}

}  // namespace

std::vector<OracleRow> read_resolve_oracle() {
  std::istringstream in(read_data_file(data_path("kernels/resolve-oracle.tsv")));
  std::string line;
  std::vector<OracleRow> rows;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      if (line != "kernel\tquery\tresolved_modules\tmodprobe_rc") {
        throw std::runtime_error("resolve-oracle.tsv: unexpected header '" + line + "'");
      }
      continue;
    }
    auto f = split(line, '\t');
    if (f.size() != 4) throw std::runtime_error("resolve-oracle.tsv: bad row '" + line + "'");
    OracleRow row{f[0], f[1], {}, std::stoi(f[3])};
    if (!f[2].empty()) row.modules = split(f[2], ',');
    std::sort(row.modules.begin(), row.modules.end());
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::string> host_virtio_modaliases() {
  auto j = nlohmann::json::parse(read_data_file(data_path("sysfs/host-virtio.json")));
  std::vector<std::string> out;
  for (const auto& d : j.at("devices")) out.push_back(d.at("attrs").at("modalias").get<std::string>());
  return out;
}

}  // namespace vfioctl::testing
