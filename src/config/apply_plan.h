// From configuration rules to the changes `vfioctl apply` makes: per device, the settings of
// the one rule (or several agreeing rules) that select it; per PF, its VF count. Two rules
// that want different things for one device are a conflict naming both. The bind part is an
// ordinary BindPlan, built by plan_bind once per distinct setting (driver, group, owner) and
// merged, so apply refuses and binds exactly as `vfioctl bind` would.
//
// VF counts come first: rules that select VFs of a PF whose count changes cannot know the new
// VFs' addresses (the kernel derives them from the PF's SR-IOV capability), so they stay
// "pending" until the VFs exist, and the caller plans again after the VF counts are set.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ap/ap_bind.h"
#include "bind/bind_plan.h"
#include "config/config_file.h"
#include "host/address_source.h"
#include "inventory/session.h"

namespace vfioctl {

struct SriovChange {
  std::string pf;
  int from = 0;
  int to = 0;
  RuleSource rule;
};

// A rule about VFs that only exist after an SR-IOV change.
struct PendingVfs {
  std::string pf;
  std::vector<int> indexes;
  std::string driver;  // "auto", "generic" or the name
  RuleSource rule;
};

struct ApplyPlan {
  std::vector<SriovChange> sriov;
  BindPlan bind;  // every selected device (already_done ones included) and every problem
  std::map<std::string, RuleSource> rule_of;  // device name -> the rule behind it
  std::vector<PendingVfs> pending;
  std::vector<std::string> notes;  // rules that select nothing, and such
  // s390 AP queues the rules select: they go through the AP masks, not plan_bind. Its problems
  // are in bind.bad_input / bind.refusals too, so block() sees them.
  std::optional<ApBindPrepared> ap;

  BindPlan::Block block() const { return bind.block(); }
  bool nothing_to_do() const {
    return sriov.empty() && pending.empty() && bind.nothing_to_do() && (!ap || !ap->plan.edit);
  }
};

// `only`, when given, restricts the plan to these device names (`apply --device`, run by the
// udev rule for one added device): [[pf]] rules for other PFs and rules' other devices are left
// out, and a rule that selects none of them is not reported as selecting nothing.
ApplyPlan plan_apply(Session& session, const Config& config, const AddressSource& addresses,
                     const std::set<std::string>* only = nullptr);

// One line of the plan, for the table and the JSON.
struct PlannedChange {
  std::string device;
  std::string action;  // "sriov_numvfs" or "bind"
  std::string from;
  std::string to;
  std::string rule;    // FILE:LINE
};
std::vector<PlannedChange> planned_changes(const ApplyPlan& plan);
// Devices already as the configuration wants them.
std::vector<PlannedChange> unchanged_devices(const ApplyPlan& plan);

}  // namespace vfioctl
