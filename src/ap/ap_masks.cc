#include "ap/ap_masks.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "host/file_io.h"
#include "host/hex_digit.h"

namespace vfioctl {

namespace {

// simple_strtoul(str, &end, 0): "0x.." hex, "0.." octal, else decimal. Returns the number and
// how many characters it used (0: none).
std::pair<unsigned long, std::size_t> strtoul_base0(std::string_view s) {
  std::string copy(s);
  char* end = nullptr;
  unsigned long v = std::strtoul(copy.c_str(), &end, 0);
  return {v, static_cast<std::size_t>(end - copy.c_str())};
}

}  // namespace

std::string Apqn::name() const { return fmt::format("{:02x}.{:04x}", adapter, domain); }

std::optional<Apqn> parse_apqn(std::string_view text) {
  auto dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 2 || text.size() - dot - 1 != 4) return std::nullopt;
  Apqn q;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == dot) continue;
    int v = hex_digit_value(text[i]);
    if (v < 0) return std::nullopt;
    int& into = i < dot ? q.adapter : q.domain;
    into = into * 16 + v;
  }
  if (q.adapter >= kApBits || q.domain >= kApBits) return std::nullopt;
  return q;
}

std::optional<ApMask> ApMask::parse(std::string_view shown) {
  ApMask m;
  if (!m.apply(shown) || shown.empty() || shown.front() == '+' || shown.front() == '-') return std::nullopt;
  return m;
}

// hex2bitmap: the hex digits fill the mask from bit 0 (leftmost); a shorter string leaves the
// rest clear. modify_bitmap: "+N", "-N", "+A-B", separated by ',' (or a newline), base 0.
bool ApMask::apply(std::string_view w) {
  while (!w.empty() && (w.back() == '\n' || w.back() == ' ')) w.remove_suffix(1);
  if (w.empty()) return false;
  if (w.front() != '+' && w.front() != '-') {
    if (w.substr(0, 2) == "0x" || w.substr(0, 2) == "0X") w.remove_prefix(2);
    if (w.empty() || w.size() * 4 > static_cast<std::size_t>(kApBits)) return false;
    std::bitset<kApBits> next;
    int bit = 0;
    for (char c : w) {
      int v = hex_digit_value(c);
      if (v < 0) return false;
      for (int k = 3; k >= 0; --k, ++bit) {
        if (v >> k & 1) next.set(static_cast<std::size_t>(kApBits - 1 - bit));
      }
    }
    bits_ = next;
    return true;
  }
  ApMask next = *this;
  while (!w.empty()) {
    char sign = w.front();
    if (sign != '+' && sign != '-') return false;
    w.remove_prefix(1);
    auto [a, used] = strtoul_base0(w);
    if (used == 0 || a >= static_cast<unsigned long>(kApBits)) return false;
    w.remove_prefix(used);
    unsigned long z = a;
    if (!w.empty() && w.front() == '-') {
      w.remove_prefix(1);
      auto [b, used_b] = strtoul_base0(w);
      if (used_b == 0 || b < a || b >= static_cast<unsigned long>(kApBits)) return false;
      z = b;
      w.remove_prefix(used_b);
    }
    for (unsigned long i = a; i <= z; ++i) next.set(static_cast<int>(i), sign == '+');
    while (!w.empty() && (w.front() == ',' || w.front() == '\n')) w.remove_prefix(1);
  }
  *this = next;
  return true;
}

std::string ApMask::show() const {
  std::string out = "0x";
  for (int nibble = 0; nibble < kApBits / 4; ++nibble) {
    int v = 0;
    for (int k = 0; k < 4; ++k) v = v << 1 | (test(nibble * 4 + k) ? 1 : 0);
    out += "0123456789abcdef"[v];
  }
  return out;
}

std::string_view mask_file(ApMaskKind kind) { return kind == ApMaskKind::kAdapters ? "apmask" : "aqmask"; }

std::optional<ApMasks> ApMasks::read(const HostRoot& host, std::string* error) {
  ApMasks m;
  for (ApMaskKind kind : {ApMaskKind::kAdapters, ApMaskKind::kDomains}) {
    std::string path = host.sys("bus/ap/") + std::string(mask_file(kind));
    ReadResult r = read_attr_path(path);
    auto mask = r.ok() ? ApMask::parse(r.value) : std::nullopt;
    if (!mask) {
      if (error) *error = path + ": " + (r.ok() ? "unexpected value '" + r.value + "'" : errno_text(r.error));
      return std::nullopt;
    }
    (kind == ApMaskKind::kAdapters ? m.apm : m.aqm) = *mask;
  }
  return m;
}

std::string ApMaskEdit::value(bool set) const {
  std::string out;
  for (int b : bits) out += fmt::format("{}{}0x{:02x}", out.empty() ? "" : ",", set ? '+' : '-', b);
  return out;
}

std::string ApMaskEdit::path() const { return "/sys/bus/ap/" + std::string(mask_file(kind)); }

std::string ApMaskEdit::describe() const {
  std::string what = kind == ApMaskKind::kAdapters ? (bits.size() == 1 ? "adapter " : "adapters ")
                                                   : (bits.size() == 1 ? "domain " : "domains ");
  for (std::size_t i = 0; i < bits.size(); ++i) {
    what += (i ? ", " : "") + (kind == ApMaskKind::kAdapters ? fmt::format("0x{:02x}", bits[i]) : fmt::format("0x{:04x}", bits[i]));
  }
  return what;
}

ApBindPlan plan_ap_bind(const ApMasks& masks, const std::vector<Apqn>& present, const std::vector<Apqn>& wanted) {
  ApBindPlan plan;
  std::set<int> adapters, domains;
  std::set<Apqn> asked;
  for (const auto& q : wanted) {
    if (!masks.host_owned(q)) {
      plan.already.push_back(q);
      continue;
    }
    adapters.insert(q.adapter);
    domains.insert(q.domain);
    asked.insert(q);
  }
  if (asked.empty()) return plan;
  auto moved_by = [&](ApMaskKind kind) {
    std::vector<Apqn> moved;
    for (const auto& q : present) {
      if (!masks.host_owned(q)) continue;
      bool hit = kind == ApMaskKind::kAdapters ? adapters.count(q.adapter) : domains.count(q.domain);
      if (hit) moved.push_back(q);
    }
    std::sort(moved.begin(), moved.end());
    return moved;
  };
  auto by_adapter = moved_by(ApMaskKind::kAdapters);
  auto by_domain = moved_by(ApMaskKind::kDomains);
  bool use_domains = by_domain.size() < by_adapter.size();
  plan.edit = ApMaskEdit{use_domains ? ApMaskKind::kDomains : ApMaskKind::kAdapters,
                         use_domains ? std::vector<int>(domains.begin(), domains.end())
                                     : std::vector<int>(adapters.begin(), adapters.end())};
  plan.moved = use_domains ? by_domain : by_adapter;
  for (const auto& q : plan.moved) {
    if (!asked.count(q)) plan.extra.push_back(q);
  }
  return plan;
}

std::vector<Apqn> queues_restored_by(const ApMasks& masks, const std::vector<Apqn>& present, const ApMaskEdit& edit) {
  ApMasks after = masks;
  for (int b : edit.bits) (edit.kind == ApMaskKind::kAdapters ? after.apm : after.aqm).set(b, true);
  std::vector<Apqn> out;
  for (const auto& q : present) {
    if (!masks.host_owned(q) && after.host_owned(q)) out.push_back(q);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vfioctl
