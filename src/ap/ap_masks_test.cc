// The AP mask arithmetic: the show format, the kernel's write syntax, and which queues a mask
// edit moves.
#include "ap/ap_masks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<Apqn> qs(std::initializer_list<const char*> names) {
  std::vector<Apqn> out;
  for (const char* n : names) out.push_back(*parse_apqn(n));
  return out;
}

TEST(ApqnTest, NamesAreAdapterDotDomainInHex) {
  EXPECT_EQ(parse_apqn("05.0004")->name(), "05.0004");
  EXPECT_EQ(parse_apqn("0A.00FF")->name(), "0a.00ff");
  EXPECT_EQ(parse_apqn("5.0004")->adapter, 5);
  for (const char* bad : {"05.004", "05", ".0004", "05.00004", "g5.0004", "05.000x", "100.0001"}) {
    EXPECT_FALSE(parse_apqn(bad)) << bad;
  }
}

TEST(ApMaskTest, ShowFormatIsBitZeroFirst) {
  // apmask_show: "0x" and 64 hex digits; the first digit's high bit is adapter 0.
  auto m = ApMask::parse("0x8000000000000000000000000000000000000000000000000000000000000001");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->test(0));
  EXPECT_FALSE(m->test(1));
  EXPECT_TRUE(m->test(255));
  EXPECT_EQ(m->show(), "0x8000000000000000000000000000000000000000000000000000000000000001");
  EXPECT_EQ(ApMask::all().show(), "0x" + std::string(64, 'f'));
  auto short_form = ApMask::parse("0xf");  // hex2bitmap: the rest stays clear
  ASSERT_TRUE(short_form);
  EXPECT_TRUE(short_form->test(3));
  EXPECT_FALSE(short_form->test(4));
}

TEST(ApMaskTest, RelativeEditsAsTheKernelTakesThem) {
  ApMask m = ApMask::all();
  ASSERT_TRUE(m.apply("-0x05,-6"));
  EXPECT_FALSE(m.test(5));
  EXPECT_FALSE(m.test(6));
  EXPECT_TRUE(m.test(7));
  ASSERT_TRUE(m.apply("+5"));
  EXPECT_TRUE(m.test(5));
  ASSERT_TRUE(m.apply("-10-12"));  // a range
  EXPECT_FALSE(m.test(10));
  EXPECT_FALSE(m.test(12));
  EXPECT_TRUE(m.test(13));
  ApMask before = m;
  EXPECT_FALSE(m.apply("-256"));
  EXPECT_FALSE(m.apply("-12-10"));
  EXPECT_FALSE(m.apply("*5"));
  EXPECT_EQ(m, before) << "a rejected write changes nothing";
}

class ApPlanTest : public ::testing::Test {
 protected:
  // Two adapters, each with domains 4 and 6; adapter 7 with domain 4 only.
  std::vector<Apqn> present = qs({"05.0004", "05.0006", "06.0004", "06.0006", "07.0004"});
  ApMasks masks;
};

TEST_F(ApPlanTest, ClearingTheAdapterMovesEveryQueueOfIt) {
  ApBindPlan p = plan_ap_bind(masks, present, qs({"05.0004", "05.0006"}));
  ASSERT_TRUE(p.edit);
  EXPECT_EQ(p.edit->kind, ApMaskKind::kAdapters);
  EXPECT_THAT(p.edit->bits, ElementsAre(5));
  EXPECT_EQ(p.edit->value(false), "-0x05");
  EXPECT_EQ(p.edit->path(), "/sys/bus/ap/apmask");
  EXPECT_THAT(p.extra, IsEmpty());
}

TEST_F(ApPlanTest, TheMaskThatMovesFewerOtherQueuesIsChosen) {
  // Domain 6 on adapters 5 and 6: clearing domain 6 moves exactly those two; clearing the two
  // adapters would also move 05.0004 and 06.0004.
  ApBindPlan p = plan_ap_bind(masks, present, qs({"05.0006", "06.0006"}));
  ASSERT_TRUE(p.edit);
  EXPECT_EQ(p.edit->kind, ApMaskKind::kDomains);
  EXPECT_EQ(p.edit->value(false), "-0x06");
  EXPECT_THAT(p.extra, IsEmpty());
}

TEST_F(ApPlanTest, AQueueThatSharesItsBitsWithOthersMovesThemToo) {
  ApBindPlan p = plan_ap_bind(masks, present, qs({"05.0004"}));
  ASSERT_TRUE(p.edit);
  EXPECT_EQ(p.edit->kind, ApMaskKind::kAdapters) << "adapter 5 moves one other queue, domain 4 two";
  EXPECT_EQ(p.extra, qs({"05.0006"}));
}

TEST_F(ApPlanTest, QueuesAlreadyOffTheHostNeedNothing) {
  masks.apm.set(7, false);
  ApBindPlan p = plan_ap_bind(masks, present, qs({"07.0004"}));
  EXPECT_FALSE(p.edit);
  EXPECT_EQ(p.already, qs({"07.0004"}));
}

TEST_F(ApPlanTest, ReleaseGivesBackWhatTheBitAloneKeptOff) {
  masks.apm.set(5, false);
  masks.aqm.set(6, false);
  ApMaskEdit adapter5{ApMaskKind::kAdapters, {5}};
  // 05.0006 stays off: domain 6 is clear as well.
  EXPECT_EQ(queues_restored_by(masks, present, adapter5), qs({"05.0004"}));
}

}  // namespace
}  // namespace vfioctl
