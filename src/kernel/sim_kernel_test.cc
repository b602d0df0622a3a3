// The kernel simulator itself (tests/support/sim_kernel.h): one test per binding rule it
// copies, so that the tests of bind/release/vfs built on it rest on rules that were checked.
// Each test names the kernel function whose behaviour it pins down.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <type_traits>

#include "host/file_io.h"
#include "pci/pci_bus.h"
#include "support/fake_sysfs.h"
#include "support/sim_kernel.h"

namespace vfioctl {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeSysfs;
using testing::SimDriver;
using testing::SimFault;
using testing::SimKernel;
using testing::SimModuleState;
using testing::SimProbePolicy;
using testing::SimulatedCrash;
using testing::TempRoot;

constexpr const char* kNic = "0000:01:00.0";
constexpr const char* kDisk = "0000:02:00.0";
constexpr const char* kPf = "0000:03:00.0";

std::string dev_attr(const std::string& dev, const std::string& attr) { return "/sys/bus/pci/devices/" + dev + "/" + attr; }
std::string drv_attr(const std::string& drv, const std::string& attr) { return "/sys/bus/pci/drivers/" + drv + "/" + attr; }
const std::string kProbe = "/sys/bus/pci/drivers_probe";

// A NIC on e1000e, an unbound NVMe disk, an SR-IOV PF on mlx5_core; vfio-pci loaded.
class SimKernelTest : public ::testing::Test {
 protected:
  SimKernelTest() {
    sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1);
    sysfs.pci(kDisk).ids(0x144d, 0xa808).cls(0x010802).group(2);
    sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(4, 0).group(3);
    sim.driver(SimDriver::named("e1000e", "e1000e").id(0x8086, 0x10d3));
    sim.driver(SimDriver::named("mlx5_core", "mlx5_core").id(0x15b3, 0x101d).id(0x15b3, 0x101e).can_configure_sriov());
    sim.driver(SimDriver::named("vfio-pci", "vfio_pci").override_only().vfio());
    sim.module("e1000e", SimModuleState::kLoaded).module("mlx5_core", SimModuleState::kLoaded);
    sim.module("vfio_pci", SimModuleState::kLoaded);
    sim.vf_device(kPf, 0x101e);
    sysfs.write();
  }

  std::string read(const std::string& host_path) { return read_attr_path(root.at(host_path)).value; }
  bool exists(const std::string& host_path) { return fs::exists(fs::symlink_status(root.at(host_path))); }
  Device device(const std::string& name) { return *PciBus().read(HostRoot(root.path()), name); }

  TempRoot root{testing::fast_temp_parent()};
  FakeSysfs sysfs{root};
  SimKernel sim{sysfs};
};

// ---- drivers/pci/pci-driver.c pci_match_device() ----

TEST_F(SimKernelTest, OverrideNamingAnotherDriverMatchesNothing) {
  // The disk matches no driver but vfio-pci through an override; an override naming e1000e
  // on the NIC makes even its own id-table driver stop matching.
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(drv_attr("e1000e", "unbind"), kNic), 0);
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "bind"), kNic), ENODEV);
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "nvme"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kNic), 0);
  EXPECT_EQ(sim.driver_of(kNic), std::nullopt);
}

TEST_F(SimKernelTest, OverrideOnlyEntryNeedsTheOverride) {
  // cc6711b0bf36: vfio-pci's PCI_ANY_ID entry is override-only. Without an override its bind
  // file answers ENODEV (the VM kit saw "No such device"); with one the device binds.
  EXPECT_EQ(sim.write_attribute(drv_attr("vfio-pci", "bind"), kDisk), ENODEV);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt);
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "vfio-pci"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "vfio-pci");
}

TEST_F(SimKernelTest, OverrideNamingADriverMatchesWithoutAnIdEntry) {
  // pci_device_id_any: "driver_override will always match, send a dummy id".
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "e1000e"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "e1000e");
}

TEST_F(SimKernelTest, ClassMaskedEntriesMatchOnTheClass) {
  // pci_match_one_device(): !((id->class ^ dev->class) & id->class_mask).
  sim.driver(SimDriver::named("nvme", "nvme").class_id(0x010802, 0xffffff));
  sim.module("nvme", SimModuleState::kLoaded);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "nvme");
  EXPECT_EQ(sim.write_attribute(drv_attr("nvme", "bind"), kNic), ENODEV);  // class 020000
}

// ---- pci_device_can_probe() ----

TEST_F(SimKernelTest, VfProbesOnlyWithPfAutoprobeOrAnOverride) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_drivers_autoprobe"), "0"), 0);
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "1"), 0);
  const std::string vf = "0000:03:00.2";
  ASSERT_TRUE(sim.present(vf));
  EXPECT_EQ(sim.driver_of(vf), std::nullopt) << "autoprobe is off: mlx5_core must not take the new VF";
  EXPECT_EQ(sim.write_attribute(kProbe, vf), 0);
  EXPECT_EQ(sim.driver_of(vf), std::nullopt);
  EXPECT_EQ(sim.write_attribute(drv_attr("mlx5_core", "bind"), vf), ENODEV);  // pci_device_probe: -ENODEV
  ASSERT_EQ(sim.write_attribute(dev_attr(vf, "driver_override"), "mlx5_core"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, vf), 0);
  EXPECT_EQ(sim.driver_of(vf), "mlx5_core");
}

// ---- drivers/base/bus.c ----

TEST_F(SimKernelTest, DriversProbeSucceedsWithoutBinding) {
  // drivers_probe_store() -> bus_rescan_devices_helper(): success even when no driver binds
  // (reference/real-kernel-vm-testing.md pitfall 5).
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt);
  EXPECT_EQ(sim.write_attribute(kProbe, "0000:09:00.0"), ENODEV);
  EXPECT_EQ(sim.write_attribute(kProbe, std::string(kDisk) + "\n"), 0) << "sysfs_streq: one newline is fine";
}

TEST_F(SimKernelTest, DriversProbeLeavesABoundDeviceAlone) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "vfio-pci"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kNic), 0);
  EXPECT_EQ(sim.driver_of(kNic), "e1000e") << "driver_override does not unbind; drivers_probe skips bound devices";
}

TEST_F(SimKernelTest, BindAnswersEnodevForNoMatchAndEbusyWhenBound) {
  // bind_store(): -ENODEV unless driver_match_device(); device_driver_attach() ->
  // __driver_probe_device(): -EBUSY when the device already has a driver.
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "bind"), kDisk), ENODEV);
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "bind"), kNic), EBUSY);
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "bind"), "0000:09:00.0"), ENODEV);
}

TEST_F(SimKernelTest, BindReturnsTheProbeError) {
  // device_driver_attach(): "also return probe errors as normal negative errnos".
  sim.driver(SimDriver::named("stubborn", "stubborn").class_id(0x010802, 0xffffff).with_probe(SimProbePolicy::refuse(EIO)));
  sim.module("stubborn", SimModuleState::kLoaded);
  EXPECT_EQ(sim.write_attribute(drv_attr("stubborn", "bind"), kDisk), EIO);
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt);
  EXPECT_THAT(sim.kernel_messages_about(kDisk), ElementsAre("stubborn: probe of 0000:02:00.0 failed with error -5"));
}

TEST_F(SimKernelTest, UnbindOnlyFromTheBoundDriver) {
  // unbind_store(): -ENODEV unless dev->driver == drv.
  EXPECT_EQ(sim.write_attribute(drv_attr("vfio-pci", "unbind"), kNic), ENODEV);
  EXPECT_EQ(sim.driver_of(kNic), "e1000e");
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "unbind"), kNic), 0);
  EXPECT_EQ(sim.driver_of(kNic), std::nullopt);
  EXPECT_EQ(sim.write_attribute(drv_attr("e1000e", "unbind"), kNic), ENODEV);
}

// ---- drivers/base/dd.c ----

TEST_F(SimKernelTest, AProbeErrorLetsTheNextDriverTry) {
  // __device_attach_driver(): "Ignore errors returned by ->probe so that the next driver can
  // try its luck" (really_probe returns probe errors as positive values).
  sim.driver(SimDriver::named("first", "first").class_id(0x010802, 0xffffff).with_probe(SimProbePolicy::refuse(ENOMEM)));
  sim.driver(SimDriver::named("second", "second").class_id(0x010802, 0xffffff));
  sim.module("first", SimModuleState::kLoaded).module("second", SimModuleState::kLoaded);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "second");
}

TEST_F(SimKernelTest, RefuseTimesPolicyAcceptsAfterwards) {
  sim.driver(SimDriver::named("flaky", "flaky").class_id(0x010802, 0xffffff).with_probe(SimProbePolicy::refuse_times(1, EAGAIN)));
  sim.module("flaky", SimModuleState::kLoaded);
  EXPECT_EQ(sim.write_attribute(drv_attr("flaky", "bind"), kDisk), EAGAIN);
  EXPECT_EQ(sim.write_attribute(drv_attr("flaky", "bind"), kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "flaky");
}

TEST_F(SimKernelTest, ENODEVProbeRefusalsAreNotLogged) {
  // call_driver_probe(): -ENODEV and -ENXIO are pr_debug ("rejects match"), others pr_warn.
  sim.driver(SimDriver::named("quiet", "quiet").class_id(0x010802, 0xffffff).with_probe(SimProbePolicy::refuse(ENODEV)));
  sim.module("quiet", SimModuleState::kLoaded);
  EXPECT_EQ(sim.write_attribute(drv_attr("quiet", "bind"), kDisk), ENODEV);
  EXPECT_THAT(sim.kernel_messages_about(kDisk), IsEmpty());
}

// ---- drivers/base/driver.c driver_set_override() ----

TEST_F(SimKernelTest, DriverOverrideStoreSemantics) {
  const std::string attr = dev_attr(kDisk, "driver_override");
  ASSERT_EQ(sim.write_attribute(attr, "vfio-pci\n"), 0);
  EXPECT_EQ(sim.override_of(kDisk), "vfio-pci");
  EXPECT_EQ(read(attr), "vfio-pci") << "the fake sysfs shows what the kernel would";
  ASSERT_EQ(sim.write_attribute(attr, "\n"), 0);
  EXPECT_EQ(sim.override_of(kDisk), std::nullopt);
  EXPECT_EQ(read(attr), "(null)");
  ASSERT_EQ(sim.write_attribute(attr, "nvme\nrest"), 0);
  EXPECT_EQ(sim.override_of(kDisk), "nvme") << "the name ends at the first newline";
  ASSERT_EQ(sim.write_attribute(attr, std::string_view("\0\0", 2)), 0);
  EXPECT_EQ(sim.override_of(kDisk), std::nullopt) << "strlen(): DPDK clears it with NULs";
  ASSERT_EQ(sim.write_attribute(attr, ""), 0);
  EXPECT_EQ(sim.override_of(kDisk), std::nullopt);
  EXPECT_EQ(sim.write_attribute(attr, std::string(4095, 'x')), EINVAL) << "len >= PAGE_SIZE - 1";
  EXPECT_EQ(sim.write_attribute(attr, std::string(4094, 'x')), 0);
}

TEST_F(SimKernelTest, WritingTheOverrideNeverUnbinds) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "vfio-pci"), 0);
  EXPECT_EQ(sim.driver_of(kNic), "e1000e");
}

// ---- drivers/pci/iov.c ----

TEST_F(SimKernelTest, SriovNumvfsCreatesVfsWithLinksAndProbesThem) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "2\n"), 0);
  EXPECT_EQ(read(dev_attr(kPf, "sriov_numvfs")), "2");
  Device vf0 = device("0000:03:00.2");
  EXPECT_TRUE(vf0.sriov.is_vf);
  EXPECT_EQ(vf0.sriov.physfn, kPf);
  EXPECT_EQ(vf0.pci->device, 0x101e);
  EXPECT_TRUE(vf0.iommu_group.has_value());
  EXPECT_EQ(vf0.driver, "mlx5_core") << "autoprobe is on: the host's VF driver takes it";
  EXPECT_EQ(read_link_path(root.at(dev_attr(kPf, "virtfn1"))).ok(), true);
  EXPECT_EQ(device("0000:03:00.3").sriov.physfn, kPf);
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "0"), 0);
  EXPECT_FALSE(sim.present("0000:03:00.2"));
  EXPECT_FALSE(exists(dev_attr(kPf, "virtfn0")));
}

TEST_F(SimKernelTest, SriovNumvfsErrors) {
  const std::string attr = dev_attr(kPf, "sriov_numvfs");
  EXPECT_EQ(sim.write_attribute(attr, "0"), 0) << "the current count is a no-op";
  EXPECT_EQ(sim.write_attribute(attr, "5"), ERANGE) << "above sriov_totalvfs";
  EXPECT_EQ(sim.write_attribute(attr, "two"), EINVAL);
  ASSERT_EQ(sim.write_attribute(attr, "1"), 0);
  EXPECT_EQ(sim.write_attribute(attr, "1"), 0);
  EXPECT_EQ(sim.write_attribute(attr, "2"), EBUSY) << "0 must come first";
  ASSERT_EQ(sim.write_attribute(attr, "0"), 0);
  ASSERT_EQ(sim.write_attribute(drv_attr("mlx5_core", "unbind"), kPf), 0);
  EXPECT_EQ(sim.write_attribute(attr, "1"), ENOENT) << "no driver, no sriov_configure";
  EXPECT_EQ(sim.write_attribute(dev_attr(kNic, "sriov_numvfs"), "1"), ENOENT) << "not a PF: no such attribute";
}

TEST_F(SimKernelTest, SriovNumvfsNeedsADriverWithSriovConfigure) {
  sysfs.pci("0000:04:00.0").ids(0x8086, 0x10d3).sriov(2, 0).driver("e1000e", "e1000e").group(4);
  EXPECT_EQ(sim.write_attribute(dev_attr("0000:04:00.0", "sriov_numvfs"), "1"), ENOENT);
  EXPECT_THAT(sim.kernel_messages_about("0000:04:00.0"),
              ElementsAre(HasSubstr("Driver doesn't support SRIOV configuration via sysfs")));
}

TEST_F(SimKernelTest, SriovNumvfsLeavesVfsAloneWhenThePfDriverGoes) {
  // nvme's remove leaves SR-IOV enabled (real-kernel-vm-testing.md pitfall 6).
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "1"), 0);
  ASSERT_EQ(sim.write_attribute(drv_attr("mlx5_core", "unbind"), kPf), 0);
  EXPECT_TRUE(sim.present("0000:03:00.2"));
  EXPECT_EQ(read(dev_attr(kPf, "sriov_numvfs")), "1");
}

TEST_F(SimKernelTest, SriovDriversAutoprobeTakesKstrtobool) {
  const std::string attr = dev_attr(kPf, "sriov_drivers_autoprobe");
  EXPECT_EQ(sim.write_attribute(attr, "n"), 0);
  EXPECT_EQ(read(attr), "0");
  EXPECT_EQ(sim.write_attribute(attr, "on"), 0);
  EXPECT_EQ(read(attr), "1");
  EXPECT_EQ(sim.write_attribute(attr, "maybe"), EINVAL);
  EXPECT_EQ(read(attr), "1");
}

// ---- drivers/vfio/pci/vfio_pci_core.c vfio_pci_core_register_device() ----

TEST_F(SimKernelTest, VfioRefusesAPfWithVfsEnabled) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "1"), 0);
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "driver_override"), "vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(drv_attr("mlx5_core", "unbind"), kPf), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kPf), 0) << "the refusal is not the write's error";
  EXPECT_EQ(sim.driver_of(kPf), std::nullopt);
  EXPECT_THAT(sim.kernel_messages_about(kPf), ElementsAre("vfio-pci 0000:03:00.0: Cannot bind to PF with SR-IOV enabled",
                                                         "vfio-pci: probe of 0000:03:00.0 failed with error -16"));
  EXPECT_THAT(sim.kernel_messages_about(kPf), IsEmpty()) << "each message is handed out once";
  EXPECT_EQ(sim.write_attribute(drv_attr("vfio-pci", "bind"), kPf), EBUSY);
}

TEST_F(SimKernelTest, VfioRefusesBridgesAndDevicesWithoutAGroup) {
  sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().group(9);
  sysfs.pci("0000:05:00.0").ids(0x8086, 0x10d3);  // no IOMMU group
  for (const char* dev : {"0000:00:1c.0", "0000:05:00.0"}) {
    ASSERT_EQ(sim.write_attribute(dev_attr(dev, "driver_override"), "vfio-pci"), 0);
    EXPECT_EQ(sim.write_attribute(drv_attr("vfio-pci", "bind"), dev), EINVAL) << dev;
  }
}

TEST_F(SimKernelTest, VfioMakesTheGroupNodeWhileTheGroupHasAVfioDevice) {
  sysfs.pci("0000:02:00.1").ids(0x144d, 0xa808).cls(0x010802).group(2);
  EXPECT_FALSE(exists("/dev/vfio/2"));
  for (const char* dev : {kDisk, "0000:02:00.1"}) {
    ASSERT_EQ(sim.write_attribute(dev_attr(dev, "driver_override"), "vfio-pci"), 0);
    ASSERT_EQ(sim.write_attribute(kProbe, dev), 0);
  }
  EXPECT_TRUE(exists("/dev/vfio/2"));
  EXPECT_TRUE(device(kDisk).vfio_dev.has_value()) << "<dev>/vfio-dev/vfioN";
  ASSERT_EQ(sim.write_attribute(drv_attr("vfio-pci", "unbind"), kDisk), 0);
  EXPECT_TRUE(exists("/dev/vfio/2")) << "02:00.1 still holds the group";
  EXPECT_FALSE(device(kDisk).vfio_dev.has_value());
  ASSERT_EQ(sim.write_attribute(drv_attr("vfio-pci", "unbind"), "0000:02:00.1"), 0);
  EXPECT_FALSE(exists("/dev/vfio/2"));
}

TEST_F(SimKernelTest, NoiommuModeGivesADeviceWithoutAGroupANoiommuGroup) {
  sim.module("vfio", SimModuleState::kLoaded);
  sysfs.pci("0000:05:00.0").ids(0x8086, 0x10d3);
  sysfs.write();
  EXPECT_EQ(read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"), "N");
  ASSERT_EQ(sim.write_attribute("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "1"), 0);
  EXPECT_EQ(read("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode"), "Y");
  ASSERT_EQ(sim.write_attribute(dev_attr("0000:05:00.0", "driver_override"), "vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(kProbe, "0000:05:00.0"), 0);
  ASSERT_EQ(sim.driver_of("0000:05:00.0"), "vfio-pci");
  auto group = device("0000:05:00.0").iommu_group;
  ASSERT_TRUE(group.has_value());
  EXPECT_TRUE(exists("/dev/vfio/noiommu-" + std::to_string(*group)));
  ASSERT_EQ(sim.write_attribute(drv_attr("vfio-pci", "unbind"), "0000:05:00.0"), 0);
  EXPECT_FALSE(device("0000:05:00.0").iommu_group.has_value()) << "the no-IOMMU group goes with the driver";
}

// ---- paths ----

TEST_F(SimKernelTest, UnknownPathsFailLikeOpen) {
  EXPECT_EQ(sim.write_attribute("/sys/bus/pci/devices/0000:09:00.0/driver_override", "x"), ENOENT);
  EXPECT_EQ(sim.write_attribute(drv_attr("nvme", "bind"), kDisk), ENOENT) << "nvme is not loaded: no driver directory";
  EXPECT_EQ(sim.write_attribute("/sys/no/such/file", "1"), ENOENT);
  EXPECT_EQ(sim.write_attribute("/sys/module/vfio/parameters/enable_unsafe_noiommu_mode", "1"), ENOENT);
  EXPECT_THROW(sim.write_attribute(dev_attr(kDisk, "vendor"), "1"), std::logic_error) << "real but not modelled";
}

// ---- modules ----

TEST_F(SimKernelTest, LoadingAModuleRegistersItsDriversWhichAttachUnboundDevices) {
  // bus_add_driver() -> driver_attach() -> __driver_attach().
  sim.driver(SimDriver::named("nvme", "nvme").class_id(0x010802, 0xffffff));
  sim.depends("nvme", "nvme_core");
  EXPECT_FALSE(exists("/sys/bus/pci/drivers/nvme"));
  ModuleLoad load = sim.load_module("nvme", true);
  EXPECT_EQ(load.outcome, ModuleLoad::Outcome::kLoaded);
  EXPECT_THAT(sim.module_loads(), ElementsAre("nvme_core", "nvme"));
  EXPECT_EQ(sim.driver_of(kDisk), "nvme");
  EXPECT_EQ(read("/sys/module/nvme/initstate"), "live");
  EXPECT_EQ(sim.load_module("nvme", true).outcome, ModuleLoad::Outcome::kAlreadyLoaded);
}

TEST_F(SimKernelTest, LoadModuleHonoursTheBlacklistOnlyWhenAsked) {
  sim.driver(SimDriver::named("nvme", "nvme").class_id(0x010802, 0xffffff));
  sim.module("nvme", SimModuleState::kNotLoaded, /*blacklisted=*/true);
  EXPECT_THAT(root.read("/etc/modprobe.d/sim-blacklist.conf"), HasSubstr("blacklist nvme"));
  ModuleLoad refused = sim.load_module("nvme", true);
  EXPECT_EQ(refused.outcome, ModuleLoad::Outcome::kBlacklisted);
  EXPECT_FALSE(refused.ok());
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt);
  EXPECT_EQ(sim.load_module("nvme", false).outcome, ModuleLoad::Outcome::kLoaded);
}

TEST_F(SimKernelTest, BuiltinAndUnknownModules) {
  sim.driver(SimDriver::named("pcieport", "").class_id(0x060400, 0xffff00));
  sim.module("vfio", SimModuleState::kBuiltin);
  EXPECT_EQ(sim.load_module("vfio", true).outcome, ModuleLoad::Outcome::kBuiltin);
  EXPECT_TRUE(exists("/sys/module/vfio"));
  EXPECT_FALSE(exists("/sys/module/vfio/initstate"));
  ModuleLoad unknown = sim.load_module("no_such_module", true);
  EXPECT_EQ(unknown.outcome, ModuleLoad::Outcome::kFailed);
  EXPECT_THAT(unknown.message, HasSubstr("no_such_module"));
  EXPECT_TRUE(exists("/sys/bus/pci/drivers/pcieport")) << "a built-in driver without a module is always there";
}

TEST_F(SimKernelTest, DriverNameAndModuleNameDiffer) {
  // /sys/module/xe_vfio_pci/drivers/pci:xe-vfio-pci (drivers/base/module.c module_add_driver).
  sim.driver(SimDriver::named("xe-vfio-pci", "xe_vfio_pci").override_only(0x144d, 0xa808).vfio());
  ASSERT_TRUE(sim.load_module("xe-vfio-pci", true).ok()) << "modprobe accepts either spelling";
  EXPECT_TRUE(exists("/sys/module/xe_vfio_pci/drivers/pci:xe-vfio-pci"));
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "xe-vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "xe-vfio-pci");
}

TEST_F(SimKernelTest, UnloadReleasesTheDevices) {
  sim.unload("e1000e");
  EXPECT_EQ(sim.driver_of(kNic), std::nullopt);
  EXPECT_FALSE(exists("/sys/bus/pci/drivers/e1000e"));
  EXPECT_FALSE(exists("/sys/module/e1000e"));
  EXPECT_EQ(sim.load_module("e1000e", true).outcome, ModuleLoad::Outcome::kLoaded);
  EXPECT_EQ(sim.driver_of(kNic), "e1000e");
}

TEST_F(SimKernelTest, UndeclaredBoundDriverIsATestBug) {
  sysfs.pci("0000:06:00.0").driver("mystery", "mystery");
  EXPECT_THROW(sim.write_attribute(kProbe, kDisk), std::logic_error);
}

// ---- faults ----

TEST_F(SimKernelTest, ErrnoFaultsFailTheWriteWithoutEffect) {
  sim.inject(1, SimFault::kEbusy).inject(2, SimFault::kEnodev).inject(3, SimFault::kEio);
  const std::string attr = dev_attr(kDisk, "driver_override");
  EXPECT_EQ(sim.write_attribute(attr, "a"), 0);
  EXPECT_FALSE(sim.fault_fired());
  EXPECT_EQ(sim.write_attribute(attr, "b"), EBUSY);
  EXPECT_TRUE(sim.fault_fired());
  EXPECT_EQ(sim.write_attribute(attr, "c"), ENODEV);
  EXPECT_EQ(sim.write_attribute(attr, "d"), EIO);
  EXPECT_EQ(sim.override_of(kDisk), "a");
  ASSERT_EQ(sim.writes().size(), 4u);
  EXPECT_EQ(sim.writes()[1].value, "b");
  EXPECT_EQ(sim.writes()[1].error, EBUSY);
  EXPECT_EQ(sim.write_count(), 4u);
}

TEST_F(SimKernelTest, RemoveDeviceFaultUnplugsBeforeTheWrite) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kPf, "sriov_numvfs"), "1"), 0);
  sim.inject(1, SimFault::kRemoveDevice);
  EXPECT_EQ(sim.write_attribute(drv_attr("mlx5_core", "unbind"), kPf), ENODEV) << "the device it names is gone";
  EXPECT_FALSE(sim.present(kPf));
  EXPECT_FALSE(sim.present("0000:03:00.2")) << "its VF went with it";
  EXPECT_THAT(sim.removed_devices(), ElementsAre("0000:03:00.2", kPf));
  EXPECT_FALSE(exists("/sys/bus/pci/devices/0000:03:00.0"));
  EXPECT_EQ(sim.write_attribute(dev_attr(kPf, "driver_override"), "x"), ENOENT);
}

TEST_F(SimKernelTest, RefuseProbeFaultFiresOnlyWhenTheWriteProbes) {
  sim.inject(0, SimFault::kRefuseProbe).inject(2, SimFault::kRefuseProbe);
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "vfio-pci"), 0);
  EXPECT_FALSE(sim.fault_fired()) << "an override write probes nothing";
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "vfio-pci"), 0);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_TRUE(sim.fault_fired());
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt);
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "vfio-pci") << "only the planned write's probes refuse";
}

TEST_F(SimKernelTest, CrashFaultThrowsBeforeTheWrite) {
  static_assert(!std::is_base_of_v<std::exception, SimulatedCrash>, "vfioctl must not be able to catch it");
  sim.inject(1, SimFault::kCrash);
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "vfio-pci"), 0);
  try {
    sim.write_attribute(kProbe, kDisk);
    FAIL() << "no crash";
  } catch (const SimulatedCrash& crash) {
    EXPECT_EQ(crash.write_index, 1u);
    EXPECT_EQ(crash.path, kProbe);
  }
  EXPECT_EQ(sim.driver_of(kDisk), std::nullopt) << "the write did not happen";
  sim.clear_faults();
  EXPECT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.driver_of(kDisk), "vfio-pci");
}

TEST_F(SimKernelTest, ChownsAreRecordedForExistingNodes) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kDisk, "driver_override"), "vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(kProbe, kDisk), 0);
  EXPECT_EQ(sim.change_owner("/dev/vfio/2", 1000, 100), 0);
  EXPECT_EQ(sim.change_owner("/dev/vfio/77", 1000, 100), ENOENT);
  ASSERT_EQ(sim.chowns().size(), 1u);
  EXPECT_EQ(sim.chowns()[0].path, "/dev/vfio/2");
  EXPECT_EQ(sim.chowns()[0].uid, 1000u);
}

TEST_F(SimKernelTest, VfioctlsReadPathSeesEveryWrite) {
  ASSERT_EQ(sim.write_attribute(dev_attr(kNic, "driver_override"), "vfio-pci"), 0);
  ASSERT_EQ(sim.write_attribute(drv_attr("e1000e", "unbind"), kNic), 0);
  Device mid = device(kNic);
  EXPECT_EQ(mid.driver, std::nullopt);
  EXPECT_EQ(mid.driver_override, "vfio-pci");
  ASSERT_EQ(sim.write_attribute(kProbe, kNic), 0);
  Device after = device(kNic);
  EXPECT_EQ(after.driver, "vfio-pci");
  EXPECT_TRUE(after.vfio_dev.has_value());
  EXPECT_FALSE(exists("/sys/bus/pci/drivers/e1000e/" + std::string(kNic)));
  EXPECT_TRUE(exists("/sys/bus/pci/drivers/vfio-pci/" + std::string(kNic)));
}

}  // namespace
}  // namespace vfioctl
