// Runs independent per-item work on a few threads. Listing thousands of devices is a long
// run of small syscalls, each waiting only on the CPU; a second core roughly halves it. Small
// jobs (one device for bind, a few for explain) stay on the calling thread.
#pragma once

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace vfioctl {

// CPUs this process may run on (taskset and cgroup cpusets shrink it), at most `cap`.
inline unsigned usable_cpus(unsigned cap = 4) {
  cpu_set_t set;
  CPU_ZERO(&set);
  int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return std::clamp(static_cast<unsigned>(n), 1u, cap);
}

// Calls fn(i) for every i in [0, count), in chunks handed out in order; `fn` must only touch
// item i's own state. Uses one thread per `min_per_thread` items up to usable_cpus(). The
// first exception thrown by `fn` is rethrown here once every thread has stopped.
template <typename Fn>
void parallel_for(std::size_t count, std::size_t min_per_thread, Fn&& fn) {
  const std::size_t threads =
      std::min<std::size_t>(usable_cpus(), min_per_thread ? count / min_per_thread : count);
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  constexpr std::size_t kChunk = 32;
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_lock;
  auto worker = [&] {
    try {
      for (;;) {
        std::size_t begin = next.fetch_add(kChunk, std::memory_order_relaxed);
        if (begin >= count) return;
        std::size_t end = std::min(count, begin + kChunk);
        for (std::size_t i = begin; i < end; ++i) fn(i);
      }
    } catch (...) {
      std::lock_guard<std::mutex> hold(failure_lock);
      if (!failure) failure = std::current_exception();
      next.store(count, std::memory_order_relaxed);  // the others stop at their next chunk
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t) {
    try {
      pool.emplace_back(worker);
    } catch (const std::system_error&) {
      break;  // no thread to be had: the ones running (at least this one) do all the work
    }
  }
  worker();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace vfioctl
