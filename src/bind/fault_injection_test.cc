// The all-or-nothing property of bind, release and vfs, checked on the kernel simulator
// (tests/support/sim_kernel.h): for every scenario, every sysfs write k of its fault-free run
// and every fault (EBUSY, ENODEV, EIO, a refused probe, the device hot-unplugged, the process
// killed before the write), the command fails with exit status 1 (or dies), and afterwards -
// once `vfioctl recover` has run, for a kill - every device is bound as it was before the
// command (driver and driver_override), an SR-IOV PF has its VF count and autoprobe back, no
// journal is left, and no ownership record claims a device that is not on a vfio driver.
// A device the fault unplugged is exempt. A fault that had no effect (a refused probe on a
// write that probes nothing) must leave the command's fault-free outcome unchanged.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using testing::CliRun;
using testing::SimFault;
using testing::SimMachine;
using testing::SimulatedCrash;

struct Scenario {
  const char* name;
  std::function<void(SimMachine&)> build;    // devices, described before anything runs
  std::vector<std::vector<std::string>> setup;  // commands run first, fault-free (release needs a bind)
  std::vector<std::string> command;
};

void nic(SimMachine& m) { m.sysfs.pci("0000:01:00.0").ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1); }
void gpu(SimMachine& m) { m.sysfs.pci("0000:03:00.0").ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3); }
void disk(SimMachine& m) {
  m.sysfs.pci("0000:06:00.0").ids(0x144d, 0xa808).cls(0x010802).driver("nvme", "nvme").group(6);
}

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> all = {
      {"SingleBind", [](SimMachine& m) { nic(m); }, {}, {"bind", "0000:01:00.0"}},
      {"ThreeDeviceBind",
       [](SimMachine& m) {
         nic(m);
         gpu(m);
         disk(m);
       },
       {},
       {"bind", "0000:01:00.0", "0000:03:00.0", "0000:06:00.0"}},
      {"GroupBind",
       [](SimMachine& m) {
         m.sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport").group(8);
         m.sysfs.pci("0000:08:00.0").behind("0000:00:1c.0").ids(0x10de, 0x2204).cls(0x030000).group(8);
         m.sysfs.pci("0000:08:00.1").behind("0000:00:1c.0").ids(0x10de, 0x1aef).cls(0x040300)
             .driver("snd_hda_intel", "snd_hda_intel").group(8);
       },
       {},
       {"bind", "--group", "0000:08:00.0"}},
      {"VariantFallback",
       [](SimMachine& m) {
         nic(m);
         // pds_vfio_pci matches it but refuses it: it is not a VF.
         m.sysfs.pci("0000:04:00.0").ids(0x1dd8, 0x1003).cls(0x020000).group(4);
       },
       {},
       {"bind", "0000:01:00.0", "0000:04:00.0"}},
      {"ReleaseTwo",
       [](SimMachine& m) {
         nic(m);
         disk(m);
       },
       {{"bind", "0000:01:00.0", "0000:06:00.0"}},
       {"release", "0000:01:00.0", "0000:06:00.0"}},
      {"VfsBind",
       [](SimMachine& m) {
         m.sysfs.pci("0000:02:00.0").ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 0, true).group(2);
         m.kernel.vf_device("0000:02:00.0", 0x101e);
       },
       {},
       {"vfs", "0000:02:00.0", "2", "--bind"}},
  };
  return all;
}

// Everything the property compares: each device's binding, and each PF's SR-IOV settings.
struct HostState {
  std::map<std::string, SimMachine::Binding> bindings;
  std::map<std::string, std::pair<int, bool>> sriov;  // numvfs, drivers_autoprobe
};

HostState host_state(const SimMachine& m) {
  HostState s;
  s.bindings = m.bindings();
  for (const auto& [dev, b] : s.bindings) {
    const auto& d = m.sysfs.pci_at(dev);
    if (auto sr = d.sriov_settings(); sr && !d.physfn_address()) s.sriov[dev] = {sr->numvfs, sr->drivers_autoprobe};
  }
  return s;
}

std::string describe(const HostState& s) {
  std::string out;
  for (const auto& [dev, b] : s.bindings) out += "  " + dev + ": " + testing::binding_text(b) + "\n";
  for (const auto& [dev, v] : s.sriov) {
    out += "  " + dev + ": numvfs " + std::to_string(v.first) + ", autoprobe " + std::to_string(v.second) + "\n";
  }
  return out;
}

struct Machine {
  SimMachine m;
  std::size_t base = 0;  // writes made by the setup commands
  HostState start;
};

std::unique_ptr<Machine> prepare(const Scenario& s) {
  auto mach = std::make_unique<Machine>();
  s.build(mach->m);
  for (const auto& cmd : s.setup) {
    CliRun r = mach->m.run(cmd);
    if (r.exit_code != 0) throw std::runtime_error("setup command failed: " + r.err);
  }
  mach->base = mach->m.kernel.write_count();
  mach->start = host_state(mach->m);
  return mach;
}

// Every ownership record names a present device on a vfio driver.
void expect_records_true(const SimMachine& m, const std::string& context) {
  for (const auto& dev : m.recorded_devices()) {
    auto drv = m.kernel.driver_of(dev);
    const auto* d = drv ? m.kernel.find_driver(*drv) : nullptr;
    EXPECT_TRUE(d && d->vfio_pci_core) << context << ": the ownership record of " << dev << " claims a device on "
                                       << (drv ? *drv : m.kernel.present(dev) ? "no driver" : "(gone)");
  }
}

bool on_vfio(const SimMachine& m, const SimMachine::Binding& b) {
  const auto* d = b.driver ? m.kernel.find_driver(*b.driver) : nullptr;
  return d && d->vfio_pci_core && b.driver_override == b.driver;
}

bool same_up_to_vfio_fallback(const SimMachine& m, const HostState& end, const HostState& done) {
  if (end.sriov != done.sriov || end.bindings.size() != done.bindings.size()) return false;
  for (const auto& [dev, b] : done.bindings) {
    auto it = end.bindings.find(dev);
    if (it == end.bindings.end()) return false;
    if (it->second != b && !(on_vfio(m, it->second) && on_vfio(m, b))) return false;
  }
  return true;
}

class FaultInjectionTest : public ::testing::TestWithParam<std::tuple<std::size_t, SimFault>> {};

TEST_P(FaultInjectionTest, EveryDeviceEndsWhereItStarted) {
  const Scenario& s = scenarios()[std::get<0>(GetParam())];
  const SimFault fault = std::get<1>(GetParam());

  // The fault-free run: how many writes it makes, and where it leaves the host.
  auto clean = prepare(s);
  CliRun ok = clean->m.run(s.command);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::size_t writes = clean->m.kernel.write_count() - clean->base;
  ASSERT_GT(writes, 0u);
  const HostState done = host_state(clean->m);

  for (std::size_t k = 0; k < writes; ++k) {
    auto mach = prepare(s);
    SimMachine& m = mach->m;
    const std::size_t at = mach->base + k;
    const auto& clean_write = clean->m.kernel.writes().at(at);
    const std::string what = clean_write.path + " <- " + clean_write.value;
    const std::string context = std::string(s.name) + ", " + to_string(fault) + " at write " + std::to_string(k) + " (" + what + ")";
    SCOPED_TRACE(context);
    m.kernel.inject(at, fault);

    bool crashed = false;
    CliRun r;
    try {
      r = m.run(s.command);
    } catch (const SimulatedCrash&) {
      crashed = true;
    }
    if (crashed) {
      EXPECT_TRUE(m.journal_exists()) << "a kill after the first write must leave the journal";
      m.kernel.clear_faults();
      CliRun rec = m.run({"recover"});
      EXPECT_EQ(rec.exit_code, 0) << rec.err << rec.out;
    } else if (!m.kernel.fault_fired()) {
      EXPECT_EQ(r.exit_code, 0) << r.err;
      HostState end = host_state(m);
      EXPECT_TRUE(end.bindings == done.bindings && end.sriov == done.sriov)
          << "a fault without effect changed the outcome:\n" << describe(end) << "expected:\n" << describe(done);
      EXPECT_FALSE(m.journal_exists());
      expect_records_true(m, context);
      continue;
    } else if (fault == SimFault::kRefuseProbe && r.exit_code == 0) {
      // A refused probe is what a variant driver does to a device it cannot handle, and bind
      // answers it by trying the next vfio driver (release by steering the host driver in
      // through the override). Succeeding is right then, as long as the outcome is the
      // fault-free one, or differs only in which vfio driver a device ended on.
      HostState end = host_state(m);
      EXPECT_TRUE(same_up_to_vfio_fallback(m, end, done)) << "succeeded, but:\n" << describe(end) << "fault-free:\n" << describe(done);
      EXPECT_FALSE(m.journal_exists());
      expect_records_true(m, context);
      continue;
    } else {
      EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    }

    HostState end = host_state(m);
    HostState expected = mach->start;
    for (const auto& gone : m.kernel.removed_devices()) {
      expected.bindings.erase(gone);
      expected.sriov.erase(gone);
    }
    EXPECT_TRUE(end.bindings == expected.bindings && end.sriov == expected.sriov)
        << "not where it started:\n" << describe(end) << "expected:\n" << describe(expected) << r.err;
    EXPECT_FALSE(m.journal_exists()) << r.err;
    expect_records_true(m, context);
  }
}

std::string param_name(const ::testing::TestParamInfo<std::tuple<std::size_t, SimFault>>& info) {
  const char* names[] = {"Ebusy", "Enodev", "Eio", "RemoveDevice", "RefuseProbe", "Crash"};
  return std::string(scenarios()[std::get<0>(info.param)].name) + "_" + names[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, FaultInjectionTest,
                         ::testing::Combine(::testing::Range<std::size_t>(0, scenarios().size()),
                                            ::testing::Values(SimFault::kEbusy, SimFault::kEnodev, SimFault::kEio,
                                                              SimFault::kRemoveDevice, SimFault::kRefuseProbe,
                                                              SimFault::kCrash)),
                         param_name);

}  // namespace
}  // namespace vfioctl
