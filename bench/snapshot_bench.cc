// The whole `vfioctl status` pipeline below the CLI, on fake /sys trees:
//   BM_Snapshot       Session + take_snapshot (list, read every device, groups, resolution)
//   BM_StatusJson     status_json() + dump(2) of a snapshot taken once (the nlohmann tree)
//   BM_StatusJsonText status_json_text(): the same bytes, written directly (what the CLI uses)
//   BM_StatusTable    print_status_table() without pci.ids names, and with them (the first
//                     lookup loads pci.ids: a new PciNames per iteration, as in one run)
// The CPU column is the whole process's CPU time: the snapshot and the JSON text use threads.
// The trees are generated in a temporary directory (bench_roots.h). VFIOCTL_BENCH_ROOT names
// another root to use as well, e.g. the peer benchmark's cached tree:
//   VFIOCTL_BENCH_ROOT=/tmp/fake-sysfs-bench/n4096 ./vfioctl_bench --benchmark_filter=Snapshot
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <sstream>

#include "bench_roots.h"
#include "inventory/snapshot.h"
#include "report/pci_names.h"
#include "report/status_json_text.h"
#include "report/status_report.h"

namespace vfioctl::bench {
namespace {

std::string root_for(const benchmark::State& state) {
  if (state.range(0) == 0) {
    const char* env = std::getenv("VFIOCTL_BENCH_ROOT");
    return env ? env : "";
  }
  return fake_sysfs_root(static_cast<std::size_t>(state.range(0)));
}

// Arg 0 = the VFIOCTL_BENCH_ROOT tree (skipped when unset).
void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(256)->Arg(4096)->Arg(0)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
}

void BM_Snapshot(benchmark::State& state) {
  const std::string root = root_for(state);
  if (root.empty()) return state.SkipWithError("VFIOCTL_BENCH_ROOT not set");
  std::size_t devices = 0;
  for (auto _ : state) {
    Session session{HostRoot(root)};
    Snapshot snap = take_snapshot(session, {});
    devices = snap.devices.size();
    benchmark::DoNotOptimize(snap);
  }
  state.counters["devices"] = static_cast<double>(devices);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * devices));
}
BENCHMARK(BM_Snapshot)->Apply(sizes);

void BM_StatusJson(benchmark::State& state) {
  const std::string root = root_for(state);
  if (root.empty()) return state.SkipWithError("VFIOCTL_BENCH_ROOT not set");
  Session session{HostRoot(root)};
  Snapshot snap = take_snapshot(session, {});
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = status_json(snap, session.host()).dump(2);
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * snap.devices.size()));
}
BENCHMARK(BM_StatusJson)->Apply(sizes);

void BM_StatusJsonText(benchmark::State& state) {
  const std::string root = root_for(state);
  if (root.empty()) return state.SkipWithError("VFIOCTL_BENCH_ROOT not set");
  Session session{HostRoot(root)};
  Snapshot snap = take_snapshot(session, {});
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string text = status_json_text(snap, session.host());
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * snap.devices.size()));
}
BENCHMARK(BM_StatusJsonText)->Apply(sizes);

void BM_StatusTable(benchmark::State& state, bool with_names) {
  const std::string root = root_for(state);
  if (root.empty()) return state.SkipWithError("VFIOCTL_BENCH_ROOT not set");
  Session session{HostRoot(root)};
  Snapshot snap = take_snapshot(session, {});
  for (auto _ : state) {
    std::ostringstream out;
    if (with_names) {
      PciNames names(session.host());
      print_status_table(snap, out, &names, {});
    } else {
      print_status_table(snap, out, nullptr, {});
    }
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * snap.devices.size()));
}
BENCHMARK_CAPTURE(BM_StatusTable, no_names, false)->Apply(sizes);
BENCHMARK_CAPTURE(BM_StatusTable, pci_ids_names, true)->Apply(sizes);

}  // namespace
}  // namespace vfioctl::bench
