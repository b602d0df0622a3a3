// Loading the vfio alias index and resolving devices against it, on real Debian module trees.
//   BM_IndexLoad          VfioAliasIndex::load: modprobe.d (empty) + modules.alias (text scan)
//                         + modules.builtin.alias.bin (libkmod dump)
//   BM_ParseAliasLines    the modules.alias scan alone, keeping "vfio_" aliases or all of them
//   BM_ResolveDistinct    CandidateRanker::resolve for devices that all differ (no cache hits)
//   BM_ResolveRepeated    the same for a 4096-device mix with 4 distinct modaliases, as on
//                         a host with many identical VFs (the ranker's cache answers)
//   BM_ResolveManyAliases a synthetic index of every "pci:" alias of the kernel renamed to
//                         "vfio_pci:" (~10,000 vfio aliases; real kernels have 1 to 10), to
//                         show how resolution grows with the index
#include <benchmark/benchmark.h>

#include <random>

#include "bench_roots.h"
#include "bus/bus_registry.h"
#include "modules/alias_text.h"
#include "modules/kmod_session.h"
#include "modules/module_catalog.h"
#include "modules/vfio_alias_index.h"
#include "pci/pci_modalias.h"
#include "resolve/candidate_ranker.h"

namespace vfioctl::bench {
namespace {

const char* const kLargest = "arm64-6.12.95+deb12-arm64";  // 30,060 lines, 1.47 MB
const char* const kAmd64 = "amd64-7.2.13+deb14-amd64";      // 28,075 lines + 593 built-in pci aliases

void BM_IndexLoad(benchmark::State& state, const char* kernel) {
  HostRoot host(module_tree_root(kernel), release_of(kernel));
  KmodSession kmod(host);
  std::size_t aliases = 0;
  for (auto _ : state) {
    auto index = VfioAliasIndex::load(host, kmod);
    aliases = index.aliases().size();
    benchmark::DoNotOptimize(index);
  }
  state.counters["vfio_aliases"] = static_cast<double>(aliases);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(modules_alias_text(kernel).size()));
}
BENCHMARK_CAPTURE(BM_IndexLoad, arm64_6_12, kLargest)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_IndexLoad, amd64_7_2, kAmd64)->Unit(benchmark::kMillisecond);

void BM_ParseAliasLines(benchmark::State& state, const char* prefix) {
  const std::string& text = modules_alias_text(kLargest);
  std::size_t kept = 0, lines = 0;
  for (auto _ : state) {
    std::vector<AliasEntry> out;
    auto stats = parse_alias_lines(text, prefix, out);
    kept = stats.kept;
    lines = stats.lines;
    benchmark::DoNotOptimize(out);
  }
  state.counters["lines"] = static_cast<double>(lines);
  state.counters["kept"] = static_cast<double>(kept);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(text.size()));
}
BENCHMARK_CAPTURE(BM_ParseAliasLines, vfio_prefix, "vfio_")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseAliasLines, all_aliases, "")->Unit(benchmark::kMillisecond);

Device pci_device(const PciIdentity& id) {
  Device d;
  d.bus = "pci";
  d.name = "0000:01:00.0";
  d.modalias = format_pci_modalias(id);
  d.pci = id;
  return d;
}

std::vector<Device> distinct_devices(std::size_t n) {
  std::mt19937 rng(4096);  // fixed: the same devices every run
  std::vector<Device> out;
  for (std::size_t i = 0; i < n; ++i) {
    PciIdentity id;
    id.vendor = static_cast<std::uint16_t>(rng());
    id.device = static_cast<std::uint16_t>(i);  // distinct by construction
    id.subsystem_vendor = static_cast<std::uint16_t>(rng());
    id.subsystem_device = static_cast<std::uint16_t>(rng());
    id.class_code = rng() & 0xffffff;
    out.push_back(pci_device(id));
  }
  return out;
}

// The peer benchmark tree's mix: ConnectX VFs, NVMe, GPU, root ports.
std::vector<Device> repeated_devices(std::size_t n) {
  const PciIdentity kinds[] = {{0x15b3, 0x101e, 0x15b3, 0, 0x020000},
                               {0x144d, 0xa824, 0x144d, 0xa801, 0x010802},
                               {0x10de, 0x2330, 0x10de, 0x16c1, 0x030200},
                               {0x8086, 0x2030, 0x8086, 0, 0x060400}};
  std::vector<Device> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(pci_device(kinds[i % 16 < 12 ? 0 : i % 4]));
  return out;
}

struct Resolver {
  HostRoot host;
  KmodSession kmod;
  ModuleCatalog catalog;
  VfioAliasIndex index;
  BusRegistry buses;
  explicit Resolver(const char* kernel)
      : host(module_tree_root(kernel), release_of(kernel)), kmod(host), catalog(host, kmod),
        index(VfioAliasIndex::load(host, kmod)) {}
};

void resolve_all(benchmark::State& state, Resolver& r, const std::vector<Device>& devices) {
  for (auto _ : state) {
    // A new ranker per iteration: its cache starts empty, as in one vfioctl run.
    CandidateRanker ranker(r.buses.pci(), r.index, r.catalog);
    for (const auto& d : devices) benchmark::DoNotOptimize(ranker.resolve(d));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(devices.size()));
  state.counters["vfio_aliases"] = static_cast<double>(r.index.aliases().size());
}

void BM_ResolveDistinct(benchmark::State& state) {
  Resolver r(kLargest);
  auto devices = distinct_devices(static_cast<std::size_t>(state.range(0)));
  resolve_all(state, r, devices);
}
BENCHMARK(BM_ResolveDistinct)->Arg(4096)->Unit(benchmark::kMillisecond);

void BM_ResolveRepeated(benchmark::State& state) {
  Resolver r(kLargest);
  auto devices = repeated_devices(static_cast<std::size_t>(state.range(0)));
  resolve_all(state, r, devices);
}
BENCHMARK(BM_ResolveRepeated)->Arg(4096)->Unit(benchmark::kMillisecond);

void BM_ResolveManyAliases(benchmark::State& state) {
  Resolver r(kAmd64);
  std::vector<AliasEntry> pci;
  parse_alias_lines(modules_alias_text(kAmd64), "pci:", pci);
  std::vector<VfioAlias> renamed;
  for (auto& e : pci) {
    renamed.push_back(VfioAlias{"vfio_" + e.pattern, e.module, AliasSource::kModulesAlias, e.line});
  }
  r.index = VfioAliasIndex(std::move(renamed));
  auto devices = distinct_devices(static_cast<std::size_t>(state.range(0)));
  resolve_all(state, r, devices);
}
BENCHMARK(BM_ResolveManyAliases)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vfioctl::bench
