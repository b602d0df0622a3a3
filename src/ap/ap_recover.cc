#include "ap/ap_recover.h"

#include "ap/ap_bind.h"
#include "bind/ownership.h"
#include "host/file_io.h"

namespace vfioctl {

bool recover_ap(OperationContext& ctx, const Journal& journal, OperationResult& out) {
  const HostRoot& host = ctx.session.host();
  bool ok = true;
  for (auto it = journal.ap_edits.rbegin(); it != journal.ap_edits.rend(); ++it) {
    ApMaskEdit edit;
    edit.kind = it->mask == "aqmask" ? ApMaskKind::kDomains : ApMaskKind::kAdapters;
    edit.bits = it->bits;
    // A relative edit ("+N"/"-N") is idempotent: the bits may already be back if the process
    // died before its write.
    const std::string value = edit.value(/*set=*/it->cleared);
    if (int e = ctx.kernel.write_attribute(edit.path(), value)) {
      ok = false;
      out.errors.push_back(ap_mask_write_error(edit, e) + "; then run 'vfioctl recover' again");
    }
  }
  std::vector<Apqn> to_host, to_vfio;
  for (const auto& d : journal.devices) {
    if (d.bus != "ap") continue;
    auto q = parse_apqn(d.name);
    if (!q) continue;
    (d.original.driver && *d.original.driver == kVfioAp ? to_vfio : to_host).push_back(*q);
  }
  if (!to_host.empty()) wait_for_ap_queues(ctx.kernel, host, to_host, false);
  if (!to_vfio.empty()) wait_for_ap_queues(ctx.kernel, host, to_vfio, true);

  OwnershipStore owners(ctx.state_dir);
  for (const auto& d : journal.devices) {
    if (d.bus != "ap") continue;
    DeviceResult r;
    r.device = "ap/" + d.name;
    r.before = d.original;
    r.after = BindingState{std::nullopt, std::nullopt, false};
    auto q = parse_apqn(d.name);
    if (q) r.after = BindingState{ap_queue_driver(host, *q), std::nullopt, true};
    const bool want_vfio = d.original.driver && *d.original.driver == kVfioAp;
    const bool on_vfio = r.after.driver && *r.after.driver == kVfioAp;
    r.changed = true;
    r.driver = r.after.driver;
    r.ok = q && r.after.present && on_vfio == want_vfio;
    if (!r.ok) {
      ok = false;
      r.message = want_vfio ? "not back on vfio_ap" : "not back on the host's AP drivers";
      out.errors.push_back(r.device + ": " + r.message);
    } else if (!want_vfio) {
      owners.remove("ap", d.name);  // the host's again: a record would claim it for vfioctl
    }
    out.devices.push_back(std::move(r));
  }
  if (!ok) out.ok = false;
  return ok;
}

}  // namespace vfioctl
