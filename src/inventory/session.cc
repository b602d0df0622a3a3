#include "inventory/session.h"

namespace vfioctl {

Session::Session(HostRoot host) : host_(std::move(host)), kmod_(host_), modules_(host_, kmod_) {}

const VfioAliasIndex& Session::aliases() {
  if (!aliases_) aliases_ = VfioAliasIndex::load(host_, kmod_);
  return *aliases_;
}

VfioDriverCheck& Session::vfio_check() {
  if (!vfio_check_) vfio_check_ = std::make_unique<VfioDriverCheck>(aliases(), modules_);
  return *vfio_check_;
}

}  // namespace vfioctl
