// runtime/sink.h — sinks: rows from generated code, formatted as CSV, JSON
// lines or a table, buffered per batch and written at its end.
#ifndef FLOWC_RUNTIME_SINK_H
#define FLOWC_RUNTIME_SINK_H

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"

namespace flowrt {

class KafkaProducer;  // kafka_connector.h

// A sink's buffer is written early, inside a batch, once it holds this
// much: a batch's output need not fit in memory. File sinks can still take
// it back (ftruncate) when the batch fails.
inline constexpr size_t kSinkFlushBytes = size_t{1} << 20;

class Sink {
 public:
  Sink(int32_t index, const FlowSinkDesc* desc);
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Chooses the format, opens (creates) the file, writes a CSV header when
  // the output is new; false after ctx->set_error. A resumed run passes the
  // file's committed length from its checkpoint: the file is cut back to it
  // first (a CSV header is then written only when that length is 0).
  bool open(FlowContext* ctx, int64_t restore_length = -1);

  void begin_row();
  void put_bool(bool v);
  void put_int(int64_t v);
  void put_float(double v);
  void put_string(std::string_view v);
  void put_timestamp(int64_t v);
  // The message key of the current row (kafka sinks); others ignore it.
  void set_key(std::string_view key) { key_.assign(key.data(), key.size()); }
  const std::string& key() const { return key_; }
  void end_row(FlowContext* ctx);

  // End of a batch: writes what is buffered; false after ctx->set_error.
  bool commit_batch(FlowContext* ctx);
  // A failed batch: drops its rows; a file is cut back to its length at
  // the start of the batch.
  void abort_batch(FlowContext* ctx);

  int32_t format() const { return format_; }
  // File sinks: the descriptor (-1 for others) and the length after the
  // last committed batch, for checkpoints.
  int file_fd() const { return desc_->kind == FLOW_SINK_FILE && owns_fd_ ? fd_ : -1; }
  int64_t committed_length() const { return static_cast<int64_t>(committed_); }
  // The producer of a kafka sink (null for other sinks).
  KafkaProducer* kafka() const { return kafka_.get(); }
  // Rows written by this sink (metrics: flowc_rows_out_total).
  int64_t rows_out() const { return rows_out_; }

 private:
  enum class Align : uint8_t { kLeft, kRight };
  // Appends one formatted value (CSV/JSON) or table cell.
  void value_prefix();
  void cell(std::string text, Align align);
  bool write_buffer(FlowContext* ctx);

  int32_t index_;
  const FlowSinkDesc* desc_;
  int32_t format_ = FLOW_FORMAT_CSV;
  int fd_ = -1;
  bool owns_fd_ = false;
  std::string display_;  // "stdout" or the path, for messages
  std::string key_;
  std::unique_ptr<KafkaProducer> kafka_;  // FLOW_SINK_KAFKA: rows are messages
  std::string buf_;
  int32_t col_ = 0;
  off_t committed_ = 0;  // file length after the last committed batch
  int64_t rows_out_ = 0;
  std::vector<std::string> json_keys_;  // `"name":` per column
  // Table format: the batch's rows, rendered at the batch's end.
  std::vector<std::vector<std::string>> rows_;
  std::vector<Align> align_;
};

// The bordered table of one batch (like Spark's show()), `Batch: N` first.
std::string render_table(int64_t batch_number, const std::vector<std::string>& header,
                         const std::vector<bool>& right_align,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_SINK_H
