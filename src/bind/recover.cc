#include "bind/recover.h"

#include "ap/ap_recover.h"
#include "bind/container_order.h"
#include "bind/noiommu_mode.h"
#include "bind/override_binder.h"
#include "bind/ownership.h"
#include "bind/restore.h"
#include "bind/sriov_control.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

// The journal's devices in the order to put them back: newest first (a vfs run's VFs before
// their PF), then containers before what lives in them, as bind and release order them
// (container_order.h): an fsl-mc DPRC brings its objects back with it, so each object is then
// found where it was and left alone. A device missing from sysfs goes after the rest: an fsl-mc
// object is out of Linux while its container is on vfio and comes back with it; a VF of an
// interrupted vfs run stays gone either way.
std::vector<JournalDevice> restore_order(OperationContext& ctx, const Journal& journal) {
  struct Entry {
    JournalDevice journal;
    Device device;  // as sysfs has it now; name and bus only when it is missing
  };
  std::vector<Entry> entries;
  std::vector<JournalDevice> missing;
  for (auto it = journal.devices.rbegin(); it != journal.devices.rend(); ++it) {
    const Bus* bus = ctx.session.buses().find(it->bus);
    std::optional<Device> now = bus ? bus->read(ctx.session.host(), it->name) : std::nullopt;
    if (bus && !now) {
      missing.push_back(*it);
      continue;
    }
    Device d = now.value_or(Device{});
    d.bus = it->bus;
    d.name = it->name;
    entries.push_back({*it, std::move(d)});
  }
  order_containers_first(entries, [](const Entry& e) -> const Device& { return e.device; });
  std::vector<JournalDevice> out;
  for (auto& e : entries) out.push_back(std::move(e.journal));
  for (auto& m : missing) out.push_back(std::move(m));
  return out;
}

}  // namespace

RecoverOutcome recover_interrupted(OperationContext& ctx) {
  RecoverOutcome outcome;
  JournalStore journals(ctx.state_dir);
  OwnershipStore owners(ctx.state_dir);
  std::string error;
  auto journal = journals.read(&error);
  if (!journal) {
    if (!error.empty()) {
      outcome.result.ok = false;
      outcome.result.errors.push_back(error);
    }
    return outcome;
  }
  outcome.had_journal = true;
  outcome.journal = *journal;
  OperationResult& out = outcome.result;

  // VFs first: they vanish when the PF's VF count goes back, so nothing is left to restore.
  std::size_t index = 0;
  for (const JournalDevice& d : restore_order(ctx, *journal)) {
    ++index;
    const Bus* bus = ctx.session.buses().find(d.bus);
    if (bus && !bus->uses_driver_override()) continue;  // ap: through the masks, below
    DeviceResult r;
    r.device = device_id(d.bus, d.name);
    r.before = d.original;
    if (!bus) {
      r.message = "unknown bus " + d.bus;
      out.ok = false;
      out.errors.push_back(r.device + ": " + r.message);
      out.devices.push_back(r);
      continue;
    }
    if (ctx.progress.step) ctx.progress.step(index, journal->devices.size(), r.device, "restoring");
    OverrideBinder binder(ctx.session.host(), ctx.kernel, *bus);
    RestoreResult back = restore_binding(binder, d.name, d.original);
    r.after = back.final_state;
    r.changed = true;
    r.ok = back.ok;
    if (back.ok) {
      if (auto rec = owners.get(d.bus, d.name); rec && rec->original == back.final_state) owners.remove(d.bus, d.name);
    } else if (!back.final_state.present) {
      // Hot-unplugged, or a VF of an interrupted vfs (it goes with the VF count below): there
      // is nothing to put back, and a record of it would claim a device that is gone.
      r.ok = true;
      r.message = journal->sriov_pf ? "gone (a VF created by the interrupted operation)" : "gone from sysfs; nothing to put back";
      owners.remove(d.bus, d.name);
    } else {
      out.ok = false;
      r.message = back.message;
      out.errors.push_back(r.device + ": " + back.message);
    }
    out.devices.push_back(r);
  }

  if (!journal->ap_edits.empty()) recover_ap(ctx, *journal, out);
  if (journal->sriov_pf) {
    std::string sriov_error;
    if (!restore_sriov(ctx, *journal->sriov_pf, journal->sriov_numvfs, journal->sriov_autoprobe, &sriov_error)) {
      out.ok = false;
      out.errors.push_back(*journal->sriov_pf + ": " + sriov_error);
    }
  }
  if (out.ok) {
    journals.remove();
    settle_noiommu_mode(ctx, out);  // a --noiommu bind killed after it turned the mode on
  } else {
    out.errors.push_back("the journal " + journals.path() + " is kept; fix the above and run 'vfioctl recover' again");
  }
  return outcome;
}

}  // namespace vfioctl
