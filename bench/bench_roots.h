// Host roots for the benchmarks, built once per process in a temporary directory:
//   - a module tree made from one real Debian kernel's files in tests/data/kernels,
//   - a fake /sys of N PCI devices laid out as the kernel does (same shape as the peer
//     benchmark's tree, much smaller: only what `vfioctl status` reads).
// Nothing here is timed; the benchmarks time what they do with the roots.
#pragma once

#include <cstddef>
#include <string>

namespace vfioctl::bench {

// tests/data/kernels/<name>; e.g. "arm64-6.12.95+deb12-arm64" (the largest modules.alias in
// the fixtures: 30,060 lines) or "amd64-7.2.13+deb14-amd64".
std::string kernel_data_dir(const std::string& kernel);
// "arm64-6.12.95+deb12-arm64" -> "6.12.95+deb12-arm64"
std::string release_of(const std::string& kernel);

// The kernel's modules.alias as text (gunzipped).
const std::string& modules_alias_text(const std::string& kernel);

// A root holding lib/modules/<release>/ with the kernel's module indexes. Cached per kernel.
const std::string& module_tree_root(const std::string& kernel);

// A root with a fake /sys of `devices` PCI devices (and the amd64-7.2 module tree). Cached
// per size. Devices: 3/4 ConnectX-6 Dx VFs (mlx5_core, 1/8 vfio-pci with an override), NVMe
// and GPU functions, one root port per 64 devices; one IOMMU group per function.
const std::string& fake_sysfs_root(std::size_t devices);

}  // namespace vfioctl::bench
