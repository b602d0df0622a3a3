// bind and release of AP queues end to end on the AP fake kernel (tests/support/ap_fake_kernel.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/ap_fake_kernel.h"
#include "support/cli_capture.h"
#include "support/fake_sysfs.h"
#include "support/module_tree.h"
#include "support/sim_kernel.h"

namespace vfioctl {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using nlohmann::json;
using vfioctl::testing::ApFakeKernel;
using vfioctl::testing::CliRun;
using vfioctl::testing::FakeSysfs;
using vfioctl::testing::TempRoot;

constexpr const char* kRelease = "6.12.0-s390x";

class ApCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tree.add_synthetic(vfioctl::testing::SyntheticModule{"vfio_ap", {}, "kernel/drivers/s390/crypto/vfio_ap.ko"});
  }
  CliRun run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--root", root.path(), "--kernel-release", kRelease});
    return vfioctl::testing::run_cli_captured(args, &kernel);
  }
  bool journal_exists() const { return std::filesystem::exists(root.at("/run/vfioctl/journal.json")); }
  // Adapter 5 (both its queues) through apmask, then 06.0004 through aqmask (domain 4: the
  // fewest extra queues, 05.0004 being off already): two records, two different masks.
  void bind_through_both_masks() {
    ASSERT_EQ(run({"bind", "ap/05.0004", "ap/05.0006"}).exit_code, 0);
    ASSERT_EQ(run({"bind", "ap/06.0004"}).exit_code, 0);
    ASSERT_EQ(kernel.writes().back(), "/sys/bus/ap/aqmask <- -0x04");
  }
  std::vector<std::string> drivers() const {
    return {kernel.driver_of("05.0004"), kernel.driver_of("05.0006"), kernel.driver_of("06.0004"),
            kernel.driver_of("06.0006")};
  }

  TempRoot root;
  FakeSysfs sysfs{root};
  vfioctl::testing::ModuleTree tree{root, kRelease};
  ApFakeKernel kernel{sysfs, {"05.0004", "05.0006", "06.0004", "06.0006"}};
};

TEST_F(ApCommandsTest, StatusListsQueuesAndCards) {
  CliRun r = run({"--json", "status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ap;
  const json doc = json::parse(r.out);  // kept: a range-for over a temporary's member would dangle
  for (const auto& d : doc["devices"]) {
    if (d["bus"] == "ap") ap.push_back(d["address"]);
  }
  EXPECT_THAT(ap, ElementsAre("05.0004", "05.0006", "06.0004", "06.0006", "card05", "card06"));
}

TEST_F(ApCommandsTest, BindingAWholeAdapterClearsItsBitAndVfioApTakesTheQueues) {
  CliRun r = run({"--json", "bind", "ap/05.0004", "ap/05.0006"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(kernel.writes(), ElementsAre("/sys/bus/ap/apmask <- -0x05"));
  EXPECT_EQ(kernel.driver_of("05.0004"), "vfio_ap");
  EXPECT_EQ(kernel.driver_of("05.0006"), "vfio_ap");
  EXPECT_EQ(kernel.driver_of("06.0004"), "cex4queue");
  json doc = json::parse(r.out);
  ASSERT_EQ(doc["devices"].size(), 2u);
  EXPECT_EQ(doc["devices"][0]["before"]["driver"], "cex4queue");
  EXPECT_EQ(doc["devices"][0]["after"]["driver"], "vfio_ap");
  EXPECT_TRUE(kernel.vfio_ap_loaded());

  CliRun again = run({"bind", "ap/05.0004"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(kernel.writes().size(), 1u) << "already vfio_ap's: nothing written";
}

TEST_F(ApCommandsTest, AQueueWhoseBitsTakeOthersIsRefusedWithoutGroup) {
  CliRun r = run({"bind", "ap/05.0004"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, AllOf(HasSubstr("clearing adapter 0x05 in apmask"), HasSubstr("also takes ap/05.0006"),
                           HasSubstr("--group")));
  EXPECT_THAT(kernel.writes(), IsEmpty());
  CliRun grouped = run({"bind", "--group", "ap/05.0004"});
  ASSERT_EQ(grouped.exit_code, 0) << grouped.err;
  EXPECT_EQ(kernel.driver_of("05.0006"), "vfio_ap");
}

TEST_F(ApCommandsTest, DryRunShowsTheMaskWriteAndTouchesNothing) {
  CliRun r = run({"bind", "--dry-run", "ap/05.0006", "ap/06.0006"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, AllOf(HasSubstr("load module vfio_ap"), HasSubstr("write -0x06 > /sys/bus/ap/aqmask"),
                           HasSubstr("ap/06.0006: cex4queue → vfio_ap")));
  EXPECT_THAT(kernel.writes(), IsEmpty());
  EXPECT_FALSE(kernel.vfio_ap_loaded());
}

TEST_F(ApCommandsTest, WhenVfioApDoesNotTakeThemTheMaskIsPutBack) {
  kernel.refuse_vfio_ap_probe();
  CliRun r = run({"bind", "ap/05.0004", "ap/05.0006"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(kernel.writes(), ElementsAre("/sys/bus/ap/apmask <- -0x05", "/sys/bus/ap/apmask <- +0x05"));
  EXPECT_EQ(kernel.driver_of("05.0004"), "cex4queue");
  EXPECT_THAT(r.err, HasSubstr("every queue was put back"));
}

TEST_F(ApCommandsTest, ReleaseSetsTheBitBackAndTheHostDriverReturns) {
  ASSERT_EQ(run({"bind", "ap/05.0004", "ap/05.0006"}).exit_code, 0);
  CliRun partial = run({"release", "ap/05.0004"});
  EXPECT_EQ(partial.exit_code, 3) << "adapter 5 gives both back";
  EXPECT_THAT(partial.err, HasSubstr("also gives ap/05.0006 back"));
  CliRun r = run({"release", "ap/05.0004", "ap/05.0006"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(kernel.writes().back(), "/sys/bus/ap/apmask <- +0x05");
  EXPECT_EQ(kernel.driver_of("05.0004"), "cex4queue");
  EXPECT_EQ(kernel.driver_of("05.0006"), "cex4queue");
}

TEST_F(ApCommandsTest, ReleaseOfAQueueAnMdevUsesSaysWhatToDo) {
  ASSERT_EQ(run({"bind", "ap/05.0004", "ap/05.0006"}).exit_code, 0);
  kernel.assign_to_mdev("05.0004");
  CliRun r = run({"release", "ap/05.0004", "ap/05.0006"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unassign them from the matrix device first"));
  EXPECT_EQ(kernel.driver_of("05.0004"), "vfio_ap");
}

TEST_F(ApCommandsTest, QueuesVfioctlDidNotMoveNeedForce) {
  kernel.set_mask(/*adapters=*/false, 6, false);  // domain 6 given to vfio by someone else
  ASSERT_EQ(run({"bind", "--group", "ap/05.0006"}).exit_code, 0) << "already off the host: nothing to do";
  CliRun r = run({"release", "ap/05.0006", "ap/06.0006"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("--force"));
  CliRun forced = run({"release", "--force", "ap/05.0006", "ap/06.0006"});
  ASSERT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(kernel.writes().back(), "/sys/bus/ap/aqmask <- +0x06");
}

TEST_F(ApCommandsTest, ExplainSaysQueuesGoThroughTheMasks) {
  CliRun r = run({"--json", "explain", "ap/05.0004"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json doc = json::parse(r.out);
  EXPECT_EQ(doc["chosen"]["module"], "vfio_ap");
  EXPECT_THAT(doc["reason"].get<std::string>(), HasSubstr("takes what the bus's masks leave to it"));
  EXPECT_THAT(doc["notes"][0].get<std::string>(), HasSubstr("/sys/bus/ap/apmask and aqmask"));
  CliRun card = run({"--json", "explain", "ap/card05"});
  EXPECT_THAT(json::parse(card.out)["reason"].get<std::string>(), HasSubstr("AP adapter"));
}

TEST_F(ApCommandsTest, ApplyGivesConfiguredQueuesToVfioApOnce) {
  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"ap/05.0004\"\n");
  CliRun refused = run({"apply"});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("also takes ap/05.0006"));
  EXPECT_THAT(kernel.writes(), IsEmpty());

  root.write("/etc/vfioctl/vfioctl.toml", "[[device]]\naddress = \"ap/05.0004\"\ngroup = true\n");
  CliRun plan = run({"--json", "apply", "--dry-run"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  json doc = json::parse(plan.out);
  ASSERT_EQ(doc["changes"].size(), 2u) << doc.dump(2);
  EXPECT_EQ(doc["changes"][0]["device"], "ap/05.0004");
  EXPECT_EQ(doc["changes"][0]["from"], "cex4queue");
  EXPECT_EQ(doc["changes"][0]["to"], "vfio_ap");
  EXPECT_THAT(kernel.writes(), IsEmpty());

  CliRun r = run({"apply"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(kernel.writes(), ElementsAre("/sys/bus/ap/apmask <- -0x05"));
  EXPECT_EQ(kernel.driver_of("05.0004"), "vfio_ap");
  EXPECT_EQ(kernel.driver_of("05.0006"), "vfio_ap");
  CliRun again = run({"apply"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("nothing to do"));
  EXPECT_EQ(kernel.writes().size(), 1u);
  // What apply bound, release gives back (the records say which bit).
  ASSERT_EQ(run({"release", "ap/05.0004", "ap/05.0006"}).exit_code, 0);
  EXPECT_EQ(kernel.driver_of("05.0004"), "cex4queue");
}

// Killed right after the mask write, before any record: the journal written first lets
// recover set the bit back, and until then every other operation is refused.
TEST_F(ApCommandsTest, AKillAfterTheMaskWriteIsUndoneByRecover) {
  kernel.crash_after_write(1);
  EXPECT_THROW(run({"bind", "ap/05.0004", "ap/05.0006"}), testing::SimulatedCrash);
  EXPECT_EQ(kernel.driver_of("05.0004"), "vfio_ap");
  EXPECT_TRUE(journal_exists());
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"release", "--force", "ap/05.0004", "ap/05.0006"}, {"bind", "ap/06.0004"}}) {
    CliRun blocked = run(args);
    EXPECT_EQ(blocked.exit_code, 3) << args[0];
    EXPECT_THAT(blocked.err, HasSubstr("run 'vfioctl recover' first")) << args[0];
  }

  CliRun rec = run({"--json", "recover"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err << rec.out;
  EXPECT_EQ(kernel.writes().back(), "/sys/bus/ap/apmask <- +0x05");
  EXPECT_THAT(drivers(), ElementsAre("cex4queue", "cex4queue", "cex4queue", "cex4queue"));
  EXPECT_FALSE(journal_exists());
  json doc = json::parse(rec.out);
  ASSERT_EQ(doc["devices"].size(), 2u) << doc.dump(2);
  EXPECT_EQ(doc["devices"][0]["device"], "ap/05.0004");
  EXPECT_EQ(doc["devices"][0]["after"]["driver"], "cex4queue");
  // Nothing claims the queues: someone else clearing the bit later is not vfioctl's to undo.
  kernel.write_attribute("/sys/bus/ap/apmask", "-0x05");
  EXPECT_EQ(run({"release", "ap/05.0004", "ap/05.0006"}).exit_code, 3);
}

// Two mask writes: the second refused (an mdev holds 06.0004) puts the first back, so the
// three queues stay vfio_ap's and their records stay (a dry run still plans both writes).
TEST_F(ApCommandsTest, AReleaseThatFailsOnItsSecondWritePutsTheFirstBack) {
  bind_through_both_masks();
  kernel.assign_to_mdev("06.0004");
  const std::size_t before = kernel.writes().size();
  CliRun r = run({"release", "ap/05.0004", "ap/05.0006", "ap/06.0004"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("unassign them from the matrix device first"), HasSubstr("every queue was put back")));
  EXPECT_THAT(std::vector<std::string>(kernel.writes().begin() + static_cast<long>(before), kernel.writes().end()),
              ElementsAre("/sys/bus/ap/apmask <- +0x05", "/sys/bus/ap/aqmask <- +0x04", "/sys/bus/ap/apmask <- -0x05"));
  EXPECT_THAT(drivers(), ElementsAre("vfio_ap", "vfio_ap", "vfio_ap", "cex4queue"));
  EXPECT_FALSE(journal_exists());
  CliRun plan = run({"release", "--dry-run", "ap/05.0004", "ap/05.0006", "ap/06.0004"});
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_THAT(plan.out, AllOf(HasSubstr("write +0x05 > /sys/bus/ap/apmask"), HasSubstr("write +0x04 > /sys/bus/ap/aqmask")));
  // With --json the same plan is a document, as for every other bus (it was text before).
  CliRun js = run({"--json", "release", "--dry-run", "ap/05.0004", "ap/05.0006", "ap/06.0004"});
  ASSERT_EQ(js.exit_code, 0) << js.err;
  json doc = json::parse(js.out);
  EXPECT_EQ(doc["result"], "planned");
  EXPECT_EQ(doc["plan"]["writes"], json::parse(R"([{"path": "/sys/bus/ap/apmask", "value": "+0x05"},
                                                    {"path": "/sys/bus/ap/aqmask", "value": "+0x04"}])"));
  EXPECT_EQ(kernel.writes().size(), before + 3) << "neither dry run wrote";
}

// Killed between the two writes of a release: recover clears the first bit again, the queues
// are vfio_ap's with their records, and the release then runs to the end.
TEST_F(ApCommandsTest, AReleaseKilledBetweenItsWritesIsUndoneAndCanBeRunAgain) {
  bind_through_both_masks();
  kernel.crash_after_write(kernel.writes().size() + 1);
  EXPECT_THROW(run({"release", "ap/05.0004", "ap/05.0006", "ap/06.0004"}), testing::SimulatedCrash);
  EXPECT_THAT(drivers(), ElementsAre("vfio_ap", "cex4queue", "vfio_ap", "cex4queue")) << "05.0006 came back first";
  ASSERT_TRUE(journal_exists());
  CliRun rec = run({"recover"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err << rec.out;
  EXPECT_EQ(kernel.writes().back(), "/sys/bus/ap/apmask <- -0x05");
  EXPECT_THAT(drivers(), ElementsAre("vfio_ap", "vfio_ap", "vfio_ap", "cex4queue"));
  EXPECT_FALSE(journal_exists());
  CliRun again = run({"release", "ap/05.0004", "ap/05.0006", "ap/06.0004"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(drivers(), ElementsAre("cex4queue", "cex4queue", "cex4queue", "cex4queue"));
}

// A record on a queue that is the host's again (a release killed after its journal was removed,
// or someone set the bit by hand) is dropped by the next release of it.
TEST_F(ApCommandsTest, AStaleRecordOnAQueueTheHostHasIsDroppedByRelease) {
  ASSERT_EQ(run({"bind", "ap/05.0004", "ap/05.0006"}).exit_code, 0);
  kernel.write_attribute("/sys/bus/ap/apmask", "+0x05");
  CliRun r = run({"release", "ap/05.0004", "ap/05.0006"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  kernel.write_attribute("/sys/bus/ap/apmask", "-0x05");
  EXPECT_EQ(run({"release", "ap/05.0004", "ap/05.0006"}).exit_code, 3) << "no record is left to claim them";
}

TEST_F(ApCommandsTest, BadInputIsExitTwo) {
  EXPECT_EQ(run({"bind", "ap/card05"}).exit_code, 2);
  EXPECT_EQ(run({"bind", "ap/09.0001"}).exit_code, 2);
  EXPECT_EQ(run({"bind", "ap/05.0004", "0000:01:00.0"}).exit_code, 2);
  EXPECT_EQ(run({"bind", "--driver", "vfio-pci", "ap/05.0004"}).exit_code, 2);
  EXPECT_THAT(kernel.writes(), IsEmpty());
}

}  // namespace
}  // namespace vfioctl
