// Aligned text tables for the terminal. Hand-written because Debian packages no C++ table
// library; this is 60 lines of column-width arithmetic. Widths count UTF-8 code points, so
// the few non-ASCII marks vfioctl prints line up.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace vfioctl {

class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void add_row(std::vector<std::string> cells);
  std::size_t rows() const { return rows_.size(); }
  // Two spaces between columns; the last column is not padded. With a `terminal_width`
  // (0: unlimited) the last column is cut with an ellipsis so rows do not wrap; it keeps at
  // least 12 characters.
  void print(std::ostream& out, std::size_t terminal_width = 0) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

std::size_t display_width(const std::string& text);

}  // namespace vfioctl
