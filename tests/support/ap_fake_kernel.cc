#include "support/ap_fake_kernel.h"

#include <cerrno>
#include <cstdlib>

#include "support/sim_kernel.h"

namespace vfioctl::testing {

namespace {

int queue_adapter(const std::string& q) { return static_cast<int>(std::strtol(q.substr(0, 2).c_str(), nullptr, 16)); }
int queue_domain(const std::string& q) { return static_cast<int>(std::strtol(q.substr(3).c_str(), nullptr, 16)); }

std::string show(const bool* bits) {
  static const char* hex = "0123456789abcdef";
  std::string out = "0x";
  for (int n = 0; n < 64; ++n) {
    int v = 0;
    for (int k = 0; k < 4; ++k) v = v * 2 + (bits[n * 4 + k] ? 1 : 0);
    out += hex[v];
  }
  return out;
}

// ap_parse_mask_str: "+N[-M],-N..." (numbers in C notation) edit the mask; anything else is a
// hex mask filling it from bit 0. Returns false (EINVAL) for what the kernel rejects.
bool parse_into(std::string text, bool* bits) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (text.empty()) return false;
  bool next[256];
  for (int i = 0; i < 256; ++i) next[i] = bits[i];
  if (text[0] == '+' || text[0] == '-') {
    const char* p = text.c_str();
    while (*p) {
      char sign = *p++;
      if (sign != '+' && sign != '-') return false;
      char* end = nullptr;
      long a = std::strtol(p, &end, 0);
      if (end == p || a < 0 || a > 255) return false;
      long z = a;
      p = end;
      if (*p == '-') {
        z = std::strtol(++p, &end, 0);
        if (end == p || z < a || z > 255) return false;
        p = end;
      }
      for (long i = a; i <= z; ++i) next[i] = sign == '+';
      while (*p == ',') ++p;
    }
  } else {
    std::string h = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
    if (h.empty() || h.size() > 64) return false;
    for (int i = 0; i < 256; ++i) next[i] = false;
    for (std::size_t n = 0; n < h.size(); ++n) {
      char c = h[n];
      int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (v < 0) return false;
      for (int k = 0; k < 4; ++k) next[n * 4 + static_cast<std::size_t>(k)] = (v >> (3 - k)) & 1;
    }
  }
  for (int i = 0; i < 256; ++i) bits[i] = next[i];
  return true;
}

}  // namespace

ApFakeKernel::ApFakeKernel(FakeSysfs& sysfs, std::vector<std::string> queues, std::string host_driver,
                           std::string host_module)
    : sysfs_(sysfs), queues_(std::move(queues)), host_driver_(std::move(host_driver)), host_module_(std::move(host_module)) {
  for (int i = 0; i < 256; ++i) apm_[i] = aqm_[i] = true;  // default: every adapter and domain the host's
  std::set<int> cards;
  for (const auto& q : queues_) {
    sysfs_.other("ap", q).driver(host_driver_, host_module_, ModuleKind::kLoadable);
    cards.insert(queue_adapter(q));
  }
  for (int c : cards) {
    char name[16];
    std::snprintf(name, sizeof name, "card%02x", c);
    sysfs_.other("ap", name).driver("cex4card", host_module_, ModuleKind::kLoadable);
  }
  render();
}

void ApFakeKernel::set_mask(bool adapters, int bit, bool on) {
  (adapters ? apm_ : aqm_)[bit] = on;
  // At boot the bus bound each queue to the side its bits give it.
  for (const auto& q : queues_) {
    if (!owned_by_default(q)) sysfs_.other("ap", q).no_driver();
  }
  render();
}

bool ApFakeKernel::owned_by_default(const std::string& q) const { return apm_[queue_adapter(q)] && aqm_[queue_domain(q)]; }

std::string ApFakeKernel::driver_of(const std::string& queue) const {
  return sysfs_.other("ap", queue).bound_driver().value_or("none");
}

void ApFakeKernel::revise_bindings() {
  for (const auto& q : queues_) {
    FakeOtherDevice& dev = sysfs_.other("ap", q);
    const auto drv = dev.bound_driver();
    bool owned = owned_by_default(q);
    if (owned && drv && *drv == "vfio_ap") dev.no_driver();
    if (!owned && drv && *drv == host_driver_) dev.no_driver();
    if (dev.bound_driver()) continue;
    if (owned) dev.driver(host_driver_, host_module_, ModuleKind::kLoadable);
    else if (vfio_ap_loaded_ && !vfio_ap_refuses_) dev.driver("vfio_ap", "vfio_ap", ModuleKind::kLoadable);
  }
  render();
}

void ApFakeKernel::render() {
  sysfs_.file("/sys/bus/ap/apmask", show(apm_) + "\n");
  sysfs_.file("/sys/bus/ap/aqmask", show(aqm_) + "\n");
  sysfs_.write();
}

int ApFakeKernel::write_attribute(const std::string& path, std::string_view value) {
  writes_.push_back(path + " <- " + std::string(value));
  bool adapters = path == "/sys/bus/ap/apmask";
  if (!adapters && path != "/sys/bus/ap/aqmask") return EACCES;  // nothing else is writable here
  bool* mask = adapters ? apm_ : aqm_;
  bool next[256];
  for (int i = 0; i < 256; ++i) next[i] = mask[i];
  if (!parse_into(std::string(value), next)) return EINVAL;
  // Giving queues back that an mdev uses is refused before anything changes.
  for (const auto& q : in_use_) {
    int bit = adapters ? queue_adapter(q) : queue_domain(q);
    bool other = adapters ? aqm_[queue_domain(q)] : apm_[queue_adapter(q)];
    if (!mask[bit] && next[bit] && other) return EBUSY;
  }
  for (int i = 0; i < 256; ++i) mask[i] = next[i];
  revise_bindings();
  if (crash_after_ != 0 && writes_.size() == crash_after_) {
    crash_after_ = 0;
    throw SimulatedCrash{writes_.size(), path};
  }
  return 0;
}

ModuleLoad ApFakeKernel::load_module(const std::string& module, bool) {
  ModuleLoad r;
  if (module != "vfio_ap") {
    r.message = "cannot load " + module + ": not in this fake";
    return r;
  }
  r.outcome = vfio_ap_loaded_ ? ModuleLoad::Outcome::kAlreadyLoaded : ModuleLoad::Outcome::kLoaded;
  vfio_ap_loaded_ = true;
  revise_bindings();
  return r;
}

}  // namespace vfioctl::testing
