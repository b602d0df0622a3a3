#include "report/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace vfioctl {
namespace {

std::string print(const Table& t, std::size_t width = 0) {
  std::ostringstream out;
  t.print(out, width);
  return out.str();
}

TEST(TableTest, ColumnsStartAtTheSameOffsetInEveryRow) {
  Table t({"DEVICE", "DRIVER", "NOTE"});
  t.add_row({"0000:00:00.0", "-", "host bridge"});
  t.add_row({"0000:01:00.0", "vfio-pci (vfio)", ""});
  EXPECT_EQ(print(t),
            "DEVICE        DRIVER           NOTE\n"
            "0000:00:00.0  -                host bridge\n"
            "0000:01:00.0  vfio-pci (vfio)\n");  // trailing blanks trimmed
}

TEST(TableTest, WidthCountsCodePointsNotBytes) {
  Table t({"A", "B"});
  t.add_row({"…", "x"});  // three bytes, one column
  t.add_row({"ab", "y"});
  EXPECT_EQ(print(t), "A   B\n…   x\nab  y\n");
  EXPECT_EQ(display_width("…ab"), 3u);
}

TEST(TableTest, MissingCellsAreEmpty) {
  Table t({"A", "B", "C"});
  t.add_row({"1"});
  EXPECT_EQ(t.rows(), 1u);
  EXPECT_EQ(print(t), "A  B  C\n1\n");
}

TEST(TableTest, TerminalWidthCutsOnlyTheLastColumn) {
  Table t({"ID", "DESCRIPTION"});
  t.add_row({"0000:01:00.0", "NVIDIA Corporation GA102 [GeForce RTX 3090] with a long name"});
  std::string out = print(t, 30);
  // 12 + 2 columns of ID leave 16 for the description: 15 characters and the ellipsis.
  EXPECT_EQ(out, "ID            DESCRIPTION\n0000:01:00.0  NVIDIA Corporat…\n");
  // Never narrower than 12 characters.
  std::string narrow = print(t, 5);
  EXPECT_NE(narrow.find("NVIDIA Corp…"), std::string::npos) << narrow;
  EXPECT_EQ(print(t, 0).find("…"), std::string::npos);
}

}  // namespace
}  // namespace vfioctl
