// `vfioctl status` end to end (run_cli on fake hosts): the JSON contract of cli-contract.md,
// DEVICE filtering, exit codes and the table.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"
#include "support/sysfs_snapshot.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::run_cli_captured;
using vfioctl::testing::TempRoot;

const json* find_device(const json& doc, const std::string& address) {
  for (const auto& d : doc["devices"]) {
    if (d["address"] == address) return &d;
  }
  return nullptr;
}

// Exactly `digits` lower-case hex digits. (Not std::regex: GCC 12 with ASan reports a false
// maybe-uninitialized inside <regex>, and warnings are errors.)
bool is_lower_hex(const json& value, std::size_t digits) {
  if (!value.is_string()) return false;
  const std::string& s = value.get_ref<const std::string&>();
  if (s.size() != digits) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::vector<std::string> addresses(const json& doc) {
  std::vector<std::string> out;
  for (const auto& d : doc["devices"]) out.push_back(d["address"]);
  return out;
}

class StatusCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::build_workstation(sysfs); }

  CliRun status(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--root", root.path(), "status"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli_captured(args);
  }

  json status_json(std::vector<std::string> extra = {}) {
    extra.insert(extra.begin(), "--json");
    CliRun run = status(extra);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return json::parse(run.out);  // throws on anything but exactly one document
  }

  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(StatusCommandTest, JsonHasEveryContractKeyWithItsType) {
  json doc = status_json();
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc["devices"].is_array());
  ASSERT_EQ(doc["devices"].size(), 8u);
  for (const auto& d : doc["devices"]) {
    SCOPED_TRACE(d.dump());
    ASSERT_TRUE(d["address"].is_string());
    const std::string address = d["address"];
    ASSERT_EQ(address.size(), 12u);
    EXPECT_TRUE(is_lower_hex(address.substr(0, 4), 4) && address[4] == ':' && is_lower_hex(address.substr(5, 2), 2) &&
                address[7] == ':' && is_lower_hex(address.substr(8, 2), 2) && address[10] == '.' &&
                address[11] >= '0' && address[11] <= '7');
    EXPECT_EQ(d["bus"], "pci");
    EXPECT_TRUE(is_lower_hex(d["vendor"], 4));
    EXPECT_TRUE(is_lower_hex(d["device"], 4));
    EXPECT_TRUE(is_lower_hex(d["class"], 6));
    ASSERT_TRUE(d.contains("driver"));
    EXPECT_TRUE(d["driver"].is_string() || d["driver"].is_null());
    ASSERT_TRUE(d.contains("driver_override"));
    EXPECT_TRUE(d["driver_override"].is_string() || d["driver_override"].is_null());
    EXPECT_NE(d["driver_override"], "(null)");
    EXPECT_TRUE(d["is_vfio"].is_boolean());
    ASSERT_TRUE(d.contains("iommu_group"));
    EXPECT_TRUE(d["iommu_group"].is_number_integer() || d["iommu_group"].is_null());
    ASSERT_TRUE(d.contains("group_viable"));
    EXPECT_TRUE(d["group_viable"].is_boolean() || d["group_viable"].is_null());
    ASSERT_TRUE(d.contains("vfio_driver"));
    const json& v = d["vfio_driver"];
    if (v.is_null()) continue;
    ASSERT_TRUE(v.is_object());
    EXPECT_TRUE(v["module"].is_string());
    ASSERT_TRUE(v.contains("driver"));
    EXPECT_TRUE(v["driver"].is_string() || v["driver"].is_null());
    EXPECT_TRUE(v["alias"].is_string());
    EXPECT_TRUE(v["score"].is_number_integer());
  }
}

TEST_F(StatusCommandTest, JsonValuesOfEachKindOfDevice) {
  json doc = status_json();

  const json* gpu = find_device(doc, "0000:01:00.0");
  ASSERT_TRUE(gpu);
  EXPECT_EQ((*gpu)["vendor"], "10de");
  EXPECT_EQ((*gpu)["device"], "2204");
  EXPECT_EQ((*gpu)["class"], "030000");
  EXPECT_EQ((*gpu)["driver"], "vfio-pci");
  EXPECT_EQ((*gpu)["driver_override"], "vfio-pci");
  EXPECT_EQ((*gpu)["is_vfio"], true);
  EXPECT_EQ((*gpu)["iommu_group"], 1);
  EXPECT_EQ((*gpu)["group_viable"], false);  // the HDMI audio function is on snd_hda_intel
  EXPECT_EQ((*gpu)["vfio_driver"]["module"], "vfio_pci");
  EXPECT_EQ((*gpu)["vfio_driver"]["driver"], "vfio-pci");  // loaded: the name is known
  EXPECT_EQ((*gpu)["vfio_driver"]["alias"], "vfio_pci:v*d*sv*sd*bc*sc*i*");
  EXPECT_EQ((*gpu)["vfio_driver"]["score"], 0);

  const json* vf = find_device(doc, "0000:02:00.1");
  ASSERT_TRUE(vf);
  EXPECT_EQ((*vf)["vendor"], "15b3");
  EXPECT_EQ((*vf)["device"], "101e");
  EXPECT_EQ((*vf)["class"], "020000");
  EXPECT_TRUE((*vf)["driver"].is_null());
  EXPECT_TRUE((*vf)["driver_override"].is_null());  // "(null)" in sysfs
  EXPECT_EQ((*vf)["is_vfio"], false);
  EXPECT_EQ((*vf)["iommu_group"], 4);
  EXPECT_EQ((*vf)["group_viable"], true);  // alone and unbound
  // The variant's alias fixes vendor and device: 2 of 7 fields (sv, sd, bc, sc, i are '*').
  EXPECT_EQ((*vf)["vfio_driver"]["module"], "mlx5_vfio_pci");
  EXPECT_TRUE((*vf)["vfio_driver"]["driver"].is_null());  // not loaded: name unknown
  EXPECT_EQ((*vf)["vfio_driver"]["alias"], testing::kMlx5VariantAlias);
  EXPECT_EQ((*vf)["vfio_driver"]["score"], 2);

  const json* port = find_device(doc, "0000:00:01.0");
  ASSERT_TRUE(port);
  EXPECT_EQ((*port)["class"], "060400");
  EXPECT_EQ((*port)["driver"], "pcieport");
  EXPECT_TRUE((*port)["vfio_driver"].is_null());  // a bridge: vfio-pci refuses header type 1

  const json* host_bridge = find_device(doc, "0000:00:00.0");
  ASSERT_TRUE(host_bridge);
  EXPECT_TRUE((*host_bridge)["driver"].is_null());
  EXPECT_EQ((*host_bridge)["group_viable"], true);
  EXPECT_EQ((*host_bridge)["vfio_driver"]["module"], "vfio_pci");  // type 0: assignable

  const json* nvme = find_device(doc, "0000:03:00.0");
  ASSERT_TRUE(nvme);
  EXPECT_EQ((*nvme)["driver"], "nvme");
  EXPECT_EQ((*nvme)["is_vfio"], false);
  EXPECT_EQ((*nvme)["group_viable"], false);  // today's state: its own host driver holds it
  EXPECT_EQ((*nvme)["iommu_group"], 5);

  EXPECT_EQ(doc["kernel_release"], testing::kWorkstationRelease);
  EXPECT_EQ(doc["iommu_present"], true);
}

TEST_F(StatusCommandTest, DevicesAreListedInPciOrder) {
  json doc = status_json();
  EXPECT_EQ(addresses(doc), (std::vector<std::string>{"0000:00:00.0", "0000:00:01.0", "0000:00:1c.0",
                                                       "0000:01:00.0", "0000:01:00.1", "0000:02:00.0",
                                                       "0000:02:00.1", "0000:03:00.0"}));
}

TEST_F(StatusCommandTest, DeviceArgumentsFilterInEitherForm) {
  EXPECT_THAT(addresses(status_json({"01:00.0"})), UnorderedElementsAre("0000:01:00.0"));
  EXPECT_THAT(addresses(status_json({"0000:02:00.1", "03:00.0"})),
              UnorderedElementsAre("0000:02:00.1", "0000:03:00.0"));
  // Upper-case hex and the same device twice still make one row.
  EXPECT_THAT(addresses(status_json({"0000:02:00.1", "02:00.1", "0000:02:00.1"})),
              UnorderedElementsAre("0000:02:00.1"));
  EXPECT_THAT(addresses(status_json({"pci/01:00.1"})), UnorderedElementsAre("0000:01:00.1"));
}

TEST_F(StatusCommandTest, AFilteredDeviceStillSeesItsWholeGroup) {
  json doc = status_json({"01:00.0"});
  ASSERT_EQ(doc["devices"].size(), 1u);
  EXPECT_EQ(doc["devices"][0]["group_viable"], false);  // read through the group folder
}

TEST_F(StatusCommandTest, UnknownDeviceIsBadInputNamingIt) {
  CliRun run = status({"--json", "01:00.0", "0000:09:00.0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("0000:09:00.0"));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST_F(StatusCommandTest, MalformedAddressIsBadInput) {
  for (const char* bad : {"01:00", "0000:01:00.8", "01:20.0", "0000:01:00.0x", "zz:00.0", ""}) {
    SCOPED_TRACE(bad);
    CliRun run = status({bad});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_THAT(run.err, HasSubstr("not a PCI address"));
    EXPECT_THAT(run.out, IsEmpty());
  }
}

TEST_F(StatusCommandTest, UnknownBusIsBadInput) {
  CliRun run = status({"nosuchbus/dev0"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("unknown bus 'nosuchbus'"));
}

TEST_F(StatusCommandTest, MissingRootIsBadInput) {
  CliRun run = run_cli_captured({"--root", root.path() + "/no-such-dir", "status"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("no-such-dir"));
  EXPECT_THAT(run.out, IsEmpty());
}

TEST_F(StatusCommandTest, UsageErrorsAreBadInput) {
  EXPECT_EQ(run_cli_captured({}).exit_code, 2);                                    // no command
  EXPECT_EQ(run_cli_captured({"--root", root.path(), "frobnicate"}).exit_code, 2);  // unknown command
  EXPECT_EQ(status({"--no-such-option"}).exit_code, 2);
  EXPECT_EQ(run_cli_captured({"status", "--root"}).exit_code, 2);  // option without its value
}

TEST_F(StatusCommandTest, GlobalOptionsGoBeforeOrAfterTheCommand) {
  CliRun before = run_cli_captured({"--root", root.path(), "--json", "status", "02:00.1"});
  CliRun after = run_cli_captured({"status", "02:00.1", "--json", "--root", root.path()});
  CliRun mixed = run_cli_captured({"--json", "status", "--root", root.path(), "02:00.1"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  ASSERT_EQ(mixed.exit_code, 0) << mixed.err;
  EXPECT_EQ(json::parse(before.out), json::parse(after.out));
  EXPECT_EQ(json::parse(before.out), json::parse(mixed.out));
  EXPECT_EQ(json::parse(before.out)["devices"][0]["address"], "0000:02:00.1");
}

TEST_F(StatusCommandTest, KernelReleaseSelectsTheModuleTree) {
  // A second tree makes the default ambiguous; naming the release picks one, and naming one
  // that does not exist leaves no vfio driver to propose (with a warning, not a failure).
  testing::ModuleTree other(root, "6.1.0-other");
  other.add_synthetic(testing::generic_vfio_pci());
  json chosen = status_json({"--kernel-release", testing::kWorkstationRelease, "02:00.1"});
  EXPECT_EQ(chosen["kernel_release"], testing::kWorkstationRelease);
  EXPECT_EQ(chosen["devices"][0]["vfio_driver"]["module"], "mlx5_vfio_pci");

  json plain = status_json({"--kernel-release", "6.1.0-other", "02:00.1"});
  EXPECT_EQ(plain["devices"][0]["vfio_driver"]["module"], "vfio_pci");

  json none = status_json({"--kernel-release", "9.9.9-absent", "02:00.1"});
  EXPECT_TRUE(none["devices"][0]["vfio_driver"].is_null());
  ASSERT_FALSE(none["warnings"].empty());
  EXPECT_THAT(none["warnings"][0].get<std::string>(), HasSubstr("9.9.9-absent"));
}

TEST_F(StatusCommandTest, MergedUsrModuleTreeIsFound) {
  TempRoot usr_root;
  FakeSysfs usr_sysfs(usr_root);
  usr_sysfs.pci("0000:02:00.1").ids(0x15b3, 0x101e).cls(0x020000).group(4);
  usr_sysfs.write();
  testing::ModuleTree tree(usr_root, "7.2.13+deb14-amd64", /*merged_usr=*/true);
  tree.add_synthetic(testing::generic_vfio_pci());
  tree.add_synthetic(testing::SyntheticModule{"mlx5_vfio_pci", {testing::kMlx5VariantAlias}, ""});
  CliRun run = run_cli_captured({"--root", usr_root.path(), "--json", "status"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json doc = json::parse(run.out);
  EXPECT_EQ(doc["kernel_release"], "7.2.13+deb14-amd64");
  EXPECT_EQ(doc["devices"][0]["vfio_driver"]["module"], "mlx5_vfio_pci");
}

TEST_F(StatusCommandTest, JsonIsOneDocumentOnStdoutEvenWithWarnings) {
  // No module tree for the release: a host-level warning, which must not leak into stdout.
  CliRun run = status({"--json", "--kernel-release", "9.9.9-absent", "-v"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json doc = json::parse(run.out);
  EXPECT_TRUE(doc.is_object());
  EXPECT_EQ(run.out.find("\x1b["), std::string::npos);
  EXPECT_EQ(run.out.back(), '\n');
}

// Column start offsets of a table's header line: where each header word begins.
std::vector<std::size_t> column_starts(const std::string& header) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < header.size(); ++i) {
    bool starts_word = header[i] != ' ' && (i == 0 || (i >= 2 && header[i - 1] == ' ' && header[i - 2] == ' '));
    if (starts_word) starts.push_back(i);
  }
  return starts;
}

TEST_F(StatusCommandTest, TableColumnsLineUp) {
  CliRun run = status();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < run.out.size()) {
    auto nl = run.out.find('\n', pos);
    lines.push_back(run.out.substr(pos, nl - pos));
    pos = nl + 1;
  }
  ASSERT_GE(lines.size(), 9u);
  EXPECT_THAT(lines[0], HasSubstr("DEVICE"));
  auto starts = column_starts(lines[0]);
  ASSERT_EQ(starts.size(), 7u) << lines[0];  // DEVICE ID DRIVER OVERRIDE GROUP "VFIO DRIVER" DESCRIPTION
  for (std::size_t r = 1; r <= 8; ++r) {
    const std::string& row = lines[r];
    SCOPED_TRACE(row);
    EXPECT_EQ(row.find('\x1b'), std::string::npos);  // not a terminal: no colour
    // Every column but the last (a description that may be empty) is filled, so each starts
    // exactly at the header's offset, after at least two spaces.
    for (std::size_t c = 1; c + 1 < starts.size(); ++c) {
      ASSERT_GT(row.size(), starts[c]);
      EXPECT_NE(row[starts[c]], ' ') << "column " << c;
      EXPECT_EQ(row.substr(starts[c] - 2, 2), "  ") << "column " << c;
    }
  }
  // Rows carry what the JSON says, in the same order.
  EXPECT_EQ(lines[4].substr(0, 12), "0000:01:00.0");
  EXPECT_THAT(lines[4], HasSubstr("vfio-pci (vfio)"));
  EXPECT_THAT(lines[4], HasSubstr("1 +2 blocked"));  // the audio function blocks the GPU's group
  EXPECT_THAT(lines[5], HasSubstr("1 +2"));
  EXPECT_THAT(lines[5], ::testing::Not(HasSubstr("blocked")));  // only its own driver is in the way
  EXPECT_THAT(lines[2], HasSubstr("- (bridge)"));
  EXPECT_THAT(lines[7], HasSubstr("mlx5_vfio_pci (available)"));
  EXPECT_THAT(lines[7], HasSubstr("VF of 0000:02:00.0"));
}

TEST(StatusCommandSnapshotTest, RealVmWithoutIommuOrModules) {
  // tests/data/sysfs/host-virtio.json: no IOMMU groups, no module tree, built-in drivers.
  TempRoot root;
  FakeSysfs sysfs(root);
  json snap = testing::load_sysfs_snapshot(sysfs, testing::data_path("sysfs/host-virtio.json"));
  sysfs.write();
  CliRun run = run_cli_captured({"--root", root.path(), "--json", "status"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  json doc = json::parse(run.out);
  ASSERT_EQ(doc["devices"].size(), snap["devices"].size());
  for (std::size_t i = 0; i < doc["devices"].size(); ++i) {
    const json& d = doc["devices"][i];
    const json& want = snap["devices"][i];
    SCOPED_TRACE(d["address"].get<std::string>());
    EXPECT_EQ(d["address"], want["address"]);
    EXPECT_EQ("0x" + d["vendor"].get<std::string>(), want["attrs"]["vendor"]);
    EXPECT_EQ("0x" + d["device"].get<std::string>(), want["attrs"]["device"]);
    EXPECT_EQ("0x" + d["class"].get<std::string>(), want["attrs"]["class"]);
    EXPECT_EQ(d["modalias"], want["attrs"]["modalias"]);
    if (want["driver"].is_null()) EXPECT_TRUE(d["driver"].is_null());
    else EXPECT_EQ(d["driver"], want["driver"]["name"]);
    EXPECT_TRUE(d["driver_override"].is_null());
    EXPECT_TRUE(d["iommu_group"].is_null());
    EXPECT_TRUE(d["group_viable"].is_null());
    EXPECT_EQ(d["is_vfio"], false);
    EXPECT_TRUE(d["vfio_driver"].is_null());  // no module tree to find vfio_pci in
    EXPECT_TRUE(d["driver_module"].is_null());  // built in, no module link
  }
  EXPECT_EQ(doc["iommu_present"], false);

  CliRun table = run_cli_captured({"--root", root.path(), "status"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("no IOMMU groups"));
  EXPECT_THAT(table.err, HasSubstr("no module tree"));
}

TEST(StatusCommandEmptyTest, NoDevicesIsNotAnError) {
  TempRoot root;
  root.mkdir("/sys/bus/pci/devices");
  CliRun run = run_cli_captured({"--root", root.path(), "--json", "status"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(json::parse(run.out)["devices"], json::array());
}

}  // namespace
}  // namespace vfioctl
