#include "pci/pci_modalias.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "support/kmod_oracle.h"
#include "support/temp_root.h"

namespace vfioctl {
namespace {

using testing::data_path;
using testing::read_data_file;

// Every modalias the tests hold: the host-virtio snapshot and the kmod oracle's queries (the
// "vfio_pci:" ones turned back into the "pci:" form the kernel prints).
std::set<std::string> known_modaliases() {
  std::set<std::string> all;
  for (const auto& m : testing::host_virtio_modaliases()) all.insert(m);
  for (const auto& row : testing::read_resolve_oracle()) {
    std::string q = row.query;
    if (q.rfind("vfio_", 0) == 0) q.erase(0, 5);
    all.insert(q);
  }
  return all;
}

TEST(PciModalias, RoundTripsEveryRealModalias) {
  auto all = known_modaliases();
  ASSERT_EQ(all.size(), 6u);  // six PCI functions in the snapshot
  for (const auto& m : all) {
    auto id = parse_pci_modalias(m);
    ASSERT_TRUE(id) << m;
    EXPECT_EQ(format_pci_modalias(*id), m);
  }
}

// The modalias must agree with the separate sysfs attributes the kernel prints for the same
// device (drivers/pci/pci-sysfs.c: vendor/device/... "0x%04x", class "0x%06x").
TEST(PciModalias, AgreesWithTheSnapshotsIdAttributes) {
  auto j = nlohmann::json::parse(read_data_file(data_path("sysfs/host-virtio.json")));
  int checked = 0;
  for (const auto& d : j.at("devices")) {
    const auto& a = d.at("attrs");
    auto id = parse_pci_modalias(a.at("modalias").get<std::string>());
    ASSERT_TRUE(id);
    auto num = [&](const char* key) { return std::stoul(a.at(key).get<std::string>(), nullptr, 16); };
    EXPECT_EQ(id->vendor, num("vendor"));
    EXPECT_EQ(id->device, num("device"));
    EXPECT_EQ(id->subsystem_vendor, num("subsystem_vendor"));
    EXPECT_EQ(id->subsystem_device, num("subsystem_device"));
    EXPECT_EQ(id->class_code, num("class"));
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(PciModalias, SplitsTheClassCode) {
  auto id = parse_pci_modalias("pci:v00001AF4d00001042sv00001AF4sd00001042bc01sc80i00");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->class_code, 0x018000u);
  EXPECT_EQ(id->base_class(), 0x01);
  EXPECT_EQ(id->sub_class(), 0x80);
  auto prog_if = parse_pci_modalias("pci:v00008086d0000A0EDsv00001028sd00000A30bc0Csc03i30");
  ASSERT_TRUE(prog_if);
  EXPECT_EQ(prog_if->class_code, 0x0C0330u);
  EXPECT_EQ(format_pci_modalias(*prog_if), "pci:v00008086d0000A0EDsv00001028sd00000A30bc0Csc03i30");
}

// Lower-case hex is accepted (a hand-typed modalias), and printed back the kernel's way.
TEST(PciModalias, AcceptsLowerCaseHexAndFormatsUpperCase) {
  auto id = parse_pci_modalias("pci:v000015b3d0000101esv000015b3sd00000062bc02sc00i00");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->vendor, 0x15b3);
  EXPECT_EQ(format_pci_modalias(*id), "pci:v000015B3d0000101Esv000015B3sd00000062bc02sc00i00");
}

TEST(PciModalias, RejectsMalformedInput) {
  const std::string good = "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00";
  ASSERT_TRUE(parse_pci_modalias(good));
  for (const char* bad : {
           "",
           "pci:",
           "vfio_pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00",  // the alias key, not a modalias
           "PCI:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00",
           "v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00",
           "pci:v1AF4d1041sv1AF4sd1041bc02sc00i00",                        // short fields
           "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i0",         // short prog-if
           "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i000",       // trailing digit
           "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00\n",      // the newline of the file
           "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00*",       // an alias pattern
           "pci:v*d*sv*sd*bc*sc*i*",
           "pci:v00001AF4d00001041sv00001AF4sd00001041sc00bc02i00",        // fields out of order
           "pci:v00001AF4d00001041sd00001041sv00001AF4bc02sc00i00",
           "pci:v0000GAF4d00001041sv00001AF4sd00001041bc02sc00i00",        // not hex
           "pci:v0000 AF4d00001041sv00001AF4sd00001041bc02sc00i00",
           "pci:v+0001AF4d00001041sv00001AF4sd00001041bc02sc00i00",
           "pci:v00011AF4d00001041sv00001AF4sd00001041bc02sc00i00",        // vendor over 16 bits
           "pci:v00001AF4dFFFFFFFFsv00001AF4sd00001041bc02sc00i00",        // device over 16 bits
           "pci:v00001AF4d00001041sv00010000sd00001041bc02sc00i00",
           "pci:v00001AF4d00001041sv00001AF4sd00100000bc02sc00i00",
       }) {
    EXPECT_FALSE(parse_pci_modalias(bad)) << "accepted '" << bad << "'";
  }
  // Embedded NUL: the string_view carries it, the parser must not stop early and accept.
  EXPECT_FALSE(parse_pci_modalias(std::string_view(good.c_str(), good.size() + 1)));
}

}  // namespace
}  // namespace vfioctl
