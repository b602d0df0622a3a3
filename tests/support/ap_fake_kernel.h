// A kernel for the s390 AP bus, enough for vfioctl's AP bind and release: the masks and the
// rebinding the bus does after each mask write. Rules, from drivers/s390/crypto/ap_bus.c:
//   - apmask_store/aqmask_store take an absolute hex mask or "+N"/"-N" edits (ap_parse_mask_str);
//     setting bits for queues a vfio_ap mdev has assigned fails, nothing changed (the in_use
//     check of the non-default driver, __verify_card_reservations / __verify_queue_reservations);
//   - then ap_bus_revise_bindings: a queue whose adapter and domain bits are both set belongs to
//     the default (zcrypt) driver, any other to a non-default one; a queue on the wrong side is
//     unbound and probed again (ap_device_probe refuses the wrong side);
//   - vfio_ap, once loaded (vfio_ap_drv.c), takes every queue no default driver may have.
// Queues are FakeSysfs "ap" devices; the masks are /sys/bus/ap/apmask and aqmask, written in
// apmask_show's format. The mask parsing here is written apart from vfioctl's on purpose.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "kernel/kernel_port.h"
#include "support/fake_sysfs.h"

namespace vfioctl::testing {

class ApFakeKernel final : public KernelPort {
 public:
  // `queues`: "AA.DDDD" names, each bound to `host_driver` (module `host_module`) at start.
  ApFakeKernel(FakeSysfs& sysfs, std::vector<std::string> queues, std::string host_driver = "cex4queue",
               std::string host_module = "zcrypt_cex4");

  void set_mask(bool adapters, int bit, bool on);  // as if at boot (no rebinding)
  void assign_to_mdev(const std::string& queue) { in_use_.insert(queue); }
  void refuse_vfio_ap_probe() { vfio_ap_refuses_ = true; }
  // kill -9 of vfioctl right after the kernel took its `n`th write (1-based, counting every
  // write): the write and the rebinding happen, then SimulatedCrash (support/sim_kernel.h) is
  // thrown. 0: never.
  void crash_after_write(std::size_t n) { crash_after_ = n; }

  int write_attribute(const std::string& path, std::string_view value) override;
  ModuleLoad load_module(const std::string& module, bool apply_blacklist) override;
  int change_owner(const std::string&, uid_t, gid_t) override { return 0; }
  void wait(std::chrono::milliseconds) override {}
  std::vector<std::string> kernel_messages_about(const std::string&) override { return {}; }

  const std::vector<std::string>& writes() const { return writes_; }
  bool vfio_ap_loaded() const { return vfio_ap_loaded_; }
  std::string driver_of(const std::string& queue) const;

 private:
  bool owned_by_default(const std::string& queue) const;
  void revise_bindings();
  void render();

  FakeSysfs& sysfs_;
  std::vector<std::string> queues_;
  std::string host_driver_, host_module_;
  bool apm_[256], aqm_[256];
  bool vfio_ap_loaded_ = false;
  bool vfio_ap_refuses_ = false;
  std::set<std::string> in_use_;
  std::vector<std::string> writes_;
  std::size_t crash_after_ = 0;
};

}  // namespace vfioctl::testing
