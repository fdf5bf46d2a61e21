// runtime/sink_table.cpp — the `table` format: one bordered table per batch
// with rows, in the style of Spark's Dataset.show():
//
//   -------------------------------------------
//   Batch: 3
//   -------------------------------------------
//   +--------+-----+
//   |category|views|
//   +--------+-----+
//   |books   |   12|
//   +--------+-----+
#include <algorithm>

#include "sink_format.h"

namespace flowrt {
namespace {

// Control characters would break the grid: show them escaped.
std::string printable(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += '?';
        else out += c;
    }
  }
  return out;
}

// Display width: UTF-8 code points (continuation bytes take no column).
size_t width(const std::string& s) {
  size_t w = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++w;
  }
  return w;
}

}  // namespace

std::string render_table(int64_t batch_number, const std::vector<std::string>& header,
                         const std::vector<bool>& right_align,
                         const std::vector<std::vector<std::string>>& rows) {
  size_t cols = header.size();
  for (const auto& r : rows) cols = std::max(cols, r.size());
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& r : rows) {
    std::vector<std::string> shown;
    for (const auto& v : r) shown.push_back(printable(v));
    shown.resize(cols);
    cells.push_back(std::move(shown));
  }
  std::vector<std::string> head(header.begin(), header.end());
  head.resize(cols);
  std::vector<size_t> widths(cols, 1);
  for (size_t c = 0; c < cols; ++c) {
    widths[c] = std::max(widths[c], width(head[c]));
    for (const auto& r : cells) widths[c] = std::max(widths[c], width(r[c]));
  }

  std::string rule = "+";
  for (size_t w : widths) rule += std::string(w, '-') + "+";
  rule += '\n';
  auto line = [&](const std::vector<std::string>& r, bool is_header) {
    std::string s = "|";
    for (size_t c = 0; c < cols; ++c) {
      std::string pad(widths[c] - width(r[c]), ' ');
      bool right = !is_header && c < right_align.size() && right_align[c];
      s += right ? pad + r[c] : r[c] + pad;
      s += '|';
    }
    s += '\n';
    return s;
  };

  std::string out = "-------------------------------------------\n";
  out += "Batch: " + std::to_string(batch_number) + "\n";
  out += "-------------------------------------------\n";
  out += rule;
  out += line(head, true);
  out += rule;
  for (const auto& r : cells) out += line(r, false);
  out += rule;
  out += '\n';
  return out;
}

}  // namespace flowrt
