#include "safety/vfio_users.h"

#include <cstdlib>

#include "host/file_io.h"

namespace vfioctl {

std::vector<VfioUser> vfio_users(const HostRoot& host, std::optional<int> group, const std::optional<std::string>& vfio_dev) {
  std::vector<VfioUser> users;
  std::vector<std::string> nodes;
  if (group) {
    nodes.push_back("/dev/vfio/" + std::to_string(*group));
    nodes.push_back("/dev/vfio/noiommu-" + std::to_string(*group));
  }
  if (vfio_dev) nodes.push_back("/dev/vfio/devices/" + *vfio_dev);
  if (nodes.empty()) return users;
  std::string proc = host.path("/proc/");
  for (const auto& pid : list_dir(proc)) {
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string fd_dir = proc + pid + "/fd/";
    for (const auto& fd : list_dir(fd_dir)) {
      ReadResult target = read_link_path(fd_dir + fd);
      if (!target.ok()) continue;
      for (const auto& node : nodes) {
        if (target.value == node) {
          ReadResult comm = read_attr_path(proc + pid + "/comm");
          users.push_back(VfioUser{std::atoi(pid.c_str()), comm.ok() ? comm.value : "?", node});
        }
      }
    }
  }
  return users;
}

}  // namespace vfioctl
