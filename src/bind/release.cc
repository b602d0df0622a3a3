#include "bind/release.h"

#include <unistd.h>

#include <algorithm>

#include "bind/container_order.h"
#include "bind/driver_names.h"
#include "bind/journal.h"
#include "bind/noiommu_mode.h"
#include "bind/override_binder.h"
#include "bind/restore.h"
#include "host/file_io.h"
#include "inventory/vfio_driver_check.h"
#include "safety/vfio_users.h"

namespace vfioctl {

BindPlan::Block ReleasePlan::block() const {
  if (!bad_input.empty()) return BindPlan::Block::kBadInput;
  if (!refusals.empty()) return BindPlan::Block::kRefused;
  return BindPlan::Block::kNone;
}

bool ReleasePlan::nothing_to_do() const {
  return std::all_of(devices.begin(), devices.end(), [](const PlannedRelease& p) { return p.already_done; });
}

namespace {

// A parent's mdevs go with its vfio driver: mdev_unregister_parent removes each one on unbind, and
// for an mdev a VFIO user holds open, vfio_unregister_group_dev blocks the unbind until the user
// lets go. So an open mdev is always a refusal (the write would hang); an idle one, which someone
// made (mdevctl, a libvirt domain), is removed only with --force.
void refuse_mdevs_in_the_way(const HostRoot& host, const Device& d, bool force, ReleasePlan& plan) {
  for (const auto& m : d.mdevs) {
    const std::string what = "has mediated device " + m.uuid + (m.type ? " (" + *m.type + ")" : "");
    bool open = false;
    for (const auto& user : vfio_users(host, m.iommu_group, std::nullopt)) {
      open = true;
      plan.refusals.push_back({d.id(), what + ", open by pid " + std::to_string(user.pid) + " (" + user.command +
                                           ") through " + user.node + "; stop that process first"});
    }
    if (!open && !force) {
      plan.refusals.push_back({d.id(), what + ", which unbinding removes; remove it first (mdevctl stop -u " + m.uuid +
                                           ", or write 1 to /sys/bus/mdev/devices/" + m.uuid +
                                           "/remove), or --force removes it with the release"});
    }
  }
}

}  // namespace

ReleasePlan plan_release(Session& session, const ReleaseOptions& options) {
  ReleasePlan plan;
  const HostRoot& host = session.host();
  if (options.to) {
    const Bus& bus = options.devices.empty() ? session.buses().pci() : *options.devices.front().bus;
    std::string error;
    plan.to = resolve_driver_spelling(host, session.modules(), bus, *options.to, &error);
    if (!plan.to) {
      plan.bad_input.push_back({"", error});
      return plan;
    }
  }
  Snapshot snap = take_snapshot(session, options.devices);
  for (const auto& m : snap.missing) plan.bad_input.push_back({m, "no such device (run 'vfioctl status' to list devices)"});
  if (!plan.bad_input.empty()) return plan;

  OwnershipStore owners{StateDir(host)};
  for (const auto& r : snap.devices) {
    const Device& d = r.device;
    PlannedRelease p;
    p.ref = DeviceRef{session.buses().find(d.bus), d.name};
    p.device = d;
    p.original = BindingState{d.driver, d.driver_override, true};
    p.record = owners.get(d.bus, d.name);
    if (p.record) {
      p.expected_driver = p.record->original.driver;
      if (p.expected_driver) p.expected_module = session.modules().module_of_driver(d.bus, *p.expected_driver);
    }
    if (plan.to) {
      p.expected_driver = plan.to->driver;
      p.expected_module = plan.to->module;
    }

    p.override_only = !r.is_vfio && d.driver_override &&
                      session.vfio_check().names_vfio_driver(d.bus, *d.driver_override);
    if (!r.is_vfio && !p.override_only) {
      p.already_done = true;
      p.note = d.driver ? "not on a vfio driver (on " + *d.driver + ")" : "not on a vfio driver (unbound)";
      plan.devices.push_back(std::move(p));
      continue;
    }
    if (!p.record && !options.force) {
      plan.refusals.push_back(
          {d.id(), p.override_only ? "is held for vfio by driver_override=" + *d.driver_override +
                                         ", which vfioctl did not set; --force clears it and gives the device back"
                                   : "was not bound by vfioctl (on " + d.driver.value_or("?") +
                                         "); --force releases it anyway"});
    }
    for (const auto& user : vfio_users(host, d.iommu_group, d.vfio_dev)) {
      plan.refusals.push_back({d.id(), "is open by pid " + std::to_string(user.pid) + " (" + user.command +
                                           ") through " + user.node + "; stop that process first"});
    }
    refuse_mdevs_in_the_way(host, d, options.force, plan);
    if (p.override_only && d.driver) {
      p.note = "clear driver_override=" + *d.driver_override + "; it stays on " + *d.driver;
    } else {
      p.note = p.expected_driver ? "back to " + *p.expected_driver : "back to the host driver";
      if (p.override_only) p.note += " (driver_override=" + *d.driver_override + " without its driver)";
    }
    plan.devices.push_back(std::move(p));
  }
  order_containers_first(plan.devices, [](const PlannedRelease& p) -> const Device& { return p.device; });
  return plan;
}

namespace {

// Loads what the host needs for the device: the expected driver's module, or whatever kmod
// resolves the device's own modalias to (what udev's `modprobe -b $MODALIAS` loads).
void load_host_modules(OperationContext& ctx, const PlannedRelease& p, DeviceResult& r) {
  if (p.expected_module) {
    ModuleLoad load = ctx.kernel.load_module(*p.expected_module, false);
    if (load.outcome == ModuleLoad::Outcome::kLoaded) r.attempts.push_back({*p.expected_module, p.expected_driver, "module loaded"});
    else if (!load.ok()) r.attempts.push_back({*p.expected_module, p.expected_driver, load.message});
    return;
  }
  if (!p.device.modalias) return;
  for (const auto& module : ctx.session.kmod().lookup(*p.device.modalias)) {
    ModuleLoad load = ctx.kernel.load_module(module, true);
    if (load.outcome == ModuleLoad::Outcome::kLoaded) r.attempts.push_back({module, std::nullopt, "module loaded"});
  }
}

int write_override(OverrideBinder& b, const std::string& dev, const std::optional<std::string>& value) {
  return value ? b.set_override(dev, *value) : b.clear_override(dev);
}

bool fail(DeviceResult& r, const std::string& what, int error) {
  if (error == 0) return false;
  r.message = what + ": " + errno_text(error);
  return true;
}

void release_device(OperationContext& ctx, OverrideBinder& b, const PlannedRelease& p, bool to_given, DeviceResult& r) {
  const std::string& dev = p.ref.name;
  BindingState now = b.state(dev);
  if (!now.present) {
    r.message = "the device disappeared";
    return;
  }
  // The override the device had before vfioctl bound it (almost always none).
  std::optional<std::string> final_override = p.record ? p.record->original.driver_override : std::nullopt;
  const std::optional<std::string>& target = p.expected_driver;
  if (target && now.driver == target && now.driver_override == final_override) {
    // Already where release puts it: its container's release brought it back (fsl-mc).
    r.ok = true;
    r.driver = now.driver;
    r.message = "back on " + *target + " with its container";
    return;
  }

  if (p.override_only && now.driver && !to_given) {
    // Already on a host driver: only the override would hand it to vfio at its next probe.
    if (fail(r, "writing driver_override", write_override(b, dev, final_override))) return;
    r.ok = true;
    r.driver = now.driver;
    r.message = "driver_override cleared; it stays on " + *now.driver;
    return;
  }

  if (to_given) {
    // --to: the named driver, through the override, then the override goes.
    load_host_modules(ctx, p, r);
    std::optional<std::string> driver = target;
    if (!driver && p.expected_module) {
      ctx.session.modules().forget();
      driver = driver_of_module(ctx.session.host(), ctx.session.modules(), *p.ref.bus, *p.expected_module);
    }
    if (!driver) {
      r.message = "module " + p.expected_module.value_or("?") + " registered no driver for this bus";
      return;
    }
    if (fail(r, "writing driver_override", b.set_override(dev, *driver))) return;
    if (now.driver && fail(r, "unbinding from " + *now.driver, b.unbind(dev, *now.driver))) return;
    if (fail(r, "drivers_probe", b.probe(dev))) return;
    BindingState s = b.wait_for_driver(dev);
    if (s.driver != driver) {
      r.message = "the device did not bind to " + *driver;
      return;
    }
    if (fail(r, "writing driver_override", write_override(b, dev, final_override))) return;
    r.ok = true;
    r.driver = driver;
    return;
  }

  // The documented sequence: clear the override, unbind, probe.
  if (fail(r, "writing driver_override", write_override(b, dev, final_override))) return;
  if (now.driver && fail(r, "unbinding from " + *now.driver, b.unbind(dev, *now.driver))) return;
  load_host_modules(ctx, p, r);
  BindingState s = b.state(dev);
  if (s.present && !s.driver) {
    if (fail(r, "drivers_probe", b.probe(dev))) return;
    s = b.wait_for_driver(dev);
  }
  if (target && s.driver != target) {
    // Another driver matched first, or a VF cannot autoprobe: steer the recorded one in.
    if (s.driver && fail(r, "unbinding from " + *s.driver, b.unbind(dev, *s.driver))) return;
    if (fail(r, "writing driver_override", b.set_override(dev, *target))) return;
    if (fail(r, "drivers_probe", b.probe(dev))) return;
    s = b.wait_for_driver(dev);
    if (fail(r, "writing driver_override", write_override(b, dev, final_override))) return;
    r.attempts.push_back({p.expected_module.value_or(""), target, "steered through driver_override"});
  }
  if (!s.present) {
    r.message = "the device disappeared";
    return;
  }
  if (target && s.driver != target) {
    r.message = "the host driver " + *target + " did not take the device back";
    return;
  }
  r.ok = true;
  r.driver = s.driver;
  if (!s.driver) r.message = "no host driver took it; it is left unbound";
}

}  // namespace

OperationResult execute_release(OperationContext& ctx, const ReleasePlan& plan) {
  OperationResult out;
  JournalStore journals(ctx.state_dir);
  OwnershipStore owners(ctx.state_dir);
  Journal journal;
  journal.operation = "release";
  journal.pid = ::getpid();
  journal.started = utc_now_iso8601();
  for (const auto& p : plan.devices) {
    if (!p.already_done) journal.devices.push_back({p.device.bus, p.device.name, p.original});
  }
  std::string error;
  if (!journal.devices.empty() && !journals.write(journal, &error)) {
    out.ok = false;
    out.errors.push_back("cannot write the journal, nothing was changed: " + error);
    return out;
  }

  std::vector<DeviceResult> results;
  std::vector<std::size_t> touched;
  std::size_t total = journal.devices.size(), index = 0;
  for (std::size_t i = 0; i < plan.devices.size(); ++i) {
    const PlannedRelease& p = plan.devices[i];
    DeviceResult r;
    r.device = p.device.id();
    r.before = p.original;
    if (p.already_done) {
      r.ok = true;
      r.after = p.original;
      r.message = p.note;
      if (p.record) owners.remove(p.device.bus, p.device.name);  // stale: someone else moved it
      results.push_back(std::move(r));
      continue;
    }
    ++index;
    if (ctx.progress.step) ctx.progress.step(index, total, r.device, "releasing");
    OverrideBinder binder(ctx.session.host(), ctx.kernel, *p.ref.bus);
    r.changed = true;
    touched.push_back(i);
    release_device(ctx, binder, p, plan.to.has_value(), r);
    r.after = binder.state(p.ref.name);
    if (ctx.progress.step) {
      ctx.progress.step(index, total, r.device, r.ok ? "on " + r.after.driver.value_or("no driver") : "FAILED: " + r.message);
    }
    bool failed = !r.ok;
    if (failed) out.errors.push_back(r.device + ": " + r.message);
    results.push_back(std::move(r));
    if (failed) {
      out.ok = false;
      break;
    }
  }

  if (!out.ok) {
    out.rolled_back = true;
    for (auto it = touched.rbegin(); it != touched.rend(); ++it) {
      const PlannedRelease& p = plan.devices[*it];
      OverrideBinder binder(ctx.session.host(), ctx.kernel, *p.ref.bus);
      RestoreResult back = restore_binding(binder, p.ref.name, p.original);
      for (auto& r : results) {
        if (r.device == p.device.id()) {
          r.after = back.final_state;
          r.ok = false;
        }
      }
      if (!back.ok && !back.final_state.present) {
        // Hot-unplugged: nothing to put back, and its record would claim a device that is gone.
        owners.remove(p.device.bus, p.device.name);
        out.notes.push_back(p.device.id() + ": gone from sysfs; nothing to put back");
      } else if (!back.ok) {
        out.rollback_complete = false;
        out.errors.push_back(p.device.id() + ": could not be put back: " + back.message);
      }
    }
    if (out.rollback_complete) journals.remove();
    else out.errors.push_back("the journal " + journals.path() + " is kept: run 'vfioctl recover' to retry");
  } else {
    for (const auto& p : plan.devices) {
      if (!p.already_done) owners.remove(p.device.bus, p.device.name);
    }
    journals.remove();
    settle_noiommu_mode(ctx, out);
  }
  out.devices = std::move(results);
  return out;
}

}  // namespace vfioctl
