// Who bound what: one record per device vfioctl moved to a vfio driver, kept until release.
// Release acts only on recorded devices (unless --force), so vfioctl never undoes what an
// admin or another tool did, and it knows the host driver to give the device back to.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bind/binding_state.h"
#include "bind/state_files.h"

namespace vfioctl {

struct OwnershipRecord {
  std::string bus;
  std::string name;
  BindingState original;  // before vfioctl bound it
  std::string driver;     // the vfio driver it was bound to
  std::string module;
  std::string bound_at;
  std::optional<std::string> owner;  // --owner USER[:GROUP] as given
  // AP queues: the mask bits vfioctl cleared to give the queue to vfio_ap ("apmask"/"aqmask").
  std::optional<std::string> ap_mask;
  std::vector<int> ap_bits;
};

class OwnershipStore {
 public:
  explicit OwnershipStore(const StateDir& dir);
  bool put(const OwnershipRecord& record, std::string* error) const;
  std::optional<OwnershipRecord> get(const std::string& bus, const std::string& name) const;
  void remove(const std::string& bus, const std::string& name) const;
  std::vector<OwnershipRecord> list() const;

 private:
  std::string file(const std::string& bus, const std::string& name) const;
  std::string dir_;
};

}  // namespace vfioctl
