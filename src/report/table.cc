#include "report/table.h"

#include <algorithm>

namespace vfioctl {

std::size_t display_width(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;  // count code points, not bytes
  return n;
}

namespace {

std::string cut(const std::string& text, std::size_t width) {
  if (width == 0 || display_width(text) <= width) return text;
  std::string out;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (n + 1 >= width) break;
      ++n;
    }
    out.push_back(text[i]);
  }
  return out + "…";
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::print(std::ostream& out, std::size_t terminal_width) const {
  std::vector<std::size_t> width(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) width[c] = display_width(headers_[c]);
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], display_width(row[c]));
  }
  std::size_t max_last_width = 0;
  if (terminal_width > 0 && !width.empty()) {
    std::size_t used = 0;
    for (std::size_t c = 0; c + 1 < width.size(); ++c) used += width[c] + 2;
    max_last_width = terminal_width > used + 12 ? terminal_width - used : 12;
  }
  std::string line;
  auto emit = [&](const std::vector<std::string>& cells) {
    line.clear();
    for (std::size_t c = 0; c < cells.size(); ++c) {
      bool last = c + 1 == cells.size();
      std::string cell = last ? cut(cells[c], max_last_width) : cells[c];
      line += cell;
      if (!last) line.append(width[c] - display_width(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    line += '\n';
    out << line;
  };
  emit(headers_);
  for (const auto& row : rows_) emit(row);
}

}  // namespace vfioctl
