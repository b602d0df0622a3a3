// `vfioctl vfs` and `vfioctl recover` end to end on the kernel simulator.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/sim_machine.h"

namespace vfioctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::CliRun;
using testing::SimMachine;

constexpr const char* kPf = "0000:02:00.0";  // 15b3:101d on mlx5_core, 8 VFs possible, none enabled

class VfsCommandTest : public ::testing::Test {
 protected:
  VfsCommandTest() {
    m.sysfs.pci(kPf).ids(0x15b3, 0x101d).cls(0x020000).driver("mlx5_core", "mlx5_core").sriov(8, 0, true).group(2);
    m.kernel.vf_device(kPf, 0x101e);
  }
  std::size_t index_of(const std::string& path, const std::string& value) {
    const auto& w = m.kernel.writes();
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i].path == path && w[i].value == value) return i;
    }
    ADD_FAILURE() << "no write of " << value << " to " << path;
    return w.size();
  }
  SimMachine m;
};

TEST_F(VfsCommandTest, BindTurnsAutoprobeOffBeforeTheVfsAppearAndBackOnAfter) {
  CliRun r = m.run({"vfs", kPf, "2", "--bind"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string pf_dir = std::string("/sys/bus/pci/devices/") + kPf + "/";
  std::size_t off = index_of(pf_dir + "sriov_drivers_autoprobe", "0");
  std::size_t create = index_of(pf_dir + "sriov_numvfs", "2");
  std::size_t on = index_of(pf_dir + "sriov_drivers_autoprobe", "1");
  EXPECT_LT(off, create);
  EXPECT_EQ(on, m.kernel.writes().size() - 1);
  for (const char* vf : {"0000:02:00.2", "0000:02:00.3"}) {
    EXPECT_EQ(m.kernel.driver_of(vf), "mlx5_vfio_pci") << vf << ": mlx5_core never had it";
  }
  EXPECT_EQ(m.kernel.writes().size(), 7u) << "autoprobe, numvfs, 2 x (override, probe), autoprobe";
  EXPECT_THAT(m.kernel.log(), IsEmpty());
  EXPECT_THAT(m.recorded_devices(), ElementsAre("0000:02:00.2", "0000:02:00.3"));
  EXPECT_FALSE(m.journal_exists());
}

TEST_F(VfsCommandTest, WithoutBindTheHostDriverTakesTheVfs) {
  CliRun r = m.run({"vfs", kPf, "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(m.kernel.driver_of("0000:02:00.2"), "mlx5_core");
}

TEST_F(VfsCommandTest, ChangingTheCountGoesThroughZero) {
  ASSERT_EQ(m.run({"vfs", kPf, "1"}).exit_code, 0);
  CliRun r = m.run({"vfs", kPf, "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(m.kernel.writes().size(), 3u);
  EXPECT_EQ(m.kernel.writes()[1].value, "0");
  EXPECT_EQ(m.kernel.writes()[2].value, "3");
  EXPECT_TRUE(m.kernel.present("0000:02:00.4"));
}

TEST_F(VfsCommandTest, TooManyVfsIsBadInput) {
  CliRun r = m.run({"vfs", kPf, "9"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

TEST_F(VfsCommandTest, CrashAfterTheVfsAppearedIsUndoneByRecover) {
  m.kernel.inject(3, testing::SimFault::kCrash);  // after the first VF's override
  EXPECT_THROW(m.run({"vfs", kPf, "2", "--bind"}), testing::SimulatedCrash);
  EXPECT_TRUE(m.journal_exists());
  m.kernel.clear_faults();
  CliRun r = m.run({"recover"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_FALSE(m.kernel.present("0000:02:00.2"));
  EXPECT_EQ(m.kernel.driver_of(kPf), "mlx5_core");
  EXPECT_EQ(m.sysfs.pci_at(kPf).sriov_settings()->numvfs, 0);
  EXPECT_TRUE(m.sysfs.pci_at(kPf).sriov_settings()->drivers_autoprobe);
  EXPECT_FALSE(m.journal_exists());
  EXPECT_THAT(m.recorded_devices(), IsEmpty());
}

TEST_F(VfsCommandTest, RecoverWithoutAJournalHasNothingToDo) {
  CliRun r = m.run({"recover"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("nothing to recover"));
  EXPECT_THAT(m.kernel.writes(), IsEmpty());
}

}  // namespace
}  // namespace vfioctl
