#include "pci/pci_bus.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/fake_sysfs.h"
#include "support/sysfs_snapshot.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::TempRoot;

bool any_warning_has(const Device& d, const std::string& text) {
  for (const auto& w : d.warnings) {
    if (w.find(text) != std::string::npos) return true;
  }
  return false;
}

class PciBusTest : public ::testing::Test {
 protected:
  Device read(const std::string& name) {
    HostRoot host = sysfs.host();
    auto d = bus.read(host, name);
    EXPECT_TRUE(d.has_value()) << name;
    return d.value_or(Device{});
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  PciBus bus;
};

// A ConnectX PF with one VF enabled, the VF handed to vfio-pci with an override, as an
// operator leaves it after `vfioctl bind`.
void add_connectx(FakeSysfs& sysfs) {
  sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport").group(1);
  sysfs.pci("0000:01:00.0")
      .behind("0000:00:1c.0")
      .ids(0x15b3, 0x101d, 0x15b3, 0x0016)
      .cls(0x020000)
      .driver("mlx5_core", "mlx5_core")
      .group(7)
      .sriov(8, 1, false);
  sysfs.pci("0000:01:00.1")
      .ids(0x15b3, 0x101e, 0x15b3, 0x0016)
      .cls(0x020000)
      .revision(0x01)
      .vf_of("0000:01:00.0")
      .vfio()
      .override_driver("vfio-pci")
      .group(8);
}

TEST_F(PciBusTest, ReadsEveryFieldOfAVfBoundToVfio) {
  add_connectx(sysfs);
  Device vf = read("0000:01:00.1");
  EXPECT_EQ(vf.bus, "pci");
  EXPECT_EQ(vf.name, "0000:01:00.1");
  EXPECT_EQ(vf.id(), "0000:01:00.1");
  ASSERT_TRUE(vf.pci);
  EXPECT_EQ(vf.pci->vendor, 0x15b3);
  EXPECT_EQ(vf.pci->device, 0x101e);
  EXPECT_EQ(vf.pci->subsystem_vendor, 0x15b3);
  EXPECT_EQ(vf.pci->subsystem_device, 0x0016);
  EXPECT_EQ(vf.pci->class_code, 0x020000u);
  EXPECT_EQ(vf.modalias, "pci:v000015B3d0000101Esv000015B3sd00000016bc02sc00i00");
  EXPECT_EQ(vf.driver, "vfio-pci");
  EXPECT_EQ(vf.driver_override, "vfio-pci");
  EXPECT_TRUE(vf.has_driver_override_attr);
  EXPECT_EQ(vf.iommu_group, 8);
  EXPECT_EQ(vf.vfio_dev, "vfio0");
  EXPECT_TRUE(vf.sriov.is_vf);
  EXPECT_EQ(vf.sriov.physfn, "0000:01:00.0");
  EXPECT_FALSE(vf.sriov.totalvfs);  // sriov_* are PF-only attributes (drivers/pci/iov.c)
  EXPECT_FALSE(vf.not_assignable);
  EXPECT_THAT(vf.warnings, IsEmpty());
}

TEST_F(PciBusTest, ReadsThePfSide) {
  add_connectx(sysfs);
  Device pf = read("0000:01:00.0");
  EXPECT_EQ(pf.driver, "mlx5_core");
  EXPECT_FALSE(pf.driver_override);
  EXPECT_EQ(pf.iommu_group, 7);
  EXPECT_FALSE(pf.vfio_dev);
  EXPECT_FALSE(pf.sriov.is_vf);
  EXPECT_EQ(pf.sriov.totalvfs, 8);
  EXPECT_EQ(pf.sriov.numvfs, 1);
  EXPECT_EQ(pf.sriov.drivers_autoprobe, false);
  EXPECT_TRUE(pf.sriov.is_pf());
  EXPECT_TRUE(pf.sriov.has_vfs_enabled());
  EXPECT_THAT(pf.warnings, IsEmpty());
}

TEST_F(PciBusTest, TheFakeTreeIsLaidOutLikeTheKernels) {
  // Guards the fixture itself: the relative link texts the kernel produces.
  add_connectx(sysfs);
  sysfs.write();
  namespace fs = std::filesystem;
  auto link = [&](const std::string& p) { return fs::read_symlink(root.at(p)).string(); };
  EXPECT_EQ(link("/sys/bus/pci/devices/0000:01:00.1"), "../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.1");
  const std::string vf = "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.1";
  EXPECT_EQ(link(vf + "/driver"), "../../../../bus/pci/drivers/vfio-pci");
  EXPECT_EQ(link(vf + "/iommu_group"), "../../../../kernel/iommu_groups/8");
  EXPECT_EQ(link(vf + "/physfn"), "../0000:01:00.0");
  EXPECT_EQ(link(vf + "/subsystem"), "../../../../bus/pci");
  EXPECT_EQ(link("/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/virtfn0"), "../0000:01:00.1");
  EXPECT_EQ(link("/sys/kernel/iommu_groups/8/devices/0000:01:00.1"),
            "../../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.1");
  EXPECT_EQ(link("/sys/bus/pci/drivers/vfio-pci/module"), "../../../../module/vfio_pci");
  EXPECT_EQ(link("/sys/module/vfio_pci/drivers/pci:vfio-pci"), "../../../bus/pci/drivers/vfio-pci");
  EXPECT_EQ(root.read("/sys/module/vfio_pci/initstate"), "live\n");
  EXPECT_FALSE(fs::exists(root.at("/sys/bus/pci/drivers/pcieport/module")));
  EXPECT_EQ(root.read(vf + "/driver_override"), "vfio-pci\n");
  EXPECT_EQ(root.read("/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/driver_override"), "(null)\n");
  EXPECT_EQ(root.read(vf + "/class"), "0x020000\n");
  EXPECT_EQ(root.read(vf + "/vendor"), "0x15b3\n");
  EXPECT_TRUE(fs::is_directory(root.at(vf + "/vfio-dev/vfio0")));
  std::string config = root.read("/sys/devices/pci0000:00/0000:00:1c.0/config");
  ASSERT_GE(config.size(), 64u);
  EXPECT_EQ(config[0x0e], 1);
  for (const char* f : {"bind", "unbind", "new_id", "remove_id"}) {
    EXPECT_TRUE(fs::is_regular_file(root.at(std::string("/sys/bus/pci/drivers/vfio-pci/") + f))) << f;
  }
  EXPECT_TRUE(fs::exists(root.at("/sys/bus/pci/drivers_probe")));
  EXPECT_EQ(root.read("/sys/bus/pci/drivers_autoprobe"), "1\n");
}

TEST_F(PciBusTest, UnsetOverrideReadsAsNone) {
  // driver_override_show() prints a NULL pointer with "%s", which is "(null)".
  sysfs.pci("0000:03:00.0").driver("nvme", "nvme");
  Device d = read("0000:03:00.0");
  EXPECT_TRUE(d.has_driver_override_attr);
  EXPECT_FALSE(d.driver_override);
  EXPECT_THAT(d.warnings, IsEmpty());
}

TEST_F(PciBusTest, EmptyOverrideAlsoReadsAsNone) {
  sysfs.pci("0000:03:00.0").attr("driver_override", "");
  EXPECT_FALSE(read("0000:03:00.0").driver_override);
}

TEST_F(PciBusTest, UnboundDeviceHasNoDriverAndNoWarning) {
  sysfs.pci("0000:03:00.0");
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.driver);
  EXPECT_FALSE(d.iommu_group);
  EXPECT_THAT(d.warnings, IsEmpty());
}

TEST_F(PciBusTest, MissingModaliasFallsBackToTheIdAttributesWithAWarning) {
  sysfs.pci("0000:03:00.0").ids(0x144d, 0xa808, 0x144d, 0xa801).cls(0x010802).missing("modalias");
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.modalias);
  ASSERT_TRUE(d.pci);
  EXPECT_EQ(d.pci->vendor, 0x144d);
  EXPECT_EQ(d.pci->device, 0xa808);
  EXPECT_EQ(d.pci->subsystem_device, 0xa801);
  EXPECT_EQ(d.pci->class_code, 0x010802u);
  EXPECT_TRUE(any_warning_has(d, "modalias"));
  // The alias key is what modalias_show() prints for the same fields.
  EXPECT_EQ(bus.vfio_alias_key(d), "vfio_pci:v0000144Dd0000A808sv0000144Dsd0000A801bc01sc08i02");
}

TEST_F(PciBusTest, NoIdentityAtAllStillReadsTheRest) {
  sysfs.pci("0000:03:00.0").missing("modalias").missing("vendor").driver("nvme", "nvme").group(3);
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.pci);
  EXPECT_FALSE(bus.vfio_alias_key(d));
  EXPECT_TRUE(any_warning_has(d, "modalias"));
  EXPECT_TRUE(any_warning_has(d, "vendor"));
  EXPECT_EQ(d.driver, "nvme");
  EXPECT_EQ(d.iommu_group, 3);
}

TEST_F(PciBusTest, MissingOptionalAttributesAreNotWarnings) {
  // driver_override exists since v3.16 only, and links exist only when there is something to
  // link to; their absence is a fact, not a fault.
  sysfs.pci("0000:03:00.0").missing("driver_override").missing("config");
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.has_driver_override_attr);
  EXPECT_FALSE(d.driver_override);
  EXPECT_THAT(d.warnings, IsEmpty());
}

TEST_F(PciBusTest, UnreadableAttributesWarnAndKeepTheRest) {
  sysfs.pci("0000:03:00.0")
      .ids(0x144d, 0xa808)
      .driver("nvme", "nvme")
      .group(3)
      .unreadable("modalias")
      .unreadable("driver_override");
  Device d = read("0000:03:00.0");
  EXPECT_TRUE(any_warning_has(d, "modalias: Is a directory"));
  EXPECT_TRUE(any_warning_has(d, "driver_override: Is a directory"));
  EXPECT_TRUE(d.has_driver_override_attr);
  EXPECT_FALSE(d.driver_override);
  ASSERT_TRUE(d.pci);  // from the id attributes
  EXPECT_EQ(d.pci->vendor, 0x144d);
  EXPECT_EQ(d.driver, "nvme");
  EXPECT_EQ(d.iommu_group, 3);
}

TEST_F(PciBusTest, UnreadableLinksWarn) {
  sysfs.pci("0000:03:00.0").unreadable("driver").unreadable("iommu_group");
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.driver);
  EXPECT_FALSE(d.iommu_group);
  EXPECT_TRUE(any_warning_has(d, "driver: Invalid argument"));
  EXPECT_TRUE(any_warning_has(d, "iommu_group: Invalid argument"));
}

TEST_F(PciBusTest, DanglingModaliasLinkWarnsAsMissing) {
  sysfs.pci("0000:03:00.0").dangling("modalias");
  Device d = read("0000:03:00.0");
  EXPECT_FALSE(d.modalias);
  EXPECT_TRUE(any_warning_has(d, "modalias: No such file or directory"));
  ASSERT_TRUE(d.pci);
}

TEST_F(PciBusTest, MalformedValuesWarn) {
  sysfs.pci("0000:03:00.0")
      .attr("modalias", "pci:v00008086d00001234")
      .group(5)
      .sriov(4, 0)
      .attr("sriov_numvfs", "many");
  sysfs.write();
  root.symlink(sysfs.pci("0000:03:00.0").sys_path() + "/iommu_group", "../../../kernel/iommu_groups/abc");
  Device d = bus.read(sysfs.host(), "0000:03:00.0").value();
  EXPECT_TRUE(any_warning_has(d, "modalias: unexpected value 'pci:v00008086d00001234'"));
  EXPECT_TRUE(any_warning_has(d, "iommu_group: unexpected link"));
  EXPECT_TRUE(any_warning_has(d, "sriov_numvfs: unexpected value 'many'"));
  EXPECT_EQ(d.sriov.totalvfs, 4);
  EXPECT_FALSE(d.sriov.numvfs);
}

TEST_F(PciBusTest, UnknownDeviceReadsAsNothing) {
  sysfs.pci("0000:03:00.0");
  EXPECT_FALSE(bus.read(sysfs.host(), "0000:04:00.0"));
}

TEST_F(PciBusTest, ADeviceThatVanishesAfterListingIsSkipped) {
  sysfs.pci("0000:03:00.0");
  sysfs.pci("0000:04:00.0");
  sysfs.pci("0000:05:00.0");
  HostRoot host = sysfs.host();
  auto names = bus.list(host);
  ASSERT_EQ(names.size(), 3u);
  // Hot-unplug: the kernel removes the device directory and its bus link.
  std::filesystem::remove_all(root.at("/sys/devices/pci0000:04/0000:04:00.0"));
  std::filesystem::remove(root.at("/sys/bus/pci/devices/0000:04:00.0"));
  // A half-done removal: the bus link is still there, its target is gone.
  std::filesystem::remove_all(root.at("/sys/devices/pci0000:05/0000:05:00.0"));
  auto devices = bus.read_many(host, names);
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].name, "0000:03:00.0");
  EXPECT_FALSE(bus.read(host, "0000:05:00.0"));
}

TEST_F(PciBusTest, ListIsInPciOrder) {
  for (const char* a : {"0001:00:00.0", "0000:0a:00.0", "0000:00:1f.3", "0000:00:02.0", "10000:00:00.0"}) {
    sysfs.pci(a);
  }
  EXPECT_THAT(bus.list(sysfs.host()),
              ElementsAre("0000:00:02.0", "0000:00:1f.3", "0000:0a:00.0", "0001:00:00.0", "10000:00:00.0"));
}

TEST_F(PciBusTest, NoPciBusListsNothing) {
  root.mkdir("/sys");
  EXPECT_THAT(bus.list(HostRoot(root.path())), IsEmpty());
  EXPECT_THAT(bus.read_many(HostRoot(root.path()), {"0000:00:00.0"}), IsEmpty());
}

TEST_F(PciBusTest, BridgesAreNotAssignableButHostBridgesAre) {
  // vfio_pci_core_register_device() refuses any header type but PCI_HEADER_TYPE_NORMAL.
  sysfs.pci("0000:00:00.0").ids(0x8086, 0x0d57).cls(0x060000);                 // host bridge, type 0
  sysfs.pci("0000:00:1c.0").ids(0x8086, 0xa110).bridge().driver("pcieport");  // type 1
  sysfs.pci("0000:00:1c.4").ids(0x8086, 0xa114).bridge().header_type(0x81);   // type 1, multi-function
  sysfs.pci("0000:00:1f.0").ids(0x8086, 0xa30e).cls(0x060100);                 // ISA bridge, type 0
  sysfs.pci("0000:00:1d.0").ids(0x8086, 0xa118).bridge().missing("config");   // decided by class
  EXPECT_FALSE(read("0000:00:00.0").not_assignable);
  EXPECT_FALSE(read("0000:00:1f.0").not_assignable);
  Device root_port = read("0000:00:1c.0");
  ASSERT_TRUE(root_port.not_assignable);
  EXPECT_THAT(*root_port.not_assignable, HasSubstr("header type 1"));
  EXPECT_TRUE(read("0000:00:1c.4").not_assignable);
  Device no_config = read("0000:00:1d.0");
  ASSERT_TRUE(no_config.not_assignable);
  EXPECT_THAT(*no_config.not_assignable, HasSubstr("class 0604"));
}

TEST_F(PciBusTest, DevicesBehindBridgesReadLikeOthers) {
  sysfs.pci("0000:00:1c.0").bridge();
  sysfs.pci("0000:01:00.0").bridge().behind("0000:00:1c.0");
  sysfs.pci("0000:02:00.0").behind("0000:01:00.0").driver("nvme", "nvme").group(12);
  Device d = read("0000:02:00.0");
  EXPECT_EQ(d.driver, "nvme");
  EXPECT_EQ(d.iommu_group, 12);
  EXPECT_THAT(d.warnings, IsEmpty());
}

TEST_F(PciBusTest, CanonicalNamesAndAliasKey) {
  EXPECT_EQ(bus.canonical_name("01:00.0"), "0000:01:00.0");
  EXPECT_EQ(bus.canonical_name("0000:AF:1F.7"), "0000:af:1f.7");
  EXPECT_FALSE(bus.canonical_name("01:00"));
  EXPECT_FALSE(bus.canonical_name("pci/01:00.0"));
  sysfs.pci("0000:01:00.0").ids(0x15b3, 0x101e).cls(0x020000);
  EXPECT_EQ(bus.vfio_alias_key(read("0000:01:00.0")), "vfio_pci:v000015B3d0000101Esv00000000sd00000000bc02sc00i00");
}

// tests/data/sysfs/host-virtio.json is a snapshot of a real VM (see its README): rebuilt in a
// fake tree, everything PciBus reads must match what the machine showed.
TEST_F(PciBusTest, RealSnapshotReadsBackExactly) {
  nlohmann::json snap = testing::load_sysfs_snapshot(sysfs, testing::data_path("sysfs/host-virtio.json"));
  HostRoot host = sysfs.host();
  std::vector<std::string> expected_names;
  for (const auto& d : snap["devices"]) expected_names.push_back(d["address"]);
  auto names = bus.list(host);
  ASSERT_EQ(names, expected_names);
  auto devices = bus.read_many(host, names);
  ASSERT_EQ(devices.size(), snap["devices"].size());
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const auto& want = snap["devices"][i];
    const auto& attrs = want["attrs"];
    const Device& d = devices[i];
    SCOPED_TRACE(d.name);
    EXPECT_EQ(d.modalias, attrs["modalias"].get<std::string>());
    ASSERT_TRUE(d.pci);
    EXPECT_EQ(d.pci->vendor, std::stoul(attrs["vendor"].get<std::string>(), nullptr, 16));
    EXPECT_EQ(d.pci->device, std::stoul(attrs["device"].get<std::string>(), nullptr, 16));
    EXPECT_EQ(d.pci->subsystem_vendor, std::stoul(attrs["subsystem_vendor"].get<std::string>(), nullptr, 16));
    EXPECT_EQ(d.pci->subsystem_device, std::stoul(attrs["subsystem_device"].get<std::string>(), nullptr, 16));
    EXPECT_EQ(d.pci->class_code, std::stoul(attrs["class"].get<std::string>(), nullptr, 16));
    if (want["driver"].is_null()) EXPECT_FALSE(d.driver);
    else EXPECT_EQ(d.driver, want["driver"]["name"].get<std::string>());
    EXPECT_EQ(attrs["driver_override"], "(null)");
    EXPECT_FALSE(d.driver_override);
    EXPECT_TRUE(d.has_driver_override_attr);
    EXPECT_FALSE(d.iommu_group);  // the VM has no IOMMU
    EXPECT_FALSE(d.sriov.is_vf);
    EXPECT_FALSE(d.sriov.totalvfs);
    EXPECT_FALSE(d.vfio_dev);
    EXPECT_FALSE(d.not_assignable);  // the 8086:0d57 host bridge is a type 0 function
    EXPECT_THAT(d.warnings, IsEmpty());
  }
  EXPECT_EQ(devices[0].name, "0000:00:00.0");
  EXPECT_FALSE(devices[0].driver);
  EXPECT_THAT(devices, Contains(::testing::Field(&Device::driver, std::optional<std::string>("virtio-pci"))));
}

}  // namespace
}  // namespace vfioctl
