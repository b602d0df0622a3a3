// `release ap/...`: the mask writes that give AP queues back to the host's zcrypt drivers. The
// bits come from the ownership records (the ones vfioctl cleared), or with --force from the
// bit that keeps each queue off the host. Like every release: journal first, and a failure on
// a later write puts the earlier ones back, so every queue ends where it started.
#pragma once

#include <vector>

#include "ap/ap_masks.h"
#include "bind/bind_plan.h"
#include "bind/operation.h"

namespace vfioctl {

struct ApReleasePrepared {
  std::vector<PlanProblem> bad_input;
  std::vector<PlanProblem> refusals;
  ApMasks masks;
  std::vector<Apqn> present;
  std::vector<ApMaskEdit> edits;  // in the order they are written
  std::vector<Apqn> stale;        // already the host's, with a record left by an interrupted release
  BindPlan::Block block() const {
    return !bad_input.empty() ? BindPlan::Block::kBadInput
           : !refusals.empty() ? BindPlan::Block::kRefused
                               : BindPlan::Block::kNone;
  }
};

ApReleasePrepared prepare_ap_release(Session& session, const StateDir& state, const std::vector<DeviceRef>& devices,
                                     bool force);
OperationResult execute_ap_release(OperationContext& ctx, const ApReleasePrepared& prepared);

// The queues each edit gives back, the edits applied one after another to `masks`: a queue kept
// off by an adapter bit and a domain bit comes back only with the second of the two.
std::vector<std::vector<Apqn>> queues_back_after_each(const ApMasks& masks, const std::vector<Apqn>& present,
                                                      const std::vector<ApMaskEdit>& edits);

}  // namespace vfioctl
