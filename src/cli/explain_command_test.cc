// `vfioctl explain DEVICE` end to end on the workstation fake host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/workstation_host.h"

namespace vfioctl {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::run_cli_captured;
using vfioctl::testing::TempRoot;

class ExplainCommandTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::build_workstation(sysfs); }

  CliRun explain(std::vector<std::string> extra) {
    std::vector<std::string> args{"--root", root.path(), "explain"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli_captured(args);
  }

  json explain_json(const std::string& device) {
    CliRun run = explain({"--json", device});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return json::parse(run.out);
  }

  TempRoot root;
  FakeSysfs sysfs{root};
};

TEST_F(ExplainCommandTest, JsonListsEveryCandidateAndTheChoice) {
  json doc = explain_json("02:00.1");
  EXPECT_EQ(doc["device"], "0000:02:00.1");
  ASSERT_TRUE(doc["candidates"].is_array());
  ASSERT_EQ(doc["candidates"].size(), 2u);
  for (const auto& c : doc["candidates"]) {
    EXPECT_TRUE(c["module"].is_string());
    EXPECT_TRUE(c["alias"].is_string());
    EXPECT_TRUE(c["score"].is_number_integer());
    EXPECT_TRUE(c["state"].is_string());
  }
  const json& first = doc["candidates"][0];
  EXPECT_EQ(first["module"], "mlx5_vfio_pci");
  EXPECT_EQ(first["alias"], testing::kMlx5VariantAlias);
  EXPECT_EQ(first["score"], 2);
  EXPECT_EQ(first["state"], "available");
  EXPECT_EQ(first["rank"], 1);
  const json& second = doc["candidates"][1];
  EXPECT_EQ(second["module"], "vfio_pci");
  EXPECT_EQ(second["score"], 0);
  EXPECT_EQ(second["state"], "loaded");
  EXPECT_EQ(second["driver"], "vfio-pci");  // module name -> driver name, from /sys/module
  EXPECT_EQ(second["rank"], 2);

  ASSERT_TRUE(doc["chosen"].is_object());
  EXPECT_EQ(doc["chosen"]["module"], "mlx5_vfio_pci");
  EXPECT_TRUE(doc["chosen"]["driver"].is_null());
  ASSERT_TRUE(doc["reason"].is_string());
  EXPECT_THAT(doc["reason"].get<std::string>(), HasSubstr("most specific"));
}

// cli-contract.md lists the module states loaded / builtin / available / blacklisted: a variant
// blacklisted in modprobe.d and not loaded reads "blacklisted", is excluded, and the generic one
// is chosen; the table says the same.
TEST_F(ExplainCommandTest, BlacklistedVariantReadsBlacklistedAndIsPassedOver) {
  root.write("/etc/modprobe.d/no-mlx5-vfio.conf", "blacklist mlx5_vfio_pci\n");
  json doc = explain_json("02:00.1");
  const json* variant = nullptr;
  for (const auto& c : doc["candidates"]) {
    if (c["module"] == "mlx5_vfio_pci") variant = &c;
  }
  ASSERT_TRUE(variant) << doc.dump(2);
  EXPECT_EQ((*variant)["state"], "blacklisted");
  EXPECT_EQ((*variant)["blacklisted"], true);
  EXPECT_EQ((*variant)["excluded"], "blacklisted in modprobe.d");
  EXPECT_EQ(doc["chosen"]["module"], "vfio_pci");

  CliRun run = explain({"02:00.1"});
  EXPECT_THAT(run.out, HasSubstr("blacklisted"));

  json status;
  CliRun st = run_cli_captured({"--root", root.path(), "--json", "status", "02:00.1"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  status = json::parse(st.out);
  EXPECT_EQ(status["devices"][0]["vfio_driver"]["module"], "vfio_pci");
}

TEST_F(ExplainCommandTest, JsonForABridgeHasCandidatesButNoChoice) {
  json doc = explain_json("0000:00:01.0");
  EXPECT_EQ(doc["device"], "0000:00:01.0");
  EXPECT_TRUE(doc["candidates"].is_array());
  EXPECT_TRUE(doc["chosen"].is_null());
  EXPECT_THAT(doc["reason"].get<std::string>(), HasSubstr("bridge"));
}

TEST_F(ExplainCommandTest, JsonCarriesTheGroupAndItsBlockers) {
  json doc = explain_json("01:00.0");
  ASSERT_TRUE(doc["iommu_group"].is_object());
  EXPECT_EQ(doc["iommu_group"]["number"], 1);
  EXPECT_EQ(doc["iommu_group"]["viable"], false);
  ASSERT_EQ(doc["iommu_group"]["members"].size(), 3u);
  const json& audio = doc["iommu_group"]["members"][2];
  EXPECT_EQ(audio["name"], "0000:01:00.1");
  EXPECT_EQ(audio["driver"], "snd_hda_intel");
  EXPECT_EQ(audio["allows_vfio"], false);
  EXPECT_EQ(doc["chosen"]["module"], "vfio_pci");
  EXPECT_EQ(doc["chosen"]["state"], "loaded");
}

TEST_F(ExplainCommandTest, HumanOutputNamesTheDeviceCandidatesAndChoice) {
  CliRun run = explain({"02:00.1"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.rfind("0000:02:00.1  [15b3:101e]", 0), 0u) << run.out;
  EXPECT_THAT(run.out, HasSubstr("VF of 0000:02:00.0"));
  EXPECT_THAT(run.out, HasSubstr("group      4 (viable)"));
  EXPECT_THAT(run.out, HasSubstr("RANK  MODULE"));
  EXPECT_THAT(run.out, HasSubstr("mlx5_vfio_pci  (known after load)  2/7"));
  EXPECT_THAT(run.out, HasSubstr("vfio_pci       vfio-pci            0/7"));
  EXPECT_THAT(run.out, HasSubstr("Chosen: mlx5_vfio_pci"));
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos);
}

TEST_F(ExplainCommandTest, HumanOutputExplainsABlockedGroupAndABridge) {
  CliRun gpu = explain({"01:00.0"});
  ASSERT_EQ(gpu.exit_code, 0);
  EXPECT_THAT(gpu.out, HasSubstr("driver     vfio-pci (module vfio_pci), a vfio driver"));
  EXPECT_THAT(gpu.out, HasSubstr("override   vfio-pci"));
  EXPECT_THAT(gpu.out, HasSubstr("not viable: 0000:01:00.1 on snd_hda_intel"));
  CliRun port = explain({"00:01.0"});
  ASSERT_EQ(port.exit_code, 0);
  EXPECT_THAT(port.out, HasSubstr("Not assignable: bridge (PCI header type 1)"));
}

TEST_F(ExplainCommandTest, BadDevicesAreBadInput) {
  CliRun unknown = explain({"0000:0a:00.0"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("0000:0a:00.0"));
  EXPECT_THAT(unknown.out, IsEmpty());
  CliRun malformed = explain({"--json", "0a:00"});
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.out, IsEmpty());
  EXPECT_EQ(explain({}).exit_code, 2);                         // DEVICE is required
  EXPECT_EQ(explain({"01:00.0", "02:00.1"}).exit_code, 2);      // exactly one DEVICE
  EXPECT_EQ(explain({"nosuchbus/x"}).exit_code, 2);
}

}  // namespace
}  // namespace vfioctl
