#include "bind/override_binder.h"

#include "host/file_io.h"

namespace vfioctl {

namespace {
// Poll schedule for wait_for_driver(): immediately, then after these pauses (about 0.2 s in
// all). drivers_probe itself attaches synchronously (__device_attach with allow_async false),
// so the wait only matters when a module load started an asynchronous probe.
constexpr std::chrono::milliseconds kPolls[] = {std::chrono::milliseconds(10), std::chrono::milliseconds(20),
                                                std::chrono::milliseconds(50), std::chrono::milliseconds(100)};
}  // namespace

OverrideBinder::OverrideBinder(const HostRoot& host, KernelPort& kernel, const Bus& bus)
    : host_(host), kernel_(kernel), bus_(bus) {}

std::string OverrideBinder::device_path(const std::string& device, const char* attribute) const {
  return "/sys/bus/" + std::string(bus_.name()) + "/devices/" + device + "/" + attribute;
}

int OverrideBinder::write(const std::string& path, std::string_view value) {
  ++writes_;
  return kernel_.write_attribute(path, value);
}

int OverrideBinder::set_override(const std::string& device, const std::string& driver) {
  return write(device_path(device, "driver_override"), driver);
}

int OverrideBinder::clear_override(const std::string& device) {
  return write(device_path(device, "driver_override"), "\n");
}

int OverrideBinder::unbind(const std::string& device, const std::string& driver) {
  return write("/sys/bus/" + std::string(bus_.name()) + "/drivers/" + driver + "/unbind", device);
}

int OverrideBinder::probe(const std::string& device) {
  return write("/sys/bus/" + std::string(bus_.name()) + "/drivers_probe", device);
}

int OverrideBinder::bind(const std::string& device, const std::string& driver) {
  return write("/sys/bus/" + std::string(bus_.name()) + "/drivers/" + driver + "/bind", device);
}

BindingState OverrideBinder::state(const std::string& device) const {
  BindingState s;
  std::string dir = host_.sys("bus/") + std::string(bus_.name()) + "/devices/" + device;
  if (!path_exists(dir)) {
    s.present = false;
    return s;
  }
  ReadResult driver = read_link_path(dir + "/driver");
  if (driver.ok()) s.driver = std::string(last_component(driver.value));
  ReadResult override_attr = read_attr_path(dir + "/driver_override");
  if (override_attr.ok() && override_attr.value != "(null)" && !override_attr.value.empty()) {
    s.driver_override = override_attr.value;
  }
  return s;
}

BindingState OverrideBinder::wait_for_driver(const std::string& device) {
  BindingState s = state(device);
  for (auto pause : kPolls) {
    // Once bound to anything the answer is final; only an unbound device may still be probing.
    if (!s.present || s.driver) break;
    kernel_.wait(pause);
    s = state(device);
  }
  return s;
}

}  // namespace vfioctl
