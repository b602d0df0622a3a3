#include "bind/sriov_control.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "bind/bind_executor.h"
#include "bind/journal.h"
#include "bind/ownership.h"
#include "host/file_io.h"
#include "safety/vfio_users.h"

namespace vfioctl {

namespace {

std::string pf_attr(const std::string& pf, const char* name) { return "/sys/bus/pci/devices/" + pf + "/" + name; }

std::optional<int> read_pf_int(const HostRoot& host, const std::string& pf, const char* name) {
  ReadResult r = read_attr_path(host.path(pf_attr(pf, name)));
  if (!r.ok() || r.value.empty()) return std::nullopt;
  return std::atoi(r.value.c_str());
}

int write_numvfs(OperationContext& ctx, const std::string& pf, int count) {
  auto now = read_pf_int(ctx.session.host(), pf, "sriov_numvfs").value_or(0);
  if (now == count) return 0;
  if (now > 0 && count > 0) {
    if (int e = ctx.kernel.write_attribute(pf_attr(pf, "sriov_numvfs"), "0")) return e;
  }
  return ctx.kernel.write_attribute(pf_attr(pf, "sriov_numvfs"), std::to_string(count));
}

// VFs are added synchronously by sriov_configure, but give slow PF drivers a moment.
std::vector<std::string> wait_for_vf_count(OperationContext& ctx, const std::string& pf, std::size_t count) {
  auto vfs = list_vfs(ctx.session.host(), pf);
  for (int i = 0; i < 20 && vfs.size() != count; ++i) {
    ctx.kernel.wait(std::chrono::milliseconds(50));
    vfs = list_vfs(ctx.session.host(), pf);
  }
  return vfs;
}

}  // namespace

std::vector<std::string> list_vfs(const HostRoot& host, const std::string& pf) {
  std::vector<std::pair<int, std::string>> found;
  std::string dir = host.sys("bus/pci/devices/") + pf;
  for (const auto& entry : list_dir(dir)) {
    if (entry.rfind("virtfn", 0) != 0) continue;
    ReadResult link = read_link_path(dir + "/" + entry);
    if (link.ok()) found.emplace_back(std::atoi(entry.c_str() + 6), std::string(last_component(link.value)));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

bool restore_sriov(OperationContext& ctx, const std::string& pf, std::optional<int> numvfs,
                   std::optional<int> autoprobe, std::string* error) {
  // A hot-unplugged PF took its VFs and settings with it: nothing is left to put back.
  if (!path_exists(ctx.session.host().sys("bus/pci/devices/") + pf)) return true;
  bool ok = true;
  if (numvfs) {
    if (int e = write_numvfs(ctx, pf, *numvfs)) {
      ok = false;
      if (error) *error = "sriov_numvfs back to " + std::to_string(*numvfs) + ": " + errno_text(e);
    }
  }
  if (autoprobe && read_pf_int(ctx.session.host(), pf, "sriov_drivers_autoprobe") != autoprobe) {
    if (int e = ctx.kernel.write_attribute(pf_attr(pf, "sriov_drivers_autoprobe"), std::to_string(*autoprobe))) {
      ok = false;
      if (error) *error += (error->empty() ? "" : "; ") + std::string("sriov_drivers_autoprobe: ") + errno_text(e);
    }
  }
  return ok;
}

VfsOutcome run_vfs(OperationContext& ctx, const VfsOptions& options, const AddressSource& addresses) {
  VfsOutcome outcome;
  const HostRoot& host = ctx.session.host();
  const std::string& pf = options.pf.name;
  auto dev = options.pf.bus->read(host, pf);
  auto problem = [&](BindPlan::Block block, const std::string& message) {
    outcome.block = block;
    outcome.problems.push_back({options.pf.id(), message});
    return outcome;
  };
  if (!dev) return problem(BindPlan::Block::kBadInput, "no such device (run 'vfioctl status' to list devices)");
  if (!dev->sriov.is_pf()) return problem(BindPlan::Block::kBadInput, "is not an SR-IOV PF (no sriov_totalvfs)");
  if (options.count < 0 || options.count > *dev->sriov.totalvfs) {
    return problem(BindPlan::Block::kBadInput,
                   "supports 0 to " + std::to_string(*dev->sriov.totalvfs) + " VFs, not " + std::to_string(options.count));
  }
  if (!dev->driver) {
    return problem(BindPlan::Block::kRefused,
                   "has no driver; VFs are created by the PF's driver (sriov_configure): bind it to its host driver first");
  }
  const int numvfs_before = dev->sriov.numvfs.value_or(0);
  const std::optional<bool> autoprobe_before = dev->sriov.drivers_autoprobe;
  auto current_vfs = list_vfs(host, pf);
  if (numvfs_before != options.count) {
    // Changing the count removes the current VFs: none may be in use through VFIO.
    for (const auto& vf : current_vfs) {
      auto vfdev = options.pf.bus->read(host, vf);
      if (!vfdev) continue;
      for (const auto& user : vfio_users(host, vfdev->iommu_group, vfdev->vfio_dev)) {
        outcome.problems.push_back({vf, "is open by pid " + std::to_string(user.pid) + " (" + user.command + ") through " + user.node});
        outcome.block = BindPlan::Block::kRefused;
      }
    }
    if (outcome.block != BindPlan::Block::kNone) return outcome;
  } else if (!options.bind) {
    outcome.nothing_to_do = true;
    outcome.vfs = current_vfs;
    return outcome;
  }

  Journal journal;
  journal.operation = "vfs";
  journal.pid = ::getpid();
  journal.started = utc_now_iso8601();
  journal.sriov_pf = pf;
  journal.sriov_numvfs = numvfs_before;
  if (autoprobe_before) journal.sriov_autoprobe = *autoprobe_before ? 1 : 0;
  JournalStore journals(ctx.state_dir);
  std::string error;
  OperationResult& out = outcome.result;
  if (!journals.write(journal, &error)) {
    out.ok = false;
    out.errors.push_back("cannot write the journal, nothing was changed: " + error);
    return outcome;
  }
  auto undo = [&](const std::string& why) {
    out.ok = false;
    out.rolled_back = true;
    out.errors.push_back(why);
    std::string restore_error;
    if (restore_sriov(ctx, pf, numvfs_before, journal.sriov_autoprobe, &restore_error)) {
      journals.remove();
    } else {
      out.rollback_complete = false;
      out.errors.push_back(pf + ": could not be put back: " + restore_error +
                           "; the journal is kept: run 'vfioctl recover'");
    }
  };

  const bool autoprobe_off = options.bind || options.unbound_vfs;
  if (autoprobe_off && autoprobe_before.value_or(true)) {
    if (int e = ctx.kernel.write_attribute(pf_attr(pf, "sriov_drivers_autoprobe"), "0")) {
      undo(pf + ": sriov_drivers_autoprobe: " + errno_text(e));
      return outcome;
    }
  }
  if (int e = write_numvfs(ctx, pf, options.count)) {
    undo(pf + ": sriov_numvfs: " + errno_text(e));
    return outcome;
  }
  outcome.vfs = wait_for_vf_count(ctx, pf, static_cast<std::size_t>(options.count));
  if (outcome.vfs.size() != static_cast<std::size_t>(options.count)) {
    undo(pf + ": asked for " + std::to_string(options.count) + " VFs, " + std::to_string(outcome.vfs.size()) + " appeared");
    return outcome;
  }
  // VFs that vanished take their ownership records with them.
  OwnershipStore owners(ctx.state_dir);
  for (const auto& old : current_vfs) {
    if (std::find(outcome.vfs.begin(), outcome.vfs.end(), old) == outcome.vfs.end()) owners.remove("pci", old);
  }

  if (options.bind && !outcome.vfs.empty()) {
    BindOptions bind;
    for (const auto& vf : outcome.vfs) bind.devices.push_back(DeviceRef{options.pf.bus, vf});
    bind.driver = options.driver;
    bind.generic = options.generic;
    bind.force = options.force;
    BindPlan plan = plan_bind(ctx.session, bind, addresses);
    if (plan.block() != BindPlan::Block::kNone) {
      for (auto* list : {&plan.bad_input, &plan.refusals, &plan.cannot}) {
        for (const auto& p : *list) out.errors.push_back(p.device + ": " + p.message);
      }
      undo("the new VFs cannot be bound; the PF is put back");
      return outcome;
    }
    OperationResult bound = execute_bind(ctx, plan, journal, /*owns_journal=*/false);
    out.devices = bound.devices;
    out.notes = bound.notes;
    if (!bound.ok) {
      for (auto& e : bound.errors) out.errors.push_back(e);
      if (!bound.rollback_complete) {
        out.ok = false;
        out.rollback_complete = false;
        return outcome;
      }
      undo("binding the VFs failed; the PF is put back");
      return outcome;
    }
  }
  if (autoprobe_off && autoprobe_before && *autoprobe_before) {
    if (int e = ctx.kernel.write_attribute(pf_attr(pf, "sriov_drivers_autoprobe"), "1")) {
      // All or nothing: a PF left with autoprobe off would keep the host's driver off every VF
      // it creates later. Putting the VF count back removes the VFs just bound, and their records.
      for (const auto& vf : outcome.vfs) owners.remove("pci", vf);
      for (auto& d : out.devices) {
        d.ok = false;
        d.message = "removed again with the VFs";
      }
      undo(pf + ": could not turn sriov_drivers_autoprobe back on: " + errno_text(e) + "; the PF is put back");
      outcome.vfs = list_vfs(host, pf);
      return outcome;
    }
  }
  journals.remove();
  return outcome;
}

}  // namespace vfioctl
