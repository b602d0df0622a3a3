#include "report/status_json_text.h"

#include <gtest/gtest.h>

#include "report/status_report.h"

namespace vfioctl {
namespace {

// status_json() defines the document; status_json_text() must give its dump(2) byte for byte.
void expect_same_text(const Snapshot& snap, const HostRoot& host) {
  EXPECT_EQ(status_json_text(snap, host), status_json(snap, host).dump(2));
}

HostRoot test_host() { return HostRoot("/nonexistent-vfioctl-root", "6.12.0-test"); }

Candidate candidate(std::string module, std::vector<std::string> drivers, ModuleState state, int rank) {
  Candidate c;
  c.module = std::move(module);
  c.alias = "vfio_pci:v000015B3d0000101Esv*sd*bc*sc*i*";
  c.source = AliasSource::kModulesAlias;
  c.specificity = Specificity{7, 5, 23};
  c.score = 2;
  c.rank = rank;
  c.state = state;
  c.drivers = std::move(drivers);
  return c;
}

DeviceReport report(Device d, std::shared_ptr<Resolution> resolution) {
  DeviceReport r;
  r.device = std::move(d);
  r.resolution = std::move(resolution);
  return r;
}

Device pci_device(std::string name) {
  Device d;
  d.bus = "pci";
  d.name = std::move(name);
  d.pci = PciIdentity{0x15b3, 0x101e, 0x15b3, 0x0001, 0x020000};
  d.modalias = "pci:v000015B3d0000101Esv000015B3sd00000001bc02sc00i00";
  return d;
}

// One device of every shape the report distinguishes.
Snapshot varied_snapshot() {
  Snapshot snap;
  snap.iommu_present = true;
  snap.warnings = {"no module tree for kernel 6.12.0-test", "a \"quoted\"\tand\\escaped\x01 warning"};

  auto one_driver = std::make_shared<Resolution>();
  one_driver->candidates = {candidate("mlx5_vfio_pci", {"mlx5_vfio_pci"}, ModuleState::kLoaded, 1),
                            candidate("vfio_pci", {"vfio-pci"}, ModuleState::kBuiltin, 2)};
  one_driver->candidates[1].blacklisted = true;
  one_driver->chosen = 0;
  auto two_drivers = std::make_shared<Resolution>();
  two_drivers->candidates = {candidate("multi", {"drv-a", "drv-b"}, ModuleState::kLoaded, 1)};
  two_drivers->chosen = 0;
  auto unloaded = std::make_shared<Resolution>();
  unloaded->candidates = {candidate("vfio_pci", {}, ModuleState::kAvailable, 1)};
  unloaded->chosen = 0;
  auto loaded_no_driver = std::make_shared<Resolution>();
  loaded_no_driver->candidates = {candidate("odd", {}, ModuleState::kLoaded, 1)};
  loaded_no_driver->chosen = 0;
  // Not a state the ranker produces (an excluded candidate is never chosen), but it puts an
  // "excluded" text and a null rank in the document.
  auto excluded = std::make_shared<Resolution>();
  excluded->candidates = {candidate("gone", {}, ModuleState::kNotFound, 0)};
  excluded->candidates[0].excluded = "module not found in the module tree";
  excluded->chosen = 0;
  auto none = std::make_shared<Resolution>();

  Device vf = pci_device("0000:01:00.2");
  vf.driver = "mlx5_core";
  vf.driver_module = "mlx5_core";
  vf.iommu_group = 12;
  vf.sriov.is_vf = true;
  vf.sriov.physfn = "0000:01:00.0";
  snap.devices.push_back(report(vf, one_driver));
  snap.devices.back().group_viable = false;

  Device pf = pci_device("0000:01:00.0");
  pf.driver = "vfio-pci";
  pf.driver_override = "vfio-pci";
  pf.vfio_dev = "vfio3";
  pf.iommu_group = 0;
  pf.sriov.totalvfs = 8;
  pf.sriov.numvfs = 2;
  pf.sriov.drivers_autoprobe = false;
  pf.warnings = {"sriov_numvfs: unexpected value 'x'", "caf\xc3\xa9 \xe2\x80\xa6 utf-8"};
  snap.devices.push_back(report(pf, two_drivers));
  snap.devices.back().is_vfio = true;
  snap.devices.back().group_viable = true;

  Device bridge = pci_device("0000:00:1c.0");
  bridge.pci->class_code = 0x060400;
  bridge.driver = "pcieport";
  bridge.not_assignable = "bridge (PCI header type 1): vfio-pci only takes type 0 endpoints";
  snap.devices.push_back(report(bridge, one_driver));

  Device bare;  // nothing readable at all
  bare.bus = "pci";
  bare.name = "0000:05:00.0";
  bare.warnings = {"modalias: Permission denied"};
  snap.devices.push_back(report(bare, none));

  // Subchannels on vfio_ccw: one with two mdevs (one without a group yet), one with none.
  Device parent;
  parent.bus = "css";
  parent.name = "0.0.0000";
  parent.driver = "vfio_ccw";
  parent.mdevs = {{"6881f8a6-1155-4c5c-8e75-57142db9e450", "vfio_ccw-io", 0}, {"7d1e7c4a-0000-4000-8000-000000000001", std::nullopt, std::nullopt}};
  snap.devices.push_back(report(parent, unloaded));
  snap.devices.back().through_mdev = true;
  Device idle_parent = parent;
  idle_parent.name = "0.0.0001";
  idle_parent.mdevs.clear();
  snap.devices.push_back(report(idle_parent, unloaded));
  snap.devices.back().through_mdev = true;

  Device other_bus;
  other_bus.bus = "platform";
  other_bus.name = "fff51000.dma";
  other_bus.sriov.totalvfs = 0;
  snap.devices.push_back(report(other_bus, unloaded));
  snap.devices.push_back(report(pci_device("0000:06:00.0"), loaded_no_driver));
  snap.devices.push_back(report(pci_device("0000:07:00.0"), excluded));
  return snap;
}

TEST(StatusJsonTextTest, EmptySnapshotMatchesTheTree) {
  Snapshot snap;
  expect_same_text(snap, test_host());
  snap.iommu_present = true;
  snap.warnings = {"only a warning"};
  expect_same_text(snap, test_host());
}

TEST(StatusJsonTextTest, EveryKindOfDeviceMatchesTheTree) {
  Snapshot snap = varied_snapshot();
  expect_same_text(snap, test_host());
  // The test means something only if the document has those shapes.
  std::string text = status_json_text(snap, test_host());
  for (const char* part : {"\"drivers\": [", "\"driver_note\": \"driver name known after load\"",
                           "\"driver_note\": \"the module registered no driver on this bus\"",
                           "\"role\": \"vf\"", "\"role\": \"pf\"", "\"vfio_driver\": null", "\\u0001",
                           "caf\xc3\xa9", "\"rank\": null", "\"excluded\": \"module", "\"warnings\": []",
                           "\"vendor\": null"}) {
    EXPECT_NE(text.find(part), std::string::npos) << part;
  }
}

TEST(StatusJsonTextTest, ThousandsOfDevicesMatchTheTree) {
  // Enough devices for the threaded path.
  Snapshot base = varied_snapshot();
  Snapshot snap;
  for (int i = 0; i < 3000; ++i) snap.devices.push_back(base.devices[static_cast<std::size_t>(i) % base.devices.size()]);
  expect_same_text(snap, test_host());
}

TEST(StatusJsonTextTest, InvalidUtf8FailsAsTheTreeDoes) {
  Snapshot snap = varied_snapshot();
  snap.devices[2].device.warnings.push_back("bad \xff byte");
  EXPECT_THROW(status_json(snap, test_host()).dump(2), nlohmann::json::type_error);
  EXPECT_THROW(status_json_text(snap, test_host()), nlohmann::json::type_error);
}

}  // namespace
}  // namespace vfioctl
