#include "groups/iommu_groups.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "modules/kmod_session.h"
#include "modules/module_catalog.h"
#include "modules/vfio_alias_index.h"
#include "pci/pci_bus.h"
#include "support/fake_sysfs.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::ModuleKind;
using vfioctl::testing::TempRoot;

std::vector<std::string> names_of(const std::vector<GroupMember>& members) {
  std::vector<std::string> out;
  for (const auto& m : members) out.push_back(m.name);
  return out;
}

std::vector<std::string> names_of(const std::vector<const GroupMember*>& members) {
  std::vector<std::string> out;
  for (const auto* m : members) out.push_back(m->name);
  return out;
}

// Group viability as the kernel decides it since v5.19 (see iommu_groups.h): every member
// unbound or on a driver with driver_managed_dma.
class IommuGroupsTest : public ::testing::Test {
 protected:
  // Reads the devices (all, or `only`) and builds the table, the way take_snapshot() does.
  GroupTable build(std::vector<std::string> only = {}) {
    host_.emplace(sysfs.host());
    kmod_.emplace(*host_);
    catalog_.emplace(*host_, *kmod_);
    check_.emplace(index_, *catalog_);
    PciBus bus;
    devices = bus.read_many(*host_, only.empty() ? bus.list(*host_) : only);
    devices.insert(devices.end(), extra_devices.begin(), extra_devices.end());
    return GroupTable::build(*host_, devices, *check_);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  std::vector<Device> devices;
  std::vector<Device> extra_devices;  // listed devices of other buses

 private:
  // The alias index of a host with vfio_pci and the mlx5 variant installed.
  VfioAliasIndex index_{{
      {"vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*", "mlx5_vfio_pci", AliasSource::kModulesAlias, 1},
      {"vfio_pci:v*d*sv*sd*bc*sc*i*", "vfio_pci", AliasSource::kModulesAlias, 2},
  }};
  std::optional<HostRoot> host_;
  std::optional<KmodSession> kmod_;
  std::optional<ModuleCatalog> catalog_;
  std::optional<VfioDriverCheck> check_;
};

TEST_F(IommuGroupsTest, DriversThatAllowVfioOwnership) {
  sysfs.pci("0000:01:00.0").group(1);                                          // unbound
  sysfs.pci("0000:02:00.0").vfio().group(2);                                   // vfio-pci
  sysfs.pci("0000:03:00.0").vfio("nvgrace_gpu_vfio_pci", "nvgrace_gpu_vfio_pci").group(3);  // vfio-dev only
  sysfs.pci("0000:04:00.0").ids(0x15b3, 0x101e).driver("mlx5_vfio_pci", "mlx5_vfio_pci").group(4);  // alias only
  sysfs.pci("0000:05:00.0").driver("pci-stub", "pci_stub", ModuleKind::kBuiltin).group(5);
  sysfs.pci("0000:06:00.0").bridge().driver("pcieport").group(6);
  GroupTable table = build();
  ASSERT_EQ(table.groups().size(), 6u);
  for (const auto& [number, group] : table.groups()) {
    SCOPED_TRACE(number);
    EXPECT_TRUE(group.viable());
    EXPECT_THAT(group.blockers(), IsEmpty());
    ASSERT_EQ(group.members.size(), 1u);
    EXPECT_EQ(group.members[0].bus, "pci");
  }
  EXPECT_FALSE(table.find(1)->members[0].driver);
  EXPECT_TRUE(table.find(2)->members[0].is_vfio);
  EXPECT_TRUE(table.find(3)->members[0].is_vfio);
  EXPECT_TRUE(table.find(4)->members[0].is_vfio);
  EXPECT_FALSE(table.find(5)->members[0].is_vfio);  // pci-stub allows, but is not vfio
  EXPECT_FALSE(table.find(6)->members[0].is_vfio);
  EXPECT_TRUE(table.find(6)->members[0].is_bridge);
  EXPECT_FALSE(table.find(7));
}

TEST_F(IommuGroupsTest, AnyHostDriverBlocks) {
  sysfs.pci("0000:01:00.0").driver("nvme", "nvme").group(1);
  // A variant name is not enough: without vfio-dev and without a vfio alias of its module, a
  // driver is a host driver as far as vfioctl can tell.
  sysfs.pci("0000:02:00.0").driver("xe-vfio-pci", "xe_vfio_pci").group(2);
  // Built into a kernel without module sysfs: no module link to look the alias up through.
  sysfs.pci("0000:03:00.0").driver("virtio-pci").group(3);
  GroupTable table = build();
  for (int g : {1, 2, 3}) {
    SCOPED_TRACE(g);
    ASSERT_TRUE(table.find(g));
    EXPECT_FALSE(table.find(g)->viable());
    EXPECT_EQ(table.find(g)->blockers().size(), 1u);
  }
}

TEST_F(IommuGroupsTest, MultiDeviceGroupNamesItsBlockers) {
  // A GPU behind a root port that does not isolate: root port, VGA and HDMI audio share group 1.
  sysfs.pci("0000:00:01.0").bridge().driver("pcieport").group(1);
  sysfs.pci("0000:01:00.1").behind("0000:00:01.0").ids(0x10de, 0x1aef).cls(0x040300)
      .driver("snd_hda_intel", "snd_hda_intel").group(1);
  sysfs.pci("0000:01:00.0").behind("0000:00:01.0").ids(0x10de, 0x2204).cls(0x030000).vfio().group(1);
  sysfs.pci("0000:02:00.0").driver("nvme", "nvme").group(2);
  GroupTable table = build();
  const IommuGroup* g = table.find(1);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->number, 1);
  EXPECT_THAT(names_of(g->members), ElementsAre("0000:00:01.0", "0000:01:00.0", "0000:01:00.1"));
  EXPECT_FALSE(g->viable());
  EXPECT_THAT(names_of(g->blockers()), ElementsAre("0000:01:00.1"));
  EXPECT_EQ(g->members[2].driver, "snd_hda_intel");

  // Once the audio function is on vfio-pci too, the group is usable.
  sysfs.pci("0000:01:00.1").vfio();
  GroupTable after = build();
  EXPECT_TRUE(after.find(1)->viable());
}

TEST_F(IommuGroupsTest, MembersNotListedAreReadThroughTheGroupFolder) {
  sysfs.pci("0000:00:01.0").bridge().driver("pcieport").group(1);
  sysfs.pci("0000:01:00.0").behind("0000:00:01.0").vfio().group(1);
  sysfs.pci("0000:01:00.1").behind("0000:00:01.0").driver("snd_hda_intel", "snd_hda_intel").group(1);
  GroupTable table = build({"0000:01:00.0"});
  ASSERT_EQ(devices.size(), 1u);
  const IommuGroup* g = table.find(1);
  ASSERT_TRUE(g);
  ASSERT_EQ(g->members.size(), 3u);
  const GroupMember& audio = g->members[2];
  EXPECT_EQ(audio.name, "0000:01:00.1");
  EXPECT_EQ(audio.bus, "pci");
  EXPECT_EQ(audio.driver, "snd_hda_intel");
  EXPECT_FALSE(audio.allows_ownership);
  const GroupMember& port = g->members[0];
  EXPECT_EQ(port.driver, "pcieport");
  EXPECT_TRUE(port.allows_ownership);
  EXPECT_FALSE(g->viable());
}

TEST_F(IommuGroupsTest, AMemberOfAnotherBusIsReadWithItsOwnBus) {
  // On Arm SoCs a platform DMA engine can share a group with a PCI function.
  sysfs.pci("0000:01:00.0").vfio().group(4);
  sysfs.other("platform", "fff51000.dma").driver("dw_dmac").group(4);
  GroupTable table = build();
  const IommuGroup* g = table.find(4);
  ASSERT_TRUE(g);
  ASSERT_EQ(g->members.size(), 2u);
  const GroupMember& dma = g->members[1];
  EXPECT_EQ(dma.name, "fff51000.dma");
  EXPECT_EQ(dma.bus, "platform");
  EXPECT_EQ(dma.driver, "dw_dmac");
  EXPECT_FALSE(dma.allows_ownership);
  EXPECT_FALSE(g->viable());
}

TEST_F(IommuGroupsTest, ListedMembersAreFoundByTheirSubsystemNotTheirName) {
  // A listed device of another bus must be matched with what was read for it (here: already
  // bound to vfio-platform), which takes its bus from the subsystem link, not from its name.
  sysfs.pci("0000:01:00.0").vfio().group(4);
  sysfs.other("platform", "fff51000.dma").driver("dw_dmac").group(4);
  Device dma;
  dma.bus = "platform";
  dma.name = "fff51000.dma";
  dma.driver = "vfio-platform";
  dma.vfio_dev = "vfio1";
  dma.iommu_group = 4;
  extra_devices.push_back(dma);
  GroupTable table = build();
  const IommuGroup* g = table.find(4);
  ASSERT_TRUE(g);
  ASSERT_EQ(g->members.size(), 2u);
  EXPECT_EQ(g->members[1].driver, "vfio-platform");
  EXPECT_TRUE(g->members[1].is_vfio);
  EXPECT_TRUE(g->viable());
}

TEST_F(IommuGroupsTest, APciNamedMemberOfAnotherBusIsNotMistakenForThePciDevice) {
  // Names are unique per bus only. The subsystem link, not the name's shape, says which bus a
  // member is on, so a listed PCI device is not matched with a same-named device elsewhere.
  sysfs.pci("0000:01:00.0").vfio().group(4);
  sysfs.write();
  const std::string pci_dir = sysfs.pci("0000:01:00.0").sys_path();
  root.symlink("/sys/kernel/iommu_groups/4/devices/0000:01:00.0",
               std::filesystem::path(pci_dir).lexically_relative("/sys/kernel/iommu_groups/4/devices").string());
  root.symlink(pci_dir + "/subsystem", "../../../bus/platform");
  GroupTable table = build();
  const IommuGroup* g = table.find(4);
  ASSERT_TRUE(g);
  ASSERT_EQ(g->members.size(), 1u);
  EXPECT_EQ(g->members[0].bus, "platform");
}

TEST_F(IommuGroupsTest, WithoutASubsystemLinkAPciAddressMeansPci) {
  sysfs.pci("0000:01:00.0").missing("subsystem").driver("nvme", "nvme").group(4);
  sysfs.pci("0000:02:00.0").missing("subsystem").group(4);
  GroupTable table = build({"0000:01:00.0"});
  const IommuGroup* g = table.find(4);
  ASSERT_TRUE(g);
  ASSERT_EQ(g->members.size(), 2u);
  EXPECT_EQ(g->members[0].bus, "pci");
  EXPECT_EQ(g->members[0].driver, "nvme");  // matched with the listed device
  EXPECT_EQ(g->members[1].bus, "pci");
}

TEST_F(IommuGroupsTest, AnUnreadableGroupFolderLeavesTheDeviceAlone) {
  sysfs.pci("0000:01:00.0").vfio().group(9);
  sysfs.pci("0000:01:00.1").driver("nvme", "nvme").group(9);
  sysfs.write();
  std::filesystem::remove_all(root.at("/sys/kernel/iommu_groups/9"));
  GroupTable table = build({"0000:01:00.0"});
  const IommuGroup* g = table.find(9);
  ASSERT_TRUE(g);
  EXPECT_THAT(names_of(g->members), ElementsAre("0000:01:00.0"));
  EXPECT_TRUE(g->members[0].is_vfio);
}

TEST_F(IommuGroupsTest, DevicesWithoutGroupsMakeNoGroups) {
  sysfs.pci("0000:01:00.0").driver("nvme", "nvme");
  EXPECT_THAT(build().groups(), IsEmpty());
}

}  // namespace
}  // namespace vfioctl
