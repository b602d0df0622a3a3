#include "config/apply_plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using testing::SimMachine;

constexpr const char* kNic = "0000:01:00.0";  // 8086:10d3 on e1000e, group 1
constexpr const char* kPf = "0000:02:00.0";   // 15b3:101d on mlx5_core, SR-IOV, no VFs
constexpr const char* kGpu = "0000:03:00.0";  // 8086:e20b on xe, group 3

class ApplyPlanTest : public ::testing::Test {
 protected:
  ApplyPlanTest() {
    m.sysfs.pci(kNic).ids(0x8086, 0x10d3).cls(0x020000).driver("e1000e", "e1000e").group(1);
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 0).group(2);
    m.sysfs.pci(kGpu).ids(0x8086, 0xe20b).cls(0x030000).driver("xe", "xe").group(3);
  }
  ApplyPlan plan(const std::string& toml) {
    Config config;
    std::vector<std::string> errors;
    parse_config_text(toml, "c.toml", config, errors);
    EXPECT_THAT(errors, IsEmpty());
    session.emplace(m.sysfs.host(SimMachine::kRelease));
    return plan_apply(*session, config, m.addresses);
  }
  SimMachine m;
  std::optional<Session> session;
};

TEST_F(ApplyPlanTest, EachSelectedDeviceGetsItsBestDriverAndItsRule) {
  ApplyPlan p = plan("[[device]]\nids = \"8086:10d3\"\n\n[[device]]\naddress = \"0000:03:00.0\"\n");
  ASSERT_EQ(p.block(), BindPlan::Block::kNone);
  auto changes = planned_changes(p);
  ASSERT_THAT(changes, SizeIs(2));
  EXPECT_EQ(changes[0].device, kNic);
  EXPECT_EQ(changes[0].from, "e1000e");
  EXPECT_EQ(changes[0].to, "vfio_pci");
  EXPECT_EQ(changes[0].rule, "c.toml:1");
  EXPECT_EQ(changes[1].to, "xe_vfio_pci") << "auto takes the variant";
  EXPECT_EQ(changes[1].rule, "c.toml:4");
}

TEST_F(ApplyPlanTest, GenericAndNamedDrivers) {
  ApplyPlan p = plan("[[device]]\naddress = \"0000:03:00.0\"\ndriver = \"generic\"\n");
  ASSERT_EQ(p.block(), BindPlan::Block::kNone);
  EXPECT_EQ(planned_changes(p).at(0).to, "vfio_pci");
  p = plan("[[device]]\naddress = \"0000:03:00.0\"\ndriver = \"xe-vfio-pci\"\n");
  ASSERT_EQ(p.block(), BindPlan::Block::kNone);
  EXPECT_EQ(planned_changes(p).at(0).to, "xe_vfio_pci");
}

TEST_F(ApplyPlanTest, UnknownDriverIsBadInputNamingTheRule) {
  ApplyPlan p = plan("[[device]]\naddress = \"0000:03:00.0\"\ndriver = \"no_such_vfio\"\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kBadInput);
  ASSERT_THAT(p.bind.bad_input, SizeIs(1));
  EXPECT_THAT(p.bind.bad_input[0].message, HasSubstr("rule at c.toml:1"));
}

TEST_F(ApplyPlanTest, TwoRulesWantingDifferentThingsForOneDeviceConflict) {
  ApplyPlan p = plan("[[device]]\nids = \"8086:10d3\"\n\n[[device]]\naddress = \"0000:01:00.0\"\ndriver = \"generic\"\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kBadInput);
  ASSERT_THAT(p.bind.bad_input, SizeIs(1));
  EXPECT_EQ(p.bind.bad_input[0].device, kNic);
  EXPECT_THAT(p.bind.bad_input[0].message, AllOf(HasSubstr("c.toml:1"), HasSubstr("c.toml:4")));
}

TEST_F(ApplyPlanTest, RulesThatAgreeMayOverlap) {
  ApplyPlan p = plan("[[device]]\nids = \"8086:10d3\"\ndriver = \"vfio_pci\"\n\n"
                     "[[device]]\naddress = \"0000:01:00.0\"\ndriver = \"vfio-pci\"\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kNone) << "vfio-pci and vfio_pci name the same module";
  EXPECT_THAT(planned_changes(p), SizeIs(1));
}

TEST_F(ApplyPlanTest, ConflictingPfRules) {
  ApplyPlan p = plan("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 3\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kBadInput);
  ASSERT_THAT(p.bind.bad_input, SizeIs(1));
  EXPECT_THAT(p.bind.bad_input[0].message, AllOf(HasSubstr("c.toml:1"), HasSubstr("c.toml:4")));
}

TEST_F(ApplyPlanTest, BindingAPfThatAPfRuleGivesVfsIsAConflict) {
  ApplyPlan p = plan("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n[[device]]\naddress = \"0000:02:00.0\"\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kBadInput);
}

TEST_F(ApplyPlanTest, PfRuleBeyondTotalVfsOrOnANonPf) {
  EXPECT_EQ(plan("[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 9\n").block(), BindPlan::Block::kBadInput);
  EXPECT_EQ(plan("[[pf]]\naddress = \"0000:01:00.0\"\nnum_vfs = 1\n").block(), BindPlan::Block::kBadInput);
}

TEST_F(ApplyPlanTest, VfRulesWaitForTheVfsAPfRuleCreates) {
  ApplyPlan p = plan("[[device]]\npf = \"0000:02:00.0\"\nvfs = [0, 1]\n\n[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n");
  ASSERT_EQ(p.block(), BindPlan::Block::kNone);
  auto changes = planned_changes(p);
  ASSERT_THAT(changes, SizeIs(3));
  EXPECT_EQ(changes[0].action, "sriov_numvfs") << "VF counts come before the binds of their VFs";
  EXPECT_EQ(changes[0].to, "2");
  EXPECT_EQ(changes[0].rule, "c.toml:5");
  EXPECT_EQ(changes[1].device, "VF 0 of 0000:02:00.0");
  EXPECT_EQ(changes[2].rule, "c.toml:1");
}

TEST_F(ApplyPlanTest, VfIndexBeyondTheConfiguredCountIsBadInput) {
  ApplyPlan p = plan("[[device]]\npf = \"0000:02:00.0\"\nvfs = [2]\n\n[[pf]]\naddress = \"0000:02:00.0\"\nnum_vfs = 2\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kBadInput);
}

TEST_F(ApplyPlanTest, RuleThatSelectsNothingIsANoteNotAnError) {
  ApplyPlan p = plan("[[device]]\nids = \"dead:beef\"\n");
  EXPECT_EQ(p.block(), BindPlan::Block::kNone);
  EXPECT_TRUE(p.nothing_to_do());
  EXPECT_THAT(p.notes, ElementsAre(HasSubstr("c.toml:1 selects no device")));
}

TEST_F(ApplyPlanTest, DeviceAlreadyOnVfioIsNothingToDo) {
  m.sysfs.pci(kNic).vfio();
  m.kernel.module("vfio", testing::SimModuleState::kLoaded).module("vfio_pci_core", testing::SimModuleState::kLoaded);
  m.kernel.module("vfio_pci", testing::SimModuleState::kLoaded);
  ApplyPlan p = plan("[[device]]\naddress = \"0000:01:00.0\"\n");
  EXPECT_TRUE(p.nothing_to_do());
  EXPECT_THAT(unchanged_devices(p), ElementsAre(Field(&PlannedChange::rule, "c.toml:1")));
}

}  // namespace
}  // namespace vfioctl
