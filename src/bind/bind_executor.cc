#include "bind/bind_executor.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bind/driver_names.h"
#include "bind/noiommu_mode.h"
#include "bind/override_binder.h"
#include "bind/ownership.h"
#include "bind/restore.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

std::string errno_message(const std::string& what, int error) { return what + ": " + errno_text(error); }

struct DeviceRun {
  const PlannedBind& plan;
  DeviceResult result;
};

// Tries the candidates of one device in order. On return the device is bound to one of them
// (result.ok) or unbound/elsewhere, for the caller to roll back.
void bind_device(OperationContext& ctx, OverrideBinder& binder, const BindPlan& plan, DeviceRun& run) {
  const std::string& dev = run.plan.ref.name;
  DeviceResult& r = run.result;
  ModuleCatalog& modules = ctx.session.modules();
  const Bus& bus = *run.plan.ref.bus;
  const bool pinned = plan.pinned.has_value();

  for (const Candidate& c : run.plan.candidates) {
    Attempt attempt{c.module, std::nullopt, {}};
    ModuleLoad load = ctx.kernel.load_module(c.module, /*apply_blacklist=*/!pinned);
    if (!load.ok()) {
      attempt.outcome = load.message;
      r.attempts.push_back(attempt);
      continue;
    }
    modules.forget();
    bool by_name = false;
    auto driver = driver_of_module(ctx.session.host(), modules, bus, c.module, &by_name);
    if (!driver) {
      attempt.outcome = "module " + c.module + " is loaded but registered no " + std::string(bus.name()) + " driver";
      r.attempts.push_back(attempt);
      continue;
    }
    attempt.driver = driver;

    BindingState now = binder.state(dev);
    if (!now.present) {
      r.message = "the device disappeared (hot-unplug or VF removal)";
      return;
    }
    if (now.driver_override != *driver) {
      if (int e = binder.set_override(dev, *driver)) {
        r.message = errno_message("writing driver_override", e);
        return;
      }
    }
    if (now.driver && *now.driver != *driver) {
      if (int e = binder.unbind(dev, *now.driver)) {
        r.message = errno_message("unbinding from " + *now.driver, e);
        return;
      }
    }
    BindingState after = binder.state(dev);
    if (after.driver != *driver) {
      if (int e = binder.probe(dev)) {
        r.message = errno_message("drivers_probe", e);
        return;
      }
      after = binder.wait_for_driver(dev);
    }
    if (after.driver == *driver) {
      attempt.outcome = "bound";
      r.attempts.push_back(attempt);
      r.ok = true;
      r.module = c.module;
      r.driver = driver;
      return;
    }
    if (!after.present) {
      r.message = "the device disappeared during the probe";
      return;
    }
    // Every line the probe logged about the device: the driver's own reason ("No reset function
    // found") comes before the driver core's "probe of X failed with error -N".
    auto why = ctx.kernel.kernel_messages_about(dev);
    attempt.outcome = after.driver ? "the device ended on " + *after.driver + " instead"
                                   : "the driver refused the device" +
                                         (why.empty() ? std::string(" (see dmesg)") : fmt::format(": {}", fmt::join(why, "; ")));
    r.attempts.push_back(attempt);
    if (after.driver) return;  // something else holds it: do not try further drivers over it
  }
  if (r.message.empty()) {
    r.message = "no vfio driver accepted the device";
    for (const auto& a : r.attempts) r.message += "; " + a.module + ": " + a.outcome;
    if (auto hint = bus.probe_failure_hint(ctx.session, run.plan.device)) r.message += "; " + *hint;
  }
}

// What a VFIO user does next on a bus that serves devices through mdevs: the mdev types the
// driver's probe registered (mdev_supported_types, one folder per type), and how to make one.
void mdev_how_to(const HostRoot& host, const Device& d, std::vector<std::string>& notes) {
  const std::string types_dir = "/sys/bus/" + d.bus + "/devices/" + d.name + "/mdev_supported_types";
  auto types = list_dir(host.path(types_dir));
  std::sort(types.begin(), types.end());
  if (types.empty()) {
    notes.push_back(d.id() + ": bound, but it offers no mdev type (no " + types_dir + "); see dmesg");
    return;
  }
  for (const auto& t : types) {
    notes.push_back(d.id() + ": a VFIO user opens an mdev made on it: mdevctl start -u UUID -p " + d.name + " -t " + t +
                    ", or write a new UUID to " + types_dir + "/" + t + "/create");
  }
}

void finish_device(OperationContext& ctx, const DeviceRun& run, OperationResult& out, OwnershipStore& owners) {
  const Device& d = run.plan.device;
  const HostRoot& host = ctx.session.host();
  auto fresh = ctx.session.buses().find(d.bus)->read(host, d.name);
  std::optional<int> group = fresh ? fresh->iommu_group : std::nullopt;
  std::optional<std::string> vfio_dev = fresh ? fresh->vfio_dev : std::nullopt;
  std::vector<std::string> nodes;
  if (group) {
    std::string node = "/dev/vfio/" + std::to_string(*group);
    std::string noiommu = "/dev/vfio/noiommu-" + std::to_string(*group);
    if (path_exists(host.path(node))) nodes.push_back(node);
    else if (path_exists(host.path(noiommu))) nodes.push_back(noiommu);
    else out.notes.push_back(d.id() + ": bound, but its group node " + node + " is missing (is devtmpfs mounted on /dev?)");
  }
  if (vfio_dev && path_exists(host.path("/dev/vfio/devices/" + *vfio_dev))) nodes.push_back("/dev/vfio/devices/" + *vfio_dev);
  const std::optional<OwnerSpec>& owner = run.plan.owner ? run.plan.owner : ctx.owner;
  if (fresh && ctx.session.buses().find(d.bus)->serves_through_mdev()) {
    mdev_how_to(host, *fresh, out.notes);
    // The parent has no group node; a VFIO user opens an mdev's, which exists only once the mdev
    // is made, after this bind (the probe only registers the types).
    for (const auto& m : fresh->mdevs) {
      if (!m.iommu_group) continue;
      const std::string node = "/dev/vfio/" + std::to_string(*m.iommu_group);
      if (path_exists(host.path(node))) nodes.push_back(node);
    }
    if (owner && fresh->mdevs.empty()) {
      out.notes.push_back(d.id() + ": --owner " + owner->text +
                          " has no node to change yet: each mdev made on it gets its own group (its iommu_group "
                          "link); chown that /dev/vfio/N once the mdev exists");
    }
  }
  if (owner) {
    for (const auto& node : nodes) {
      if (int e = ctx.kernel.change_owner(node, owner->uid, owner->gid)) {
        out.notes.push_back(errno_message(d.id() + ": chown " + node, e));
      }
    }
  }
  OwnershipRecord rec;
  rec.bus = d.bus;
  rec.name = d.name;
  rec.original = run.plan.original;
  // Moved from one vfio driver to another (bind --generic over a variant, --driver ...): the
  // device is still where vfioctl put it, so release must go back to the state before the first
  // bind, not to the vfio driver it left.
  if (auto earlier = owners.get(d.bus, d.name);
      earlier && run.plan.original.driver && earlier->driver == *run.plan.original.driver) {
    rec.original = earlier->original;
  }
  rec.driver = run.result.driver.value_or("");
  rec.module = run.result.module.value_or("");
  rec.bound_at = utc_now_iso8601();
  if (owner) rec.owner = owner->text;
  std::string error;
  if (!owners.put(rec, &error)) out.notes.push_back("could not record the binding: " + error);
}

}  // namespace

OperationResult execute_bind(OperationContext& ctx, const BindPlan& plan, Journal journal, bool owns_journal) {
  OperationResult out;
  out.notes = plan.notes;
  std::vector<DeviceRun> runs;
  for (const auto& p : plan.devices) {
    DeviceRun run{p, {}};
    run.result.device = p.device.id();
    run.result.before = p.original;
    if (p.already_done) {
      run.result.ok = true;
      run.result.after = p.original;
      run.result.message = p.note;
    }
    runs.push_back(std::move(run));
  }

  journal.operation = journal.operation.empty() ? "bind" : journal.operation;
  journal.pid = ::getpid();
  journal.started = utc_now_iso8601();
  for (const auto& run : runs) {
    if (!run.plan.already_done) journal.devices.push_back({run.plan.device.bus, run.plan.device.name, run.plan.original});
  }
  JournalStore journals(ctx.state_dir);
  OwnershipStore owners(ctx.state_dir);
  std::string error;
  if (!journal.devices.empty() && !journals.write(journal, &error)) {
    out.ok = false;
    out.errors.push_back("cannot write the journal, nothing was changed: " + error);
    return out;
  }

  if (plan.noiommu && !enable_noiommu_mode(ctx, out)) {
    out.ok = false;
    if (owns_journal) journals.remove();
    for (auto& run : runs) out.devices.push_back(run.result);
    return out;
  }

  std::size_t total = journal.devices.size(), index = 0;
  std::vector<DeviceRun*> touched;
  for (auto& run : runs) {
    if (run.plan.already_done) continue;
    ++index;
    if (ctx.progress.step) ctx.progress.step(index, total, run.result.device, "binding");
    OverrideBinder binder(ctx.session.host(), ctx.kernel, *run.plan.ref.bus);
    touched.push_back(&run);
    run.result.changed = true;
    bind_device(ctx, binder, plan, run);
    run.result.after = binder.state(run.plan.ref.name);
    if (ctx.progress.step) {
      ctx.progress.step(index, total, run.result.device,
                        run.result.ok ? "bound to " + run.result.driver.value_or("?") : "FAILED: " + run.result.message);
    }
    if (!run.result.ok) {
      out.ok = false;
      out.errors.push_back(run.result.device + ": " + run.result.message);
      break;
    }
  }

  if (!out.ok) {
    // Newest first, so a device's group companions are back on the host before it is.
    out.rolled_back = true;
    for (auto it = touched.rbegin(); it != touched.rend(); ++it) {
      DeviceRun& run = **it;
      OverrideBinder binder(ctx.session.host(), ctx.kernel, *run.plan.ref.bus);
      RestoreResult back = restore_binding(binder, run.plan.ref.name, run.plan.original);
      run.result.after = back.final_state;
      run.result.ok = false;
      if (!back.ok && !back.final_state.present) {
        // Hot-unplugged: there is nothing left to put back, and nothing for recover to do.
        out.notes.push_back(run.result.device + ": gone from sysfs; nothing to put back");
      } else if (!back.ok) {
        out.rollback_complete = false;
        out.errors.push_back(run.result.device + ": could not be put back: " + back.message);
      }
    }
    if (!out.rollback_complete) {
      out.errors.push_back("the journal " + journals.path() + " is kept: run 'vfioctl recover' to retry");
    } else {
      if (owns_journal) journals.remove();
      if (plan.noiommu) settle_noiommu_mode(ctx, out);
    }
  } else {
    for (auto& run : runs) {
      if (!run.plan.already_done) finish_device(ctx, run, out, owners);
    }
    if (owns_journal) journals.remove();
  }
  for (auto& run : runs) out.devices.push_back(std::move(run.result));
  return out;
}

}  // namespace vfioctl
