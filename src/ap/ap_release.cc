#include "ap/ap_release.h"

#include <map>
#include <set>

#include "ap/ap_bind.h"
#include "bind/journal.h"
#include "bind/ownership.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

void set_bits(ApMasks& masks, const ApMaskEdit& edit, bool on) {
  for (int bit : edit.bits) (edit.kind == ApMaskKind::kAdapters ? masks.apm : masks.aqm).set(bit, on);
}

}  // namespace

std::vector<std::vector<Apqn>> queues_back_after_each(const ApMasks& masks, const std::vector<Apqn>& present,
                                                      const std::vector<ApMaskEdit>& edits) {
  std::vector<std::vector<Apqn>> out;
  ApMasks now = masks;
  for (const auto& edit : edits) {
    ApMasks next = now;
    set_bits(next, edit, true);
    std::vector<Apqn> back;
    for (const auto& q : present) {
      if (!now.host_owned(q) && next.host_owned(q)) back.push_back(q);
    }
    out.push_back(std::move(back));
    now = next;
  }
  return out;
}

ApReleasePrepared prepare_ap_release(Session& session, const StateDir& state, const std::vector<DeviceRef>& devices,
                                     bool force) {
  ApReleasePrepared p;
  std::vector<Apqn> wanted;
  if (!read_ap_request(session, devices, p.masks, p.present, wanted, p.bad_input)) return p;

  OwnershipStore owners(state);
  std::set<std::pair<ApMaskKind, std::vector<int>>> seen;
  const std::set<Apqn> asked(wanted.begin(), wanted.end());
  for (const auto& q : wanted) {
    auto rec = owners.get("ap", q.name());
    if (p.masks.host_owned(q)) {  // already the host's: nothing to give back
      if (rec) p.stale.push_back(q);
      continue;
    }
    ApMaskEdit edit;
    if (rec && rec->ap_mask) {
      edit.kind = *rec->ap_mask == "aqmask" ? ApMaskKind::kDomains : ApMaskKind::kAdapters;
      edit.bits = rec->ap_bits;
    } else if (force) {
      edit.kind = p.masks.apm.test(q.adapter) ? ApMaskKind::kDomains : ApMaskKind::kAdapters;
      edit.bits = {edit.kind == ApMaskKind::kAdapters ? q.adapter : q.domain};
    } else {
      p.refusals.push_back({ap_id(q), "was not given to vfio_ap by vfioctl; use --force to give it back anyway"});
      continue;
    }
    if (seen.insert({edit.kind, edit.bits}).second) p.edits.push_back(edit);
  }
  std::vector<Apqn> extra;
  for (const auto& back : queues_back_after_each(p.masks, p.present, p.edits)) {
    for (const auto& q : back) {
      if (!asked.count(q)) extra.push_back(q);
    }
  }
  if (!extra.empty()) {
    std::string writes;
    for (const auto& e : p.edits) writes += (writes.empty() ? "" : " and ") + e.describe() + " in " + std::string(mask_file(e.kind));
    p.refusals.push_back({"", "setting " + writes + " back also gives " + ap_names(extra) +
                                  " back to the host; release them together"});
  }
  return p;
}

OperationResult execute_ap_release(OperationContext& ctx, const ApReleasePrepared& p) {
  OperationResult result;
  const HostRoot& host = ctx.session.host();
  OwnershipStore owners(ctx.state_dir);
  for (const auto& q : p.stale) owners.remove("ap", q.name());
  if (p.edits.empty()) return result;

  const auto back = queues_back_after_each(p.masks, p.present, p.edits);
  std::vector<Apqn> all;
  std::map<Apqn, std::optional<std::string>> before;
  for (const auto& list : back) {
    for (const auto& q : list) {
      all.push_back(q);
      before[q] = ap_queue_driver(host, q);
    }
  }
  std::vector<JournalApEdit> journal_edits;
  for (const auto& e : p.edits) journal_edits.push_back(ap_journal_edit(e, /*cleared=*/false));
  JournalStore journals(ctx.state_dir);
  std::string journal_error;
  if (!journals.write(ap_journal("release", ap_journal_devices(all, before), journal_edits), &journal_error)) {
    result.ok = false;
    result.errors.push_back("cannot write the journal, nothing was changed: " + journal_error);
    return result;
  }

  std::size_t written = 0;  // edits whose write the kernel took
  for (std::size_t i = 0; i < p.edits.size() && result.ok; ++i) {
    const ApMaskEdit& edit = p.edits[i];
    if (ctx.progress.step) ctx.progress.step(i + 1, p.edits.size(), edit.path(), edit.value(true));
    int e = ctx.kernel.write_attribute(edit.path(), edit.value(true));
    if (e) {
      result.ok = false;
      result.errors.push_back(ap_mask_write_error(edit, e));
      break;
    }
    ++written;
    if (!wait_for_ap_queues(ctx.kernel, host, back[i], false)) {
      result.ok = false;
      result.errors.push_back("the host's drivers did not take back " + ap_names(back[i]));
    }
  }
  if (!result.ok && written > 0) {
    // Put the earlier writes back, last first: every queue ends where it started.
    result.rolled_back = true;
    for (std::size_t i = written; i-- > 0;) {
      const ApMaskEdit& edit = p.edits[i];
      int e = ctx.kernel.write_attribute(edit.path(), edit.value(false));
      if (e != 0 || !wait_for_ap_queues(ctx.kernel, host, back[i], true)) {
        result.rollback_complete = false;
        result.errors.push_back("could not clear " + edit.describe() + " again in " + std::string(mask_file(edit.kind)) +
                                ": write " + edit.value(false) + " > " + edit.path() + " by hand");
      }
    }
  }
  for (const auto& q : all) {
    DeviceResult r;
    r.device = ap_id(q);
    r.before = BindingState{before[q], std::nullopt, true};
    r.after = BindingState{ap_queue_driver(host, q), std::nullopt, true};
    r.changed = written > 0;
    r.ok = result.ok;
    r.driver = r.after.driver;
    result.devices.push_back(std::move(r));
  }
  if (result.ok || result.rollback_complete) {
    // The journal goes before the records: killed in between, a record is left on a queue that
    // is the host's again, and the next release of it removes it (stale above).
    journals.remove();
    if (result.ok) {
      for (const auto& q : all) owners.remove("ap", q.name());
    }
  } else {
    result.errors.push_back("the journal " + journals.path() + " is kept: run 'vfioctl recover' to retry");
  }
  return result;
}

}  // namespace vfioctl
