// The s390 AP bus: crypto adapters ("card05") and their queues ("05.0004"). There is no
// driver_override: queues reach vfio_ap through the bus's masks (src/ap/ap_masks.h), which
// bind and release handle. Cards are listed but not assignable: their queues are.
#include "ap/ap_masks.h"
#include "buses/buses.h"

namespace vfioctl {

BusSpec ap_bus_spec() {
  BusSpec s;
  s.name = "ap";
  s.generic_vfio_module = "vfio_ap";
  s.steered_by_override = false;
  s.list_all = true;  // every queue is a candidate: no IOMMU group marks them
  s.canonical_name = [](std::string_view text) -> std::optional<std::string> {
    if (auto q = parse_apqn(text)) return q->name();
    if (text.size() == 6 && text.substr(0, 4) == "card") {
      if (auto q = parse_apqn(std::string(text.substr(4)) + ".0000")) return "card" + q->name().substr(0, 2);
    }
    return std::nullopt;
  };
  s.read_extra = [](const HostRoot&, const Dir&, Device& d) {
    if (!parse_apqn(d.name)) d.not_assignable = "AP adapter (give its queues, ADAPTER.DOMAIN, to vfio_ap)";
  };
  s.notes = [](Session&, const Device& d) {
    std::vector<std::string> out;
    if (parse_apqn(d.name)) {
      out.push_back("AP queues go to vfio_ap through /sys/bus/ap/apmask and aqmask, not driver_override; "
                    "a guest then needs a vfio_ap-passthrough mdev with the queue's adapter and domain assigned");
    }
    return out;
  };
  return s;
}

}  // namespace vfioctl
