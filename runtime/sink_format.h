// runtime/sink_format.h — rows as CSV, JSON lines or a table: the text every
// sink writes, whatever it writes to (sink.h). Generated code hands a row
// over value by value; RowFormat appends each to the sink's pending text:
//
//   csv    plain,"with,comma",-12      RFC 4180 quoting, the header is the sink's
//   json   {"name":"x","n":-12}        schema order, timestamps as strings,
//                                      nan/inf as strings (LANGUAGE.md 12)
//   table  cells kept until the batch ends, then one bordered table
//          (render_table, sink_table.cpp)
//
// Framing: as lines (a newline after each row: files, stdout) or as
// messages (one value and one key per row, no newline: kafka).
#ifndef FLOWC_RUNTIME_SINK_FORMAT_H
#define FLOWC_RUNTIME_SINK_FORMAT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "abi.h"

namespace flowrt {

// Formatted rows a sink has not written yet.
struct SinkRows {
  std::string text;  // lines; messages: the values back to back
  std::string keys;  // messages: the keys back to back
  std::vector<std::pair<uint32_t, uint32_t>> messages;  // value and key length per row

  size_t bytes() const { return text.size() + keys.size(); }
  void clear() {
    text.clear();
    keys.clear();
    messages.clear();
  }
};

class RowFormat {
 public:
  enum class Framing : uint8_t { kLines, kMessages };

  RowFormat(const FlowSinkDesc* desc, Framing framing);

  // FLOW_FORMAT_CSV, _JSON or _TABLE; false for any other.
  bool set_format(int32_t format);
  int32_t format() const { return format_; }

  void begin_row();
  void put_bool(bool v);
  void put_int(int64_t v);
  void put_float(double v);
  void put_string(std::string_view v);
  void put_timestamp(int64_t v);
  // The message key of the current row (messages with `key EXPR` only).
  void set_key(std::string_view key) { key_.assign(key.data(), key.size()); }
  void end_row();

  // CSV lines: the header line (column names), appended to the pending
  // text, when the sink asks for one (FlowSinkDesc.csv_header); true when
  // it was added.
  bool add_csv_header();
  // Table: the rows since the last call, as one table headed `Batch: N`,
  // appended to the pending text. Other formats: nothing.
  void render_batch_table(int64_t batch_number);

  SinkRows& pending() { return rows_; }
  // A failed batch: its rows are dropped.
  void clear();
  // A formatter of the same sink and format, with nothing pending.
  RowFormat empty_like() const {
    RowFormat f(desc_, framing_);
    f.set_format(format_);
    return f;
  }
  // Appends the rows `other` formatted (a morsel's, worker.h) and clears
  // it: text, messages and keys, and a table's cells.
  void append(RowFormat& other);

 private:
  enum class Align : uint8_t { kLeft, kRight };
  // Before each CSV/JSON value: the separator (and JSON's `"name":`).
  void value_prefix();
  void cell(std::string text, Align align);

  const FlowSinkDesc* desc_;
  Framing framing_;
  char delimiter_ = ',';  // CSV: FlowSinkDesc.csv_delimiter, read by set_format
  int32_t format_ = FLOW_FORMAT_CSV;
  int32_t col_ = 0;
  size_t row_start_ = 0;  // messages: where the current row's text begins
  std::string key_;
  SinkRows rows_;
  std::vector<std::string> json_keys_;  // `"name":` per column
  // Table format: the batch's cells, rendered when it ends.
  std::vector<std::vector<std::string>> cells_;
  std::vector<Align> align_;
};

// The bordered table of one batch (like Spark's show()), `Batch: N` first.
std::string render_table(int64_t batch_number, const std::vector<std::string>& header,
                         const std::vector<bool>& right_align,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_SINK_FORMAT_H
