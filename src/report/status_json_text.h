// `vfioctl status --json` as text, written directly: byte for byte what
// status_json(snapshot, host).dump(2) gives, without building the nlohmann tree first.
//
// Why a second writer: at 4,096 devices the tree (a std::map per object, ~35 keys a device)
// and its dump cost about three times what reading the devices from sysfs does (see
// BENCHMARKS.md). status_json() stays the definition of the document; status_json_text_test.cc
// checks that both agree, so a key added there and not here fails the tests.
#pragma once

#include <string>

#include "host/host_root.h"
#include "inventory/snapshot.h"

namespace vfioctl {

// Same text as status_json(snapshot, host).dump(2), and the same nlohmann::json exception
// when a string is not valid UTF-8.
std::string status_json_text(const Snapshot& snapshot, const HostRoot& host);

}  // namespace vfioctl
