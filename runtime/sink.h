// runtime/sink.h — the interface of sinks. Generated code hands rows over
// value by value through the sink ABI (sink.cpp); every sink formats them
// the same way (RowFormat: CSV, JSON lines, a table) into a buffer, and an
// implementation only decides where the text goes and when it counts as
// written:
//
//   sink_file.cpp   file(...) and stdout(): lines appended to a descriptor
//   sink_kafka.cpp  kafka(...): a message per row, optionally transactional
//
// The batch loop (batch_loop.cpp) calls the batch hooks in this order:
// begin_batch; rows; write_batch at the batch end; at a commit point
// (transaction joined by the sources, then) commit; abort_batch when the
// batch fails instead. connectors.cpp makes a Sink for each kind.
#ifndef FLOWC_RUNTIME_SINK_H
#define FLOWC_RUNTIME_SINK_H

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "abi.h"
#include "context.h"
#include "sink_format.h"

namespace flowrt {

class Transaction;  // transaction.h

// A sink's buffer is written early, inside a batch, once it holds this
// much: a batch's output need not fit in memory. File sinks can still take
// it back (ftruncate) when the batch fails.
inline constexpr size_t kSinkFlushBytes = size_t{1} << 20;

class Sink {
 public:
  Sink(int32_t i, const FlowSinkDesc* d, RowFormat::Framing framing)
      : index(i), desc(d), format_(d, framing) {}
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Opens the output and chooses the format; false after ctx->set_error. A
  // resumed run passes the sink's committed length from its checkpoint
  // (file sinks: the file is cut back to it first); -1 otherwise.
  virtual bool open(FlowContext* ctx, int64_t restore_length) = 0;

  // ---- rows: called per value by generated code, so not virtual ----
  void begin_row() { format_.begin_row(); }
  void put_bool(bool v) { format_.put_bool(v); }
  void put_int(int64_t v) { format_.put_int(v); }
  void put_float(double v) { format_.put_float(v); }
  void put_string(std::string_view v) { format_.put_string(v); }
  void put_timestamp(int64_t v) { format_.put_timestamp(v); }
  void set_key(std::string_view key) { format_.set_key(key); }
  void end_row(FlowContext* ctx) {
    ++ctx->counters.rows_out;
    ++rows_out_;
    format_.end_row();
    if (format_.pending().bytes() >= kSinkFlushBytes) drain(ctx);
  }

  // The sink's formatter (sink.cpp's ABI calls write values through it).
  RowFormat& format() { return format_; }

  // ---- rows a morsel formatted on a worker thread (worker.h) ----
  // A formatter of this sink's format, for a morsel's rows.
  RowFormat row_format_like() const { return format_.empty_like(); }
  // Appends `rows` (the morsel's, `count` of them) to the batch's, as
  // end_row would have, one by one; clears it.
  void append(FlowContext* ctx, RowFormat& rows, int64_t count) {
    ctx->counters.rows_out += count;
    rows_out_ += count;
    format_.append(rows);
    if (format_.pending().bytes() >= kSinkFlushBytes) drain(ctx);
  }

  // ---- batch hooks (batch_loop.cpp), in this order ----
  // The start of a batch (an exactly_once kafka sink begins a transaction
  // unless one is open). False after ctx->set_error.
  virtual bool begin_batch(FlowContext*) { return true; }
  // The batch ended: write what is buffered. True when every row of the
  // batch is written (kafka: delivered); false after ctx->set_error.
  virtual bool write_batch(FlowContext* ctx) = 0;
  // A transaction the sources may join at a commit point (transaction.h);
  // null: the sink offers none.
  virtual Transaction* transaction() { return nullptr; }
  // A commit point (each batch, or each checkpoint, just before the
  // checkpoint file is written): make the rows since the last commit point
  // final (commit a transaction). False after ctx->set_error.
  virtual bool commit(FlowContext*) { return true; }
  // A failed batch: its rows are dropped (a file is cut back to its length
  // after the last written batch, a transaction aborts). Errors go to
  // ctx->set_error.
  virtual void abort_batch(FlowContext*) { format_.clear(); }

  // ---- checkpoints: file sinks only (checkpoint.cpp) ----
  // The descriptor to fsync before a checkpoint (-1: none) and the length
  // after the last written batch.
  virtual int file_fd() const { return -1; }
  virtual int64_t committed_length() const { return 0; }
  // Rows written by this sink (metrics: flowc_rows_out_total).
  int64_t rows_out() const { return rows_out_; }

  const int32_t index;
  const FlowSinkDesc* const desc;

 protected:
  // Hands the pending rows (format_.pending()) to the output and clears
  // them: at kSinkFlushBytes inside a batch, and from write_batch. False
  // after ctx->set_error.
  virtual bool drain(FlowContext* ctx) = 0;

  // The format to write: the sink's own, or `fallback` for
  // FLOW_FORMAT_DEFAULT. False after an internal error (generated code
  // asked for a format no sink writes).
  bool choose_format(FlowContext* ctx, int32_t fallback);
  std::string name() const { return desc->name ? desc->name : "?"; }

  RowFormat format_;
  int64_t rows_out_ = 0;
};

// The constructors of the sink kinds (connectors.cpp maps kinds to them).
std::unique_ptr<Sink> make_file_sink(int32_t index, const FlowSinkDesc* desc);
std::unique_ptr<Sink> make_stdout_sink(int32_t index, const FlowSinkDesc* desc);
std::unique_ptr<Sink> make_kafka_sink(int32_t index, const FlowSinkDesc* desc);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_SINK_H
