// compiler/driver/row_diff.h — `flowc test`'s comparison of an expected
// output file with the one a run wrote (LANGUAGE.md 13 "flowc test"):
// rows in order, floats as in section 3, and a readable diff.
//
// A file is a sequence of rows: JSON lines when its first row starts with
// `{`, else CSV records (RFC 4180: a quoted field may hold newlines). Two
// rows are equal when their fields are: JSON objects with the same keys in
// the same order, CSV records with as many fields; two fields are equal
// when their text is, or when both are numbers of the same value —
// integers exactly (as int64), others as doubles, so that `2.50`, `2.5`
// and `25e-1` are one float (section 3: a float's text is the shortest
// that round-trips; a hand-written expected file need not be).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flowc {

// The rows of `text` (line terminators dropped; a final newline ends the
// last row, not a new empty one). `json`: one row per line.
std::vector<std::string> split_rows(std::string_view text, bool json);

// Whether `text` (an output file) is JSON lines: its first row starts with `{`.
bool looks_like_json_lines(std::string_view text);

bool rows_equal(std::string_view expected, std::string_view actual, bool json);

// The fields of a row, for naming differences: CSV fields, or a JSON
// object's members as NAME and VALUE text. Empty when the row does not
// parse (a JSON row then compares as text).
struct Field {
  std::string name;  // JSON: the key; CSV: "" (see column names)
  std::string value;
};
std::vector<Field> row_fields(std::string_view row, bool json);

// The differences between two files' rows, as text for a person: nothing
// when they are equal, else lines such as
//
//     row 3  - 2023-11-14T22:13:20.000Z,b,3
//            + 2023-11-14T22:13:20.000Z,b,4
//              column 3 'count': expected 3, got 4
//     row 7  - ... (missing)
//
// (row numbers are the expected file's for `-` and the run's for `+`),
// at most `max_rows` of them and then how many more. Each line starts
// with `indent`.
std::string diff_rows(std::string_view expected, std::string_view actual, size_t max_rows,
                      const std::string& indent);

}  // namespace flowc
