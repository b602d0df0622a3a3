// The recorded answers of tests/data: kernels/resolve-oracle.tsv (what kmod 30's
// `modprobe -C /dev/null -d ROOT -S REL -R QUERY` printed for each real kernel and each modalias
// of the host-virtio snapshot) and the snapshot's modaliases themselves.
#pragma once

#include <string>
#include <vector>

namespace vfioctl::testing {

struct OracleRow {
  std::string kernel;                // fixture folder, "amd64-6.1.0-50-amd64"
  std::string query;                 // "pci:v..." or "vfio_pci:v..."
  std::vector<std::string> modules;  // sorted; empty when kmod found nothing
  int modprobe_rc = 0;
};

std::vector<OracleRow> read_resolve_oracle();

// attrs.modalias of every device in sysfs/host-virtio.json, in file order.
std::vector<std::string> host_virtio_modaliases();

}  // namespace vfioctl::testing
