#include "ap/ap_bind.h"

#include <algorithm>
#include <map>

#include <unistd.h>

#include "bind/journal.h"
#include "bind/ownership.h"
#include "host/file_io.h"

namespace vfioctl {

std::string ap_names(const std::vector<Apqn>& qs) {
  std::string out;
  for (const auto& q : qs) out += (out.empty() ? "" : ", ") + ap_id(q);
  return out;
}

std::vector<Apqn> present_ap_queues(const Session& session) {
  std::vector<Apqn> out;
  for (const auto& name : session.buses().find("ap")->list(session.host())) {
    if (auto q = parse_apqn(name)) out.push_back(*q);
  }
  return out;
}

std::vector<Apqn> ap_queues_of(const std::vector<DeviceRef>& devices, const std::vector<Apqn>& present,
                               std::vector<PlanProblem>& bad) {
  std::vector<Apqn> out;
  for (const auto& r : devices) {
    auto q = parse_apqn(r.name);
    if (!q) {
      bad.push_back({r.id(), "is an AP adapter: give its queues (ap/ADAPTER.DOMAIN, like ap/05.0004)"});
    } else if (std::find(present.begin(), present.end(), *q) == present.end()) {
      bad.push_back({r.id(), "no such AP queue (run 'vfioctl status' to list devices)"});
    } else {
      out.push_back(*q);
    }
  }
  return out;
}

bool wait_for_ap_queues(KernelPort& kernel, const HostRoot& host, const std::vector<Apqn>& qs, bool on_vfio_ap) {
  for (int pause_ms : {0, 10, 20, 50, 100, 200}) {
    if (pause_ms) kernel.wait(std::chrono::milliseconds(pause_ms));
    bool all = std::all_of(qs.begin(), qs.end(), [&](const Apqn& q) {
      auto d = ap_queue_driver(host, q);
      return (d && *d == kVfioAp) == on_vfio_ap;
    });
    if (all) return true;
  }
  return false;
}

std::string ap_id(const Apqn& q) { return "ap/" + q.name(); }

std::optional<std::string> ap_queue_driver(const HostRoot& host, const Apqn& q) {
  ReadResult r = read_link_path(host.sys("bus/ap/devices/") + q.name() + "/driver");
  if (!r.ok()) return std::nullopt;
  return std::string(last_component(r.value));
}

bool read_ap_request(Session& session, const std::vector<DeviceRef>& devices, ApMasks& masks,
                     std::vector<Apqn>& present, std::vector<Apqn>& wanted, std::vector<PlanProblem>& bad) {
  std::string error;
  auto read = ApMasks::read(session.host(), &error);
  if (!read) {
    bad.push_back({"", "cannot read the AP masks: " + error});
    return false;
  }
  masks = *read;
  present = present_ap_queues(session);
  wanted = ap_queues_of(devices, present, bad);
  return bad.empty();
}

std::string ap_mask_write_error(const ApMaskEdit& edit, int error) {
  // ap_bus.c apmask_store/aqmask_store: vfio_ap refuses to give back queues a
  // vfio_ap-passthrough mdev still has assigned (its in_use callback).
  return edit.path() + ": " + errno_text(error) +
         (error == EBUSY || error == EADDRINUSE
              ? " (a vfio_ap mdev still has them assigned: unassign them from the matrix device first)"
              : "");
}

ApBindPrepared prepare_ap_bind(Session& session, const std::vector<DeviceRef>& devices, bool take_extra) {
  ApBindPrepared p;
  if (!read_ap_request(session, devices, p.masks, p.present, p.wanted, p.bad_input)) return p;
  p.plan = plan_ap_bind(p.masks, p.present, p.wanted);
  // Only the queues the plan shows: a mainframe has thousands of queues (adapters x domains).
  for (const auto* list : {&p.plan.moved, &p.plan.already}) {
    for (const auto& q : *list) p.drivers[q.name()] = ap_queue_driver(session.host(), q).value_or("none");
  }
  if (!p.plan.extra.empty() && !take_extra) {
    p.refusals.push_back({"", "giving " + ap_names(p.wanted) + " to vfio_ap means clearing " + p.plan.edit->describe() +
                                  " in " + std::string(mask_file(p.plan.edit->kind)) + ", which also takes " +
                                  ap_names(p.plan.extra) + " from the host; add --group (group = true) to give those "
                                                        "to vfio_ap too"});
  }
  return p;
}

OperationResult execute_ap_bind(OperationContext& ctx, const ApBindPrepared& p) {
  OperationResult result;
  if (!p.plan.edit) return result;
  const HostRoot& host = ctx.session.host();
  const ApMaskEdit& edit = *p.plan.edit;
  // Asked for by name, and the only driver there is: a blacklist line (vfioctl policy) does not stop it.
  ModuleLoad load = ctx.kernel.load_module(kVfioAp, /*apply_blacklist=*/false);
  if (!load.ok()) {
    result.ok = false;
    result.errors.push_back(load.message);
    return result;
  }
  std::map<Apqn, std::optional<std::string>> before;
  for (const auto& q : p.plan.moved) before[q] = ap_queue_driver(host, q);

  // The journal goes first: killed after the mask write and before the records, the queues
  // would be vfio_ap's with nothing saying vfioctl moved them. recover sets the bits back.
  Journal journal = ap_journal("bind", ap_journal_devices(p.plan.moved, before), {ap_journal_edit(edit, true)});
  JournalStore journals(ctx.state_dir);
  std::string journal_error;
  if (!journals.write(journal, &journal_error)) {
    result.ok = false;
    result.errors.push_back("cannot write the journal, nothing was changed: " + journal_error);
    return result;
  }

  int e = ctx.kernel.write_attribute(edit.path(), edit.value(false));
  bool bound = e == 0 && wait_for_ap_queues(ctx.kernel, host, p.plan.moved, true);
  if (!bound) {
    result.ok = false;
    result.rolled_back = true;
    result.errors.push_back(e ? edit.path() + ": " + errno_text(e)
                              : "vfio_ap did not take " + ap_names(p.plan.moved) + "; the mask is put back");
    if (e == 0) {
      int back = ctx.kernel.write_attribute(edit.path(), edit.value(true));
      result.rollback_complete = back == 0 && wait_for_ap_queues(ctx.kernel, host, p.plan.moved, false);
      if (!result.rollback_complete) {
        result.errors.push_back("could not put " + edit.describe() + " back in " + std::string(mask_file(edit.kind)) +
                                ": write " + edit.value(true) + " > " + edit.path() + " by hand");
      }
    }
  }
  OwnershipStore owners(ctx.state_dir);
  for (const auto& q : p.plan.moved) {
    DeviceResult r;
    r.device = ap_id(q);
    r.before = BindingState{before[q], std::nullopt, true};
    r.after = BindingState{ap_queue_driver(host, q), std::nullopt, true};
    r.changed = true;
    r.ok = bound;
    if (bound) {
      r.module = kVfioAp;
      r.driver = kVfioAp;
      OwnershipRecord rec;
      rec.bus = "ap";
      rec.name = q.name();
      rec.original = r.before;
      rec.driver = kVfioAp;
      rec.module = kVfioAp;
      rec.ap_mask = std::string(mask_file(edit.kind));
      rec.ap_bits = edit.bits;
      std::string put_error;
      if (!owners.put(rec, &put_error)) result.notes.push_back(r.device + ": " + put_error);
    }
    result.devices.push_back(std::move(r));
  }
  if (bound || result.rollback_complete || e != 0) {
    journals.remove();
  } else {
    result.errors.push_back("the journal " + journals.path() + " is kept: run 'vfioctl recover' to retry");
  }
  return result;
}

Journal ap_journal(std::string operation, std::vector<JournalDevice> devices, std::vector<JournalApEdit> edits) {
  Journal j;
  j.operation = std::move(operation);
  j.pid = ::getpid();
  j.started = utc_now_iso8601();
  j.devices = std::move(devices);
  j.ap_edits = std::move(edits);
  return j;
}

JournalApEdit ap_journal_edit(const ApMaskEdit& edit, bool cleared) {
  return JournalApEdit{std::string(mask_file(edit.kind)), edit.bits, cleared};
}

std::vector<JournalDevice> ap_journal_devices(const std::vector<Apqn>& queues,
                                              const std::map<Apqn, std::optional<std::string>>& drivers) {
  std::vector<JournalDevice> out;
  for (const auto& q : queues) {
    auto it = drivers.find(q);
    out.push_back(JournalDevice{"ap", q.name(), BindingState{it == drivers.end() ? std::nullopt : it->second,
                                                            std::nullopt, true}});
  }
  return out;
}

bool undo_ap_bind(OperationContext& ctx, const ApBindPrepared& p, std::string* error) {
  if (!p.plan.edit) return true;
  const ApMaskEdit& edit = *p.plan.edit;
  int e = ctx.kernel.write_attribute(edit.path(), edit.value(true));
  bool ok = e == 0 && wait_for_ap_queues(ctx.kernel, ctx.session.host(), p.plan.moved, false);
  if (!ok && error) *error = edit.path() + ": " + (e ? errno_text(e) : "the host's drivers did not take the queues back");
  OwnershipStore owners(ctx.state_dir);
  if (ok) {
    for (const auto& q : p.plan.moved) owners.remove("ap", q.name());
  }
  return ok;
}

}  // namespace vfioctl
