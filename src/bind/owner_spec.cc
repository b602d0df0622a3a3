#include "bind/owner_spec.h"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <vector>

namespace vfioctl {

namespace {

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || s.front() == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::optional<unsigned> as_number(std::string_view s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<OwnerSpec> parse_owner(std::string_view text, std::string* error) {
  auto colon = text.find(':');
  std::string_view user = text.substr(0, colon);
  std::string_view group = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!valid_name(user) || (colon != std::string_view::npos && !valid_name(group))) {
    if (error) *error = "--owner '" + std::string(text) + "' is not USER[:GROUP]";
    return std::nullopt;
  }
  OwnerSpec spec;
  spec.text = std::string(text);
  std::vector<char> buf(16384);
  if (auto n = as_number(user)) {
    spec.uid = *n;
    // The primary group of a uid the user database knows (as chown(1) takes "UID:"); the uid
    // itself for one it does not, as with a container's unnamed QEMU user.
    passwd pw{};
    passwd* found = nullptr;
    spec.gid = getpwuid_r(spec.uid, &pw, buf.data(), buf.size(), &found) == 0 && found ? found->pw_gid : *n;
  } else {
    passwd pw{};
    passwd* found = nullptr;
    std::string name(user);
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) {
      if (error) *error = "--owner: no user '" + name + "'";
      return std::nullopt;
    }
    spec.uid = found->pw_uid;
    spec.gid = found->pw_gid;
  }
  if (!group.empty()) {
    if (auto n = as_number(group)) {
      spec.gid = *n;
    } else {
      struct group gr{};
      struct group* found = nullptr;
      std::string name(group);
      if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found) {
        if (error) *error = "--owner: no group '" + name + "'";
        return std::nullopt;
      }
      spec.gid = found->gr_gid;
    }
  }
  return spec;
}

}  // namespace vfioctl
