#include "inventory/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "support/fake_sysfs.h"
#include "support/module_tree.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::TempRoot;

std::vector<DeviceRef> refs(const Session& session, std::vector<std::string> texts) {
  std::vector<DeviceRef> out;
  for (const auto& t : texts) {
    std::string error;
    auto r = session.buses().parse(t, &error);
    EXPECT_TRUE(r) << error;
    if (r) out.push_back(*r);
  }
  return out;
}

const DeviceReport* find(const Snapshot& snap, const std::string& name) {
  for (const auto& r : snap.devices) {
    if (r.device.name == name) return &r;
  }
  return nullptr;
}

class SnapshotTest : public ::testing::Test {
 protected:
  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(SnapshotTest, WholeHostWithModulesGroupsAndChoices) {
  testing::build_workstation(sysfs);
  Session session(sysfs.host());
  Snapshot snap = take_snapshot(session, {});
  ASSERT_EQ(snap.devices.size(), 8u);
  EXPECT_THAT(snap.missing, IsEmpty());
  EXPECT_TRUE(snap.iommu_present);
  EXPECT_THAT(snap.warnings, IsEmpty());

  const DeviceReport* nic = find(snap, "0000:02:00.0");
  ASSERT_TRUE(nic);
  EXPECT_EQ(nic->device.driver_module, "mlx5_core");  // from drivers/mlx5_core/module
  const DeviceReport* port = find(snap, "0000:00:01.0");
  ASSERT_TRUE(port);
  EXPECT_FALSE(port->device.driver_module);  // pcieport: built in, no module link
  EXPECT_EQ(port->best(), nullptr);          // bridges get no vfio driver
  ASSERT_TRUE(port->resolution);
  EXPECT_FALSE(port->resolution->candidates.empty());  // ...though aliases do match

  const DeviceReport* gpu = find(snap, "0000:01:00.0");
  ASSERT_TRUE(gpu);
  EXPECT_TRUE(gpu->is_vfio);
  EXPECT_EQ(gpu->group_viable, false);
  const DeviceReport* vf = find(snap, "0000:02:00.1");
  ASSERT_TRUE(vf);
  ASSERT_TRUE(vf->best());
  EXPECT_EQ(vf->best()->module, "mlx5_vfio_pci");

  // Every group any device is in, with every member.
  EXPECT_EQ(snap.groups.groups().size(), 6u);
  ASSERT_TRUE(snap.groups.find(1));
  EXPECT_EQ(snap.groups.find(1)->members.size(), 3u);
}

TEST_F(SnapshotTest, RequestedDevicesInTheGivenOrderAndMissingOnesNamed) {
  testing::build_workstation(sysfs);
  Session session(sysfs.host());
  Snapshot snap = take_snapshot(session, refs(session, {"03:00.0", "0000:0a:00.0", "01:00.0", "03:00.0"}));
  ASSERT_EQ(snap.devices.size(), 2u);
  EXPECT_EQ(snap.devices[0].device.name, "0000:03:00.0");
  EXPECT_EQ(snap.devices[1].device.name, "0000:01:00.0");
  EXPECT_THAT(snap.missing, ElementsAre("0000:0a:00.0"));
}

TEST_F(SnapshotTest, IdenticalVfsShareOneResolution) {
  sysfs.pci("0000:02:00.0").ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core");
  for (const char* vf : {"0000:02:00.2", "0000:02:00.3", "0000:02:00.4"}) {
    sysfs.pci(vf).ids(0x15b3, 0x101e).cls(0x020000).vf_of("0000:02:00.0");
  }
  sysfs.write();
  testing::ModuleTree tree(root, "6.12.0-vfs");
  tree.add_synthetic(testing::generic_vfio_pci());
  Session session(sysfs.host());
  Snapshot snap = take_snapshot(session, {});
  ASSERT_EQ(snap.devices.size(), 4u);
  EXPECT_EQ(snap.devices[1].resolution, snap.devices[3].resolution);
  EXPECT_NE(snap.devices[0].resolution, snap.devices[1].resolution);
}

TEST_F(SnapshotTest, NoIommuAndNoModuleTree) {
  sysfs.pci("0000:00:04.0").driver("virtio-pci");
  Session session(sysfs.host());
  Snapshot snap = take_snapshot(session, {});
  EXPECT_FALSE(snap.iommu_present);  // the directory exists but is empty
  ASSERT_EQ(snap.devices.size(), 1u);
  EXPECT_FALSE(snap.devices[0].group_viable);
  EXPECT_EQ(snap.devices[0].best(), nullptr);
  ASSERT_FALSE(snap.warnings.empty());
  EXPECT_THAT(snap.warnings[0], HasSubstr("no module tree"));

  FakeSysfs& again = sysfs.without_iommu_groups_dir();
  Session session2(again.host());
  EXPECT_FALSE(take_snapshot(session2, {}).iommu_present);
}

}  // namespace
}  // namespace vfioctl
