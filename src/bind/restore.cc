#include "bind/restore.h"

#include <cerrno>

#include "host/file_io.h"

namespace vfioctl {

namespace {

// A driver whose probe answers EBUSY to a device it served before: some drivers serve one device
// per module load and never forget it on unbind (qemu_fw_cfg keeps fw_cfg_sel_ko set after
// fw_cfg_sysfs_remove, so every later probe returns -EBUSY; seen on 6.1 in the real-kernel
// scenario 95). Only a fresh load of the module takes the device back.
std::string reload_hint(const OverrideBinder& b, const std::string& driver) {
  ReadResult module = read_link_path(b.host().sys("bus/") + std::string(b.bus().name()) + "/drivers/" + driver + "/module");
  std::string name = module.ok() ? std::string(last_component(module.value)) : std::string();
  if (name.empty()) {
    return "; " + driver + "'s probe answered EBUSY: if it serves one device per boot, only a reboot gives the "
           "device back to it";
  }
  return "; " + driver + "'s probe answered EBUSY: if it serves one device per module load (qemu_fw_cfg does), "
         "it takes the device back after 'modprobe -r " + name + "' and 'modprobe " + name + "'; then run "
         "'vfioctl recover'";
}

void note(std::string& log, const std::string& what, int error) {
  if (error == 0) return;
  if (!log.empty()) log += "; ";
  log += what + ": " + errno_text(error);
}

int write_override(OverrideBinder& b, const std::string& device, const std::optional<std::string>& value) {
  return value ? b.set_override(device, *value) : b.clear_override(device);
}

}  // namespace

namespace {

RestoreResult restore_once(OverrideBinder& b, const std::string& device, const BindingState& original) {
  RestoreResult result;
  BindingState now = b.state(device);
  if (!now.present) {
    result.final_state = now;
    result.message = "the device is gone from sysfs (removed or hot-unplugged)";
    return result;
  }
  if (now == original) {
    result.ok = true;
    result.final_state = now;
    return result;
  }
  std::string log;
  std::string busy_hint;

  // 1. Steer matching: towards the original driver, or to the original override when the
  //    device was unbound.
  std::optional<std::string> steering = original.driver ? original.driver : original.driver_override;
  if (now.driver_override != steering) note(log, "driver_override", write_override(b, device, steering));

  // 2. Leave the current driver.
  if (now.driver && now.driver != original.driver) note(log, "unbind from " + *now.driver, b.unbind(device, *now.driver));

  // 3. Come back to the original driver.
  if (original.driver) {
    BindingState s = b.state(device);
    if (s.driver != original.driver) {
      note(log, "drivers_probe", b.probe(device));
      s = b.wait_for_driver(device);
    }
    if (s.present && !s.driver) {
      // Matching did not attach it (the driver may refuse a probe once): ask the driver itself.
      int e = b.bind(device, *original.driver);
      note(log, "bind to " + *original.driver, e);
      if (e == EBUSY) busy_hint = reload_hint(b, *original.driver);
    }
  }

  // 4. The original override, if steering used another value.
  if (steering != original.driver_override) {
    note(log, "driver_override", write_override(b, device, original.driver_override));
  }

  result.final_state = b.state(device);
  result.ok = result.final_state == original;
  if (!result.ok) {
    result.message = "is " + result.final_state.describe() + ", expected " + original.describe();
    if (!log.empty()) result.message += " (" + log + ")";
    if (!result.final_state.driver) result.message += busy_hint;
  }
  return result;
}

// A failed write in one pass (EBUSY while the device settles) can leave the device on a third
// driver; a second pass starts from wherever it is now.
constexpr int kRestorePasses = 3;

}  // namespace

RestoreResult restore_binding(OverrideBinder& b, const std::string& device, const BindingState& original) {
  RestoreResult result;
  for (int pass = 0; pass < kRestorePasses; ++pass) {
    result = restore_once(b, device, original);
    if (result.ok || !result.final_state.present) break;
  }
  return result;
}

}  // namespace vfioctl
