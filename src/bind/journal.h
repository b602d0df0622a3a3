// The journal of the operation in progress: every device's binding before the first write.
// An operation that dies half way (kill -9, crash, power cut of the process) leaves it behind;
// `vfioctl recover` puts every device listed back to its recorded state.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bind/binding_state.h"
#include "bind/state_files.h"

namespace vfioctl {

struct JournalDevice {
  std::string bus;
  std::string name;
  BindingState original;
};

// An s390 AP mask write of the operation (the ap bus has no driver_override; src/ap/ap_masks.h):
// which bits of which mask it changed, so recover can change them back.
struct JournalApEdit {
  std::string mask;       // "apmask" or "aqmask"
  std::vector<int> bits;  // 0..255
  bool cleared = true;    // the operation cleared them (bind): recover sets them; else the reverse
  friend bool operator==(const JournalApEdit&, const JournalApEdit&) = default;
};

struct Journal {
  std::string operation;  // "bind", "release", "vfs"
  long pid = 0;
  std::string started;    // UTC, ISO 8601
  std::vector<JournalDevice> devices;
  // vfs: the PF whose sriov_drivers_autoprobe/sriov_numvfs are put back on recover.
  std::optional<std::string> sriov_pf;
  std::optional<int> sriov_autoprobe;
  std::optional<int> sriov_numvfs;
  // AP: the mask writes, in the order made; `devices` holds the queues they move (bus "ap").
  std::vector<JournalApEdit> ap_edits;
};

class JournalStore {
 public:
  explicit JournalStore(const StateDir& dir);
  bool write(const Journal& journal, std::string* error) const;
  // nullopt and no error: there is no journal. nullopt and an error: it exists but is unusable.
  std::optional<Journal> read(std::string* error) const;
  void remove() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string utc_now_iso8601();

}  // namespace vfioctl
