// s390 AP (crypto adapters): the ap bus has no driver_override. Each queue, named by its APQN
// "<adapter>.<domain>" ("05.0004"), belongs to the host's zcrypt drivers when its adapter's bit
// is set in /sys/bus/ap/apmask AND its domain's bit in /sys/bus/ap/aqmask; any other queue is
// for a non-default driver, and vfio_ap takes it (Documentation/arch/s390/vfio-ap.rst,
// Documentation/ABI/testing/sysfs-bus-ap). The masks are 256-bit, shown as "0x" and 64 hex
// digits with bit 0 leftmost; a write is either such an absolute mask or relative edits
// "+N", "-N", "+A-B" separated by commas (drivers/s390/crypto/ap_bus.c ap_parse_mask_str and
// modify_bitmap), after which the bus rebinds every queue (ap_bus_revise_bindings).
//
// Clearing one bit moves every queue of that adapter, or of that domain on every adapter:
// giving exactly the asked-for queues to vfio is possible only when no other queue shares the
// bit. The plan says which queues move, and the extra ones are refused unless asked for.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/host_root.h"

namespace vfioctl {

inline constexpr int kApBits = 256;  // AP_DEVICES and AP_DOMAINS

struct Apqn {
  int adapter = 0;
  int domain = 0;
  std::string name() const;  // "%02x.%04x" (ap_queue.c dev_set_name)
  friend bool operator==(const Apqn&, const Apqn&) = default;
  friend auto operator<=>(const Apqn&, const Apqn&) = default;
};
std::optional<Apqn> parse_apqn(std::string_view text);  // "05.0004", any case

class ApMask {
 public:
  static std::optional<ApMask> parse(std::string_view shown);  // "0xffff..." (64 digits or fewer: padded)
  static ApMask all() { ApMask m; m.bits_.set(); return m; }
  bool test(int bit) const { return bits_.test(static_cast<std::size_t>(kApBits - 1 - bit)); }
  void set(int bit, bool on) { bits_.set(static_cast<std::size_t>(kApBits - 1 - bit), on); }
  std::string show() const;  // "0x" + 64 lower-case hex digits, as apmask_show prints
  // Applies a write as the kernel does (absolute or relative); false for what it rejects.
  bool apply(std::string_view written);
  friend bool operator==(const ApMask&, const ApMask&) = default;

 private:
  std::bitset<kApBits> bits_;  // bits_[255] is AP bit 0
};

enum class ApMaskKind { kAdapters, kDomains };
std::string_view mask_file(ApMaskKind kind);  // "apmask", "aqmask"

struct ApMasks {
  ApMask apm = ApMask::all();
  ApMask aqm = ApMask::all();
  bool host_owned(const Apqn& q) const { return apm.test(q.adapter) && aqm.test(q.domain); }
  static std::optional<ApMasks> read(const HostRoot& host, std::string* error);
};

// One write to a mask: the bits it clears (bind) or sets (release).
struct ApMaskEdit {
  ApMaskKind kind = ApMaskKind::kAdapters;
  std::vector<int> bits;
  std::string value(bool set) const;  // "-0x05,-0x06" or "+0x05,+0x06"
  std::string path() const;           // "/sys/bus/ap/apmask"
  std::string describe() const;       // "adapter 0x05", "domains 0x0004, 0x0006"
};

struct ApBindPlan {
  std::optional<ApMaskEdit> edit;   // none: every asked-for queue is already off the host's drivers
  std::vector<Apqn> moved;          // every queue the edit takes from the host, asked for or not
  std::vector<Apqn> extra;          // those not asked for
  std::vector<Apqn> already;        // asked for, already not the host's
};

// `present`: every queue on the bus. Clears adapter bits or domain bits, whichever moves fewer
// queues that were not asked for (adapters on a tie: a whole card is the usual unit).
ApBindPlan plan_ap_bind(const ApMasks& masks, const std::vector<Apqn>& present, const std::vector<Apqn>& wanted);

// The queues a mask edit gives back to the host (release): those its bits alone kept off.
std::vector<Apqn> queues_restored_by(const ApMasks& masks, const std::vector<Apqn>& present, const ApMaskEdit& edit);

}  // namespace vfioctl
