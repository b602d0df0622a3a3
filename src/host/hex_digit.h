// One hex digit's value, either case; -1 for anything else. sysfs names and attributes print
// numbers in hex (PCI addresses, AP queue names and masks, subchannel names).
#pragma once

namespace vfioctl {

inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace vfioctl
