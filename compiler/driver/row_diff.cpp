// compiler/driver/row_diff.cpp — rows, field equality and the row diff of
// `flowc test` (row_diff.h).
#include "driver/row_diff.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>

namespace flowc {

namespace {

// Files with more rows than this on both sides are compared row by row at
// the same positions instead of by a longest-common-subsequence diff (whose
// table is rows x rows).
constexpr size_t kMaxDiffCells = 16'000'000;
// A row longer than this is shortened in the diff.
constexpr size_t kShownRowBytes = 160;

// ---- numbers ----

bool is_integer_text(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(i), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<double> number_value(std::string_view s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ') return std::nullopt;
  if (s.front() == '+') s.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

bool same_number(std::string_view a, std::string_view b) {
  if (is_integer_text(a) && is_integer_text(b)) {
    auto as_int = [](std::string_view s, int64_t& out) {
      if (s.front() == '+') s.remove_prefix(1);
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      return ec == std::errc() && end == s.data() + s.size();
    };
    int64_t x = 0, y = 0;
    return as_int(a, x) && as_int(b, y) && x == y;
  }
  std::optional<double> x = number_value(a), y = number_value(b);
  return x && y && *x == *y;
}

bool fields_equal(std::string_view a, std::string_view b) { return a == b || same_number(a, b); }

// ---- JSON rows: the members of one object, values as their source text ----

struct Member {
  std::string key;
  std::string text;  // a string's unescaped content, else the value's text
  bool is_string = false;
};

class JsonRow {
 public:
  explicit JsonRow(std::string_view s) : s_(s) {}

  std::optional<std::vector<Member>> members() {
    std::vector<Member> out;
    skip_space();
    if (!take('{')) return std::nullopt;
    skip_space();
    if (take('}')) return finish(out);
    while (true) {
      Member m;
      skip_space();
      std::optional<std::string> key = string();
      if (!key) return std::nullopt;
      m.key = std::move(*key);
      skip_space();
      if (!take(':')) return std::nullopt;
      skip_space();
      if (peek() == '"') {
        std::optional<std::string> text = string();
        if (!text) return std::nullopt;
        m.text = std::move(*text);
        m.is_string = true;
      } else {
        size_t start = i_;
        if (!skip_value()) return std::nullopt;
        m.text = std::string(s_.substr(start, i_ - start));
      }
      out.push_back(std::move(m));
      skip_space();
      if (take(',')) continue;
      if (take('}')) return finish(out);
      return std::nullopt;
    }
  }

 private:
  std::optional<std::vector<Member>> finish(std::vector<Member>& out) {
    skip_space();
    if (i_ != s_.size()) return std::nullopt;
    return std::move(out);
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool take(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  // A JSON string, unescaped (\u escapes kept as written: both sides are
  // compared the same way, and flowc writes UTF-8 as is).
  std::optional<std::string> string() {
    if (!take('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      char e = s_[i_++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': out += "\\u"; break;
        default: out += e;
      }
    }
    return std::nullopt;
  }
  // Numbers, literals, nested arrays and objects: skipped by bracket depth.
  bool skip_value() {
    int depth = 0;
    size_t start = i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '"') {
        if (!string()) return false;
        continue;
      }
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') {
        if (depth == 0) break;
        --depth;
      }
      if (c == ',' && depth == 0) break;
      ++i_;
    }
    while (i_ > start && (s_[i_ - 1] == ' ' || s_[i_ - 1] == '\t')) --i_;
    return depth == 0 && i_ > start;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// ---- CSV rows ----

std::vector<std::string> csv_fields(std::string_view row) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < row.size(); ++i) {
    char c = row[i];
    if (quoted) {
      if (c == '"' && i + 1 < row.size() && row[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"' && out.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::string shown(std::string_view row) {
  if (row.size() <= kShownRowBytes) return std::string(row);
  return std::string(row.substr(0, kShownRowBytes)) + "... (" + std::to_string(row.size()) +
         " bytes)";
}

// Edit operations between expected (a) and actual (b) rows.
enum class Op { Keep, Missing, Unexpected };
struct Edit {
  Op op;
  size_t a, b;  // row indexes (a for Keep/Missing, b for Keep/Unexpected)
};

std::vector<Edit> edits(const std::vector<std::string>& a, const std::vector<std::string>& b,
                        bool json) {
  std::vector<Edit> out;
  const size_t n = a.size(), m = b.size();
  if (n * m > kMaxDiffCells) {
    // Too big for a table: compare at the same positions.
    for (size_t i = 0; i < std::max(n, m); ++i) {
      if (i < n && i < m && rows_equal(a[i], b[i], json)) {
        out.push_back({Op::Keep, i, i});
        continue;
      }
      if (i < n) out.push_back({Op::Missing, i, 0});
      if (i < m) out.push_back({Op::Unexpected, 0, i});
    }
    return out;
  }
  // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
  std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      at(i, j) = rows_equal(a[i], b[j], json) ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && rows_equal(a[i], b[j], json)) {
      out.push_back({Op::Keep, i++, j++});
    } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
      out.push_back({Op::Unexpected, 0, j++});
    } else {
      out.push_back({Op::Missing, i++, 0});
    }
  }
  // Within each run of changes, list the missing rows first, so that a
  // changed row reads as `-` then `+`.
  for (size_t k = 0; k < out.size();) {
    if (out[k].op == Op::Keep) {
      ++k;
      continue;
    }
    size_t end = k;
    while (end < out.size() && out[end].op != Op::Keep) ++end;
    std::stable_partition(out.begin() + static_cast<std::ptrdiff_t>(k),
                          out.begin() + static_cast<std::ptrdiff_t>(end),
                          [](const Edit& e) { return e.op == Op::Missing; });
    k = end;
  }
  return out;
}

// `column 3 'count': expected 3, got 4` for each field that differs.
std::vector<std::string> field_differences(std::string_view expected, std::string_view actual,
                                           bool json, const std::vector<std::string>& columns) {
  std::vector<Field> a = row_fields(expected, json), b = row_fields(actual, json);
  std::vector<std::string> out;
  if (a.empty() || b.empty()) return out;
  if (a.size() != b.size()) {
    out.push_back("expected " + std::to_string(a.size()) + " fields, got " +
                  std::to_string(b.size()));
    return out;
  }
  for (size_t k = 0; k < a.size(); ++k) {
    if (json && a[k].name != b[k].name) {
      out.push_back("field " + std::to_string(k + 1) + ": expected '" + a[k].name + "', got '" +
                    b[k].name + "'");
    } else if (!fields_equal(a[k].value, b[k].value)) {
      std::string name = json ? "field '" + a[k].name + "'"
                              : "column " + std::to_string(k + 1) +
                                    (k < columns.size() ? " '" + columns[k] + "'" : "");
      out.push_back(name + ": expected " + shown(a[k].value) + ", got " + shown(b[k].value));
    }
  }
  return out;
}

}  // namespace

bool looks_like_json_lines(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && text[i] == '{';
}

std::vector<std::string> split_rows(std::string_view text, bool json) {
  std::vector<std::string> rows;
  std::string row;
  bool quoted = false;
  for (char c : text) {
    if (!json && c == '"') quoted = !quoted;  // "" inside quotes toggles twice
    if (c == '\n' && !quoted) {
      if (!row.empty() && row.back() == '\r') row.pop_back();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      row += c;
    }
  }
  if (!row.empty()) rows.push_back(std::move(row));
  return rows;
}

std::vector<Field> row_fields(std::string_view row, bool json) {
  std::vector<Field> out;
  if (json) {
    std::optional<std::vector<Member>> members = JsonRow(row).members();
    if (!members) return out;
    for (Member& m : *members) out.push_back({std::move(m.key), std::move(m.text)});
    return out;
  }
  for (std::string& f : csv_fields(row)) out.push_back({"", std::move(f)});
  return out;
}

bool rows_equal(std::string_view expected, std::string_view actual, bool json) {
  if (expected == actual) return true;
  std::vector<Field> a = row_fields(expected, json), b = row_fields(actual, json);
  if (a.empty() || a.size() != b.size()) return false;
  for (size_t k = 0; k < a.size(); ++k) {
    if (a[k].name != b[k].name || !fields_equal(a[k].value, b[k].value)) return false;
  }
  return true;
}

std::string diff_rows(std::string_view expected, std::string_view actual, size_t max_rows,
                      const std::string& indent) {
  const bool json = looks_like_json_lines(expected.empty() ? actual : expected);
  std::vector<std::string> a = split_rows(expected, json), b = split_rows(actual, json);
  std::vector<Edit> ops = edits(a, b, json);
  // CSV column names: the header, when both files start with the same one.
  std::vector<std::string> columns;
  if (!json && !a.empty() && !b.empty() && a[0] == b[0]) columns = csv_fields(a[0]);

  // In each run of changes (missing rows, then unexpected ones), the i-th
  // missing row and the i-th unexpected row are one changed row.
  std::vector<size_t> partner(ops.size(), SIZE_MAX);
  std::vector<bool> paired(ops.size(), false);
  for (size_t k = 0; k < ops.size();) {
    size_t missing_end = k;
    while (missing_end < ops.size() && ops[missing_end].op == Op::Missing) ++missing_end;
    size_t unexpected_end = missing_end;
    while (unexpected_end < ops.size() && ops[unexpected_end].op == Op::Unexpected)
      ++unexpected_end;
    for (size_t i = 0; k + i < missing_end && missing_end + i < unexpected_end; ++i) {
      partner[k + i] = missing_end + i;
      paired[missing_end + i] = true;
    }
    k = unexpected_end > k ? unexpected_end : k + 1;
  }

  std::string out;
  size_t printed = 0, differing = 0;
  auto label = [](size_t row) {
    std::string number = "row " + std::to_string(row + 1);
    return number + std::string(number.size() < 9 ? 9 - number.size() : 1, ' ');
  };
  for (size_t k = 0; k < ops.size(); ++k) {
    const Edit& e = ops[k];
    if (e.op == Op::Keep || paired[k]) continue;
    if (++differing > max_rows) continue;
    ++printed;
    if (e.op == Op::Unexpected) {
      out += indent + label(e.b) + "+ " + shown(b[e.b]) + "   (unexpected)\n";
    } else if (partner[k] == SIZE_MAX) {
      out += indent + label(e.a) + "- " + shown(a[e.a]) + "   (missing)\n";
    } else {
      const std::string first = label(e.a);
      const std::string pad(first.size(), ' ');
      const std::string& got = b[ops[partner[k]].b];
      out += indent + first + "- " + shown(a[e.a]) + "\n";
      out += indent + pad + "+ " + shown(got) + "\n";
      for (const std::string& d : field_differences(a[e.a], got, json, columns))
        out += indent + pad + "  " + d + "\n";
    }
  }
  if (differing > printed) {
    out += indent + "... and " + std::to_string(differing - printed) + " more differing rows\n";
  }
  return out;
}

}  // namespace flowc
