#include "host/file_io.h"
#include "safety/in_use.h"

namespace vfioctl {

std::vector<std::string> console_use(const HostRoot& host, const Device& device) {
  std::vector<std::string> reasons;
  // boot_vga: the device the firmware initialised as the primary display
  // (drivers/pci/pci-sysfs.c boot_vga_show).
  ReadResult boot_vga = read_attr_path(host.sys("bus/pci/devices/") + device.name + "/boot_vga");
  if (!boot_vga.ok() || boot_vga.value != "1") return reasons;
  // A framebuffer is an fbN entry of the graphics class. The class also holds "fbcon" whenever
  // the framebuffer console is built in (drivers/video/fbdev/core/fbcon.c fb_console_init()
  // creates it at boot, framebuffer or not), so a non-empty class proves nothing.
  bool framebuffer = false;
  for (const auto& entry : list_dir(host.sys("class/graphics"))) {
    framebuffer = framebuffer || (entry.size() > 2 && entry.compare(0, 2, "fb") == 0 &&
                                  entry.find_first_not_of("0123456789", 2) == std::string::npos);
  }
  if (!framebuffer) return reasons;
  // The framebuffer console (fbcon) registers a vtconsole named "frame buffer device"; bind=1
  // means it currently drives the text consoles.
  std::string vtconsoles = host.sys("class/vtconsole/");
  for (const auto& vt : list_dir(vtconsoles)) {
    ReadResult name = read_attr_path(vtconsoles + vt + "/name");
    ReadResult bind = read_attr_path(vtconsoles + vt + "/bind");
    if (name.ok() && bind.ok() && bind.value == "1" && name.value.find("frame buffer") != std::string::npos) {
      reasons.push_back("it is the boot VGA device and the framebuffer console (" + vt +
                        ") is running on it; binding it leaves the host without a local console");
      break;
    }
  }
  return reasons;
}

std::vector<std::string> in_use_reasons(const HostRoot& host, const Device& device, const AddressSource& addresses) {
  std::vector<std::string> all = network_use(host, device, addresses);
  for (auto& r : storage_use(host, device)) all.push_back(std::move(r));
  for (auto& r : console_use(host, device)) all.push_back(std::move(r));
  return all;
}

}  // namespace vfioctl
