#include "report/status_report.h"

#include <gtest/gtest.h>

namespace vfioctl {
namespace {

using nlohmann::json;

DeviceReport report_for(Device d) {
  DeviceReport r;
  r.device = std::move(d);
  r.resolution = std::make_shared<Resolution>();
  return r;
}

TEST(StatusReportTest, UnknownIdentityGivesNullsNotGarbage) {
  Device d;
  d.bus = "pci";
  d.name = "0000:05:00.0";
  d.warnings = {"modalias: Is a directory", "vendor: Is a directory"};
  json j = device_status_json(report_for(d));
  EXPECT_EQ(j["address"], "0000:05:00.0");
  EXPECT_TRUE(j["vendor"].is_null());
  EXPECT_TRUE(j["device"].is_null());
  EXPECT_TRUE(j["class"].is_null());
  EXPECT_TRUE(j["driver"].is_null());
  EXPECT_TRUE(j["driver_override"].is_null());
  EXPECT_TRUE(j["iommu_group"].is_null());
  EXPECT_TRUE(j["group_viable"].is_null());
  EXPECT_TRUE(j["vfio_driver"].is_null());
  EXPECT_EQ(j["warnings"].size(), 2u);
  EXPECT_EQ(pci_id_text(d), "?");
}

TEST(StatusReportTest, HexFieldsArePaddedLowerCase) {
  Device d;
  d.bus = "pci";
  d.name = "0000:00:02.0";
  d.pci = PciIdentity{0x8086, 0x0a, 0xABCD, 0x1, 0x030000};
  json j = device_status_json(report_for(d));
  EXPECT_EQ(j["vendor"], "8086");
  EXPECT_EQ(j["device"], "000a");
  EXPECT_EQ(j["subsystem_vendor"], "abcd");
  EXPECT_EQ(j["subsystem_device"], "0001");
  EXPECT_EQ(j["class"], "030000");
  EXPECT_EQ(pci_id_text(d), "8086:000a");
}

TEST(StatusReportTest, SriovRoles) {
  Device pf;
  pf.bus = "pci";
  pf.name = "0000:02:00.0";
  pf.sriov.totalvfs = 8;
  pf.sriov.numvfs = 2;
  pf.sriov.drivers_autoprobe = false;
  json p = device_status_json(report_for(pf));
  EXPECT_EQ(p["sriov"]["role"], "pf");
  EXPECT_EQ(p["sriov"]["totalvfs"], 8);
  EXPECT_EQ(p["sriov"]["numvfs"], 2);
  EXPECT_EQ(p["sriov"]["drivers_autoprobe"], false);

  Device vf;
  vf.bus = "pci";
  vf.name = "0000:02:00.2";
  vf.sriov.is_vf = true;
  vf.sriov.physfn = "0000:02:00.0";
  json v = device_status_json(report_for(vf));
  EXPECT_EQ(v["sriov"]["role"], "vf");
  EXPECT_EQ(v["sriov"]["physfn"], "0000:02:00.0");

  Device plain;
  plain.bus = "pci";
  plain.name = "0000:03:00.0";
  plain.sriov.totalvfs = 0;  // sriov_totalvfs of 0: capable of nothing
  EXPECT_TRUE(device_status_json(report_for(plain))["sriov"]["role"].is_null());
}

TEST(StatusReportTest, NotAssignableHidesTheCandidate) {
  Device bridge;
  bridge.bus = "pci";
  bridge.name = "0000:00:01.0";
  bridge.not_assignable = "bridge (PCI header type 1): vfio-pci only takes type 0 endpoints";
  DeviceReport r = report_for(bridge);
  auto res = std::make_shared<Resolution>();
  Candidate c;
  c.module = "vfio_pci";
  c.alias = "vfio_pci:v*d*sv*sd*bc*sc*i*";
  c.rank = 1;
  res->candidates.push_back(c);
  res->chosen = 0;
  r.resolution = res;
  json j = device_status_json(r);
  EXPECT_TRUE(j["vfio_driver"].is_null());
  EXPECT_EQ(j["assignable"], false);
  EXPECT_EQ(j["not_assignable_reason"], *bridge.not_assignable);
}

}  // namespace
}  // namespace vfioctl
