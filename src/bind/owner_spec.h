// --owner USER[:GROUP]: who may open the device's VFIO nodes afterwards (an unprivileged QEMU).
// Names resolve through the system's user database (NSS); numbers are taken as ids.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace vfioctl {

struct OwnerSpec {
  std::string text;  // as given
  uid_t uid = 0;
  gid_t gid = 0;     // the group given, else the user's primary group
};

std::optional<OwnerSpec> parse_owner(std::string_view text, std::string* error);

}  // namespace vfioctl
