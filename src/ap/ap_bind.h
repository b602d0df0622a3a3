// The AP queue operations behind `bind ap/...`, `release ap/...` and apply's AP rules: plan from
// the masks, one mask write, a bounded wait for the bus to rebind, the write undone when vfio_ap
// does not take the queues, and ownership records that say which bits vfioctl cleared.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ap/ap_masks.h"
#include "bind/bind_plan.h"
#include "bind/journal.h"
#include "bind/operation.h"

namespace vfioctl {

inline constexpr const char* kVfioAp = "vfio_ap";  // module and driver name (vfio_ap_drv.c)

struct ApBindPrepared {
  std::vector<PlanProblem> bad_input;
  std::vector<PlanProblem> refusals;
  ApMasks masks;
  std::vector<Apqn> present;
  std::vector<Apqn> wanted;
  ApBindPlan plan;
  std::map<std::string, std::string> drivers;  // moved and already queues -> driver when planned ("none")
  BindPlan::Block block() const {
    return !bad_input.empty() ? BindPlan::Block::kBadInput
           : !refusals.empty() ? BindPlan::Block::kRefused
                               : BindPlan::Block::kNone;
  }
};

// The masks, every queue present and the queues `devices` name. False, with `bad` filled, when
// the masks cannot be read or a name is not a queue that is there.
bool read_ap_request(Session& session, const std::vector<DeviceRef>& devices, ApMasks& masks,
                     std::vector<Apqn>& present, std::vector<Apqn>& wanted, std::vector<PlanProblem>& bad);

// A mask write the kernel refused, with what to do when vfio_ap refused it for an mdev's queues.
std::string ap_mask_write_error(const ApMaskEdit& edit, int error);

// `take_extra`: also move the queues that share the cleared bits (bind --group, group = true).
ApBindPrepared prepare_ap_bind(Session& session, const std::vector<DeviceRef>& devices, bool take_extra);
OperationResult execute_ap_bind(OperationContext& ctx, const ApBindPrepared& prepared);
// Puts the bits back after a later step of the same operation failed (apply): the queues go
// back to the host and their records are removed. False, with `error`, when the kernel refused.
bool undo_ap_bind(OperationContext& ctx, const ApBindPrepared& prepared, std::string* error);

// The journal of an AP operation: the queues its mask writes move, with their drivers before,
// and the writes (`cleared`: the write cleared the bits).
Journal ap_journal(std::string operation, std::vector<JournalDevice> devices, std::vector<JournalApEdit> edits);
JournalApEdit ap_journal_edit(const ApMaskEdit& edit, bool cleared);
std::vector<JournalDevice> ap_journal_devices(const std::vector<Apqn>& queues,
                                              const std::map<Apqn, std::optional<std::string>>& drivers);

std::string ap_id(const Apqn& q);                   // "ap/05.0004"
std::string ap_names(const std::vector<Apqn>& qs);  // "ap/05.0004, ap/05.0006"
std::optional<std::string> ap_queue_driver(const HostRoot& host, const Apqn& q);
std::vector<Apqn> present_ap_queues(const Session& session);
// The queues `devices` name; adapters and queues that are not there go to `bad`.
std::vector<Apqn> ap_queues_of(const std::vector<DeviceRef>& devices, const std::vector<Apqn>& present,
                               std::vector<PlanProblem>& bad);
// The ap bus rebinds on the mask write itself (ap_bus_revise_bindings), but vfio_ap's probe may
// still be running when the write returns: a bounded wait, like OverrideBinder's, until every
// queue is on vfio_ap (`on_vfio_ap`) or off it.
bool wait_for_ap_queues(KernelPort& kernel, const HostRoot& host, const std::vector<Apqn>& qs, bool on_vfio_ap);

}  // namespace vfioctl
