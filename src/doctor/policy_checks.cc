#include "doctor/policy_checks.h"

#include "config/config_file.h"
#include "host/file_io.h"
#include "policy/autoload_policy.h"

namespace vfioctl {

Finding check_autoload_policy(Session& session) {
  Finding f{"autoload", Severity::kOk, "", {}, ""};
  ConfigResult loaded = load_default_config(session.host());
  if (!loaded.config) {
    f.severity = Severity::kWarn;
    f.summary = "the configuration has errors, so the autoload policy cannot be judged";
    f.details = loaded.errors;
    f.remedy = "fix them (vfioctl apply --dry-run shows each with its line)";
    return f;
  }
  AutoloadPolicy policy = compute_autoload_policy(session, *loaded.config);
  const std::string want = autoload_policy_file(policy, loaded.config->files);
  ReadResult now = read_file(session.host().path(kAutoloadPolicyPath));
  const std::string have = now.ok() ? now.value : std::string();
  for (const auto& m : policy.blocked()) f.details.push_back(m + ": autoloads for hardware, no rule needs it");
  if (want == have) {
    f.summary = want.empty() ? "no vfio module autoloads for hardware here" : "the autoload policy file is up to date";
    return f;
  }
  f.severity = Severity::kWarn;
  f.summary = want.empty() ? std::string(kAutoloadPolicyPath) + " blocks modules the configuration now needs, or no longer has to"
                           : "vfio modules that no rule needs can autoload for hardware: " + std::string(kAutoloadPolicyPath) +
                                 (now.ok() ? " is out of date" : " is missing");
  f.remedy = "vfioctl policy --write";
  return f;
}

}  // namespace vfioctl
