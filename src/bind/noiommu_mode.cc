#include "bind/noiommu_mode.h"

#include <unistd.h>

#include <cerrno>
#include <string>

#include "bind/state_files.h"
#include "host/file_io.h"

namespace vfioctl {

namespace {

constexpr const char* kMarker = "noiommu";

}  // namespace

bool noiommu_mode_on(const HostRoot& host) {
  ReadResult now = read_attr_path(host.path(kNoiommuParam));
  return now.ok() && (now.value == "Y" || now.value == "1");
}

bool enable_noiommu_mode(OperationContext& ctx, OperationResult& out) {
  ModuleLoad load = ctx.kernel.load_module("vfio", false);
  if (!load.ok()) {
    out.errors.push_back(load.message);
    return false;
  }
  if (noiommu_mode_on(ctx.session.host())) {
    out.notes.push_back("vfio no-IOMMU mode is on: the devices are NOT isolated from the host (the kernel is tainted)");
    return true;
  }
  if (int e = ctx.kernel.write_attribute(kNoiommuParam, "1")) {
    // The parameter exists only with CONFIG_VFIO_NOIOMMU (see bind_plan.cc noiommu_mode_missing).
    out.errors.push_back(e == ENOENT ? "--noiommu cannot work here: vfio has no enable_unsafe_noiommu_mode parameter, "
                                       "so this kernel is built without CONFIG_VFIO_NOIOMMU (Debian's kernels are); "
                                       "nothing was bound"
                                     : "enabling vfio's enable_unsafe_noiommu_mode: " + errno_text(e));
    return false;
  }
  std::string error;
  if (!write_file_atomically(ctx.state_dir.file(kMarker), "vfioctl turned enable_unsafe_noiommu_mode on\n", &error)) {
    out.notes.push_back("cannot record that vfioctl turned no-IOMMU mode on (" + error + "); release will leave it on");
  }
  out.notes.push_back("enabled vfio's enable_unsafe_noiommu_mode: the devices are NOT isolated from the host and the kernel is now tainted");
  return true;
}

bool noiommu_devices_remain(const HostRoot& host) {
  for (const std::string& g : list_dir(host.sys("kernel/iommu_groups"))) {
    ReadResult name = read_attr_path(host.sys("kernel/iommu_groups/" + g + "/name"));
    if (name.ok() && name.value == "vfio-noiommu") return true;
  }
  for (const std::string& n : list_dir(host.path("/dev/vfio"))) {
    if (n.starts_with("noiommu-")) return true;
  }
  return false;
}

bool vfioctl_turned_noiommu_on(const HostRoot& host) { return path_exists(StateDir(host).file(kMarker)); }

void settle_noiommu_mode(OperationContext& ctx, OperationResult& out) {
  const HostRoot& host = ctx.session.host();
  const std::string marker = ctx.state_dir.file(kMarker);
  if (!path_exists(marker)) return;  // not vfioctl's doing: not vfioctl's to undo
  if (!noiommu_mode_on(host)) {
    ::unlink(marker.c_str());  // turned off by someone else (or vfio reloaded)
    return;
  }
  if (noiommu_devices_remain(host)) return;
  if (int e = ctx.kernel.write_attribute(kNoiommuParam, "0")) {
    out.notes.push_back("could not turn vfio's enable_unsafe_noiommu_mode off again: " + errno_text(e));
    return;
  }
  ::unlink(marker.c_str());
  out.notes.push_back("turned vfio's enable_unsafe_noiommu_mode off again: no device is left in a no-IOMMU group "
                      "(vfioctl had turned it on; the kernel stays tainted until reboot)");
}

}  // namespace vfioctl
