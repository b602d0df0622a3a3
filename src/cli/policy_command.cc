// `vfioctl policy [FILE] [--write]`: which vfio modules could autoload, and the modprobe.d
// piece that keeps the ones no rule needs from loading for hardware (policy/autoload_policy.h).
// Without --write it only reports; with it, /etc/modprobe.d/vfioctl-autoload.conf is written,
// rewritten or removed so that it matches, and a second run has nothing to do.
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "bind/state_files.h"
#include "cli/commands.h"
#include "host/file_io.h"
#include "policy/autoload_policy.h"
#include "report/table.h"

namespace vfioctl {

namespace {

constexpr std::string_view kOurHeader = "# Written by `vfioctl policy --write`";

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string explain(const AutoloadEntry& e) {
  using D = AutoloadEntry::Decision;
  switch (e.decision) {
    case D::kNoDeviceAutoload:
      return e.node_aliases.empty() ? "loads only when asked" : "loads when its node is opened; binds no device by itself";
    case D::kNeeded: return "left loadable: needed by " + join(e.needed_by);
    case D::kBlocked: return "blacklisted: would autoload for hardware, no rule needs it";
    case D::kBuiltIn: return "built into the kernel: nothing to block";
  }
  return {};
}

nlohmann::json policy_json(const AutoloadPolicy& p, const std::string& path, const std::string& text, bool changed,
                           bool written) {
  nlohmann::json modules = nlohmann::json::array();
  for (const auto& e : p.modules) {
    modules.push_back({{"module", e.module},
                       {"state", std::string(to_string(e.state))},
                       {"device_aliases", e.device_aliases},
                       {"node_aliases", e.node_aliases},
                       {"needed_by", e.needed_by},
                       {"decision", std::string(to_string(e.decision))}});
  }
  return {{"modules", modules}, {"blocked", p.blocked()}, {"notes", p.notes}, {"file", path},
          {"file_text", text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text)},
          {"changed", changed}, {"written", written}};
}

}  // namespace

int run_policy(const GlobalOptions& g, const PolicyArgs& a, CliIo& io) {
  Session session(g.host());
  ConfigResult loaded = a.file ? load_config_file(*a.file) : load_default_config(session.host());
  if (!loaded.config) {
    for (const auto& e : loaded.errors) io.err << "vfioctl: " << e << "\n";
    return kExitBadInput;
  }
  AutoloadPolicy policy = compute_autoload_policy(session, *loaded.config);
  const std::string text = autoload_policy_file(policy, loaded.config->files);
  const std::string path = session.host().path(kAutoloadPolicyPath);
  ReadResult now = read_file(path);
  const bool exists = now.ok();
  const bool changed = text.empty() ? exists : (!exists || now.value != text);
  if (a.write && changed && exists && now.value.rfind(kOurHeader, 0) != 0) {
    io.err << "vfioctl: refused: " << kAutoloadPolicyPath << " exists and vfioctl did not write it; "
           << "move it away, then run 'vfioctl policy --write' again\n";
    return kExitRefused;
  }

  bool written = false;
  if (a.write && changed) {
    std::string error;
    if (text.empty()) {
      if (::unlink(path.c_str()) != 0) error = path + ": " + errno_text(errno);
    } else {
      std::error_code ec;
      std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
      write_file_atomically(path, text, &error, 0644);
    }
    if (!error.empty()) {
      io.err << "vfioctl: " << error << "\n";
      return kExitFailed;
    }
    written = true;
  }

  if (g.json) {
    io.out << policy_json(policy, kAutoloadPolicyPath, text, changed, written).dump(2) << "\n";
    return kExitOk;
  }
  Table t({"MODULE", "STATE", "AUTOLOADS FOR", "POLICY"});
  for (const auto& e : policy.modules) {
    std::vector<std::string> routes = e.device_aliases;
    routes.insert(routes.end(), e.node_aliases.begin(), e.node_aliases.end());
    t.add_row({e.module, std::string(to_string(e.state)), routes.empty() ? "-" : join(routes, " "), explain(e)});
  }
  t.print(io.out, g.style(io).width);
  for (const auto& n : policy.notes) io.out << "note: " << n << "\n";
  const auto blocked = policy.blocked();
  if (blocked.empty()) {
    io.out << "\nNo vfio module autoloads for hardware here: nothing to block";
    io.out << (exists ? (written ? "; removed " : "; " + std::string(kAutoloadPolicyPath) + " would be removed (--write)")
                      : "");
    if (written) io.out << kAutoloadPolicyPath;
    io.out << ".\n";
  } else if (!changed) {
    io.out << "\n" << kAutoloadPolicyPath << " already blocks " << join(blocked) << ": nothing to do.\n";
  } else if (written) {
    io.out << "\nWrote " << kAutoloadPolicyPath << ": blacklist " << join(blocked) << ".\n";
  } else {
    io.out << "\nTo block " << join(blocked) << ", run 'vfioctl policy --write' (writes " << kAutoloadPolicyPath << ").\n";
  }
  return kExitOk;
}

}  // namespace vfioctl
