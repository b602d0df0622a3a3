#include "report/pci_names.h"

extern "C" {
#include <pci/pci.h>
}

#include <cstdarg>

#include "host/file_io.h"
#include "host/host_root.h"

namespace vfioctl {

namespace {
// libpci reports problems through these callbacks; its default error handler exits the
// process, which a name lookup must never do.
void quiet(char*, ...) {}
}  // namespace

PciNames::PciNames(const HostRoot& host) {
  // Names are cosmetic data, not host state: a fixture root without pci.ids borrows the
  // running system's.
  for (bool under_root : {true, false}) {
    for (const char* p : {"/usr/share/misc/pci.ids", "/usr/share/hwdata/pci.ids", "/usr/share/pci.ids"}) {
      std::string candidate = under_root ? host.path(p) : std::string(p);
      if (ids_path_.empty() && path_exists(candidate)) ids_path_ = candidate;
    }
  }
}

PciNames::~PciNames() {
  if (pacc_) pci_cleanup(pacc_);
}

bool PciNames::ready() {
  if (tried_) return ok_;
  tried_ = true;
  if (ids_path_.empty()) return false;
  pacc_ = pci_alloc();
  if (!pacc_) return false;
  // FIXME: libpci declares error() noreturn ("write error message and quit"); the cast only
  // makes clang accept `quiet`. Returning from it (a corrupt pci.ids) is undefined behaviour:
  // a handler that longjmp()s back out of libpci would be the correct fix.
  pacc_->error = reinterpret_cast<decltype(pacc_->error)>(quiet);
  pacc_->warning = quiet;
  pacc_->debug = quiet;
  // Names only: no bus access method is initialised (pci_init is not called), so libpci never
  // touches /sys or /proc/bus/pci. The udev hwdb is skipped so answers depend on pci.ids only.
  pci_set_name_list_path(pacc_, const_cast<char*>(ids_path_.c_str()), 0);
  pacc_->id_lookup_mode = PCI_LOOKUP_NO_NUMBERS;
  ok_ = pci_load_name_list(pacc_) != 0;
  return ok_;
}

std::string PciNames::device_name(std::uint16_t vendor, std::uint16_t device) {
  if (!ready()) return {};
  char buf[256];
  const char* name = pci_lookup_name(pacc_, buf, sizeof buf,
                                     PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS |
                                         PCI_LOOKUP_NO_HWDB,
                                     static_cast<int>(vendor), static_cast<int>(device));
  return name ? std::string(name) : std::string();
}

std::string PciNames::class_name(std::uint32_t class_code) {
  if (!ready()) return {};
  char buf[128];
  const char* name = pci_lookup_name(pacc_, buf, sizeof buf,
                                     PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB,
                                     static_cast<int>(class_code >> 8));
  return name ? std::string(name) : std::string();
}

}  // namespace vfioctl
