// runtime/context.h — FlowContext, the state of one running pipeline, and
// the interface of its sources (sinks: sink.h). Internal to runtime/.
#ifndef FLOWC_RUNTIME_CONTEXT_H
#define FLOWC_RUNTIME_CONTEXT_H

#include <cstdint>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"
#include "bad_records.h"
#include "options.h"
#include "progress.h"
#include "runtime.h"
#include "worker.h"

namespace flowrt {

// Worker `worker`'s pointer in generated code's array of pointer slots,
// which sit FLOW_WORKER_SLOT_BYTES apart (abi.h).
inline void* worker_ptr(void* const* slots, int32_t worker) {
  return *reinterpret_cast<void* const*>(reinterpret_cast<const char*>(slots) +
                                         static_cast<size_t>(worker) * FLOW_WORKER_SLOT_BYTES);
}

class Checkpointer;
class Metrics;
class Sink;
class Transaction;  // transaction.h
struct SourceRegex;

// Records handed to `process` per call: enough to amortize the call, few
// enough that the batch clock is checked often.
inline constexpr int64_t kChunkRecords = 4096;
// generate()'s values per chunk when it is the only source (a morsel for a
// worker thread): a value costs a few ns, a morsel a few µs to hand over,
// and the last morsel of a batch runs while the other threads wait for
// the batch's end (65,536 values left them a twentieth of gen_agg's time
// at 2 threads; 16,384 a fiftieth).
inline constexpr int64_t kMorselValues = int64_t{1} << 14;
// A source that is idle without a file descriptor to poll has nothing to
// say about when to come back.
inline constexpr int64_t kNoWait = std::numeric_limits<int64_t>::max();

// What the batch loop tells the sources at a commit point (Source::commit).
struct CommitPoint {
  bool final_batch = false;  // the run's last batch: every source ended, or a stop
  // The sink transaction the sources were offered (Source::join_transaction),
  // null when no sink offers one.
  Transaction* transaction = nullptr;
};

class Source {
 public:
  enum class Pump {
    kProgress,  // handed records over, or consumed input
    kIdle,      // nothing to read right now
    kEnded,     // will never produce again
  };

  Source(int32_t index, const FlowSourceDesc* desc);
  virtual ~Source();

  // Opens the input; false after setting ctx->error.
  virtual bool open(FlowContext* ctx) = 0;
  // Hands at most `budget` (> 0) records to the generated code, reading its
  // input at most once, so that several sources interleave.
  virtual Pump pump(FlowContext* ctx, int64_t budget) = 0;
  // When idle: a descriptor to poll for input (-1: none) ...
  virtual int wait_fd() const { return -1; }
  // ... or how many ms to wait before pumping again.
  virtual int64_t wait_ms(int64_t now) const { return kNoWait; }
  // Whether the records it hands over point into bytes that stay put until
  // the source itself settles the morsels reading them (ByteInput::
  // bytes_stay): then worker threads read them in place, not a copy.
  virtual bool bytes_stay() const { return false; }
  // At a full batch: true when the source is known to have no records left.
  // May read once, never blocks, hands nothing over.
  virtual bool probe_end(FlowContext* ctx) = 0;
  // Just before end_batch: a source that tracks event time itself (kafka,
  // per partition) sets desc->max_event_time.
  virtual void before_end_batch() {}

  // ---- batch hooks: batch_loop.cpp calls them in this order (kafka's use
  // of them: kafka_connector.h). Each does nothing by default. ----
  // The start of a batch, after the sinks' begin_batch. False after
  // ctx->set_error.
  virtual bool begin_batch(FlowContext*) { return true; }
  // Between reads: true ends the batch now and makes its end a commit point
  // (kafka: a rebalance revoked partitions, released once committed).
  virtual bool cut_requested() const { return false; }
  // At a commit point, before any sink commits, when a sink offers a
  // transaction (transaction.h): a source that can hands over the
  // positions it consumed since the last commit point, to commit with the
  // sink's rows. False after ctx->set_error.
  virtual bool join_transaction(FlowContext*, Transaction&) { return true; }
  // At a commit point, after the sinks and the checkpoint committed: commit
  // the consumed positions (unless at.transaction holds them), release what
  // a cut batch held on to, close when ended. False after ctx->set_error.
  virtual bool commit(FlowContext*, const CommitPoint& at) { return true; }
  // A failed batch: the run stops without committing it.
  virtual void abort_batch(FlowContext*) {}

  // How bad-record messages and dead letters name a record (LANGUAGE.md
  // 12): `PATH:LINE` (kafka: `topic/partition@offset`); without a record,
  // the source's position_name alone.
  virtual std::string record_position(const FlowRecord* rec) const {
    if (rec == nullptr) return position_name;
    return position_name + ":" + std::to_string(rec->line);
  }

  // How the warning about a key from two partitions names one of this
  // source's partitions (the low bits of a partition id, abi.h): kafka
  // `topic/partition`.
  virtual std::string partition_text(int64_t partition) const {
    return position_name + "/" + std::to_string(partition);
  }

  // Checkpoints (checkpoint.h). A resumable source appends to *out the
  // position of the next record it has not handed to generated code, and
  // seeks back there at start-up (after open(), before the first pump).
  // Files: byte offset and line; generate(): the next value. stdin and
  // sockets are not resumable. Kafka: override these three in
  // source_kafka.cpp with the offsets per partition (restore_position
  // then assigns those offsets instead of the group's committed ones).
  virtual bool resumable() const { return false; }
  virtual void save_position(std::string* out) const { (void)out; }
  // False with *error set when the position cannot be restored.
  virtual bool restore_position(FlowContext* ctx, std::string_view position,
                                std::string* error) {
    (void)ctx;
    (void)position;
    *error = "cannot resume from a position";
    return false;
  }

  const FlowSourceDesc* desc;
  int32_t index;
  std::string position_name;  // PATH in `PATH:LINE: bad record: ...`
  bool ended = false;
  bool is_table = false;  // read whole before the first batch (abi.h)
  int64_t records_in = 0;  // records handed over (metrics: flowc_records_in_total)
  bool delivering = false;  // generated code is processing this source's records
  std::vector<int32_t> column_map;  // flow_csv_column_map
  std::unique_ptr<SourceRegex> regex;  // FLOW_FORMAT_REGEX
};

struct Counters {
  int64_t records_in = 0;    // records of sources (not tables)
  int64_t table_rows = 0;    // rows read into tables
  int64_t rows_out = 0;      // rows written to sinks
  int64_t batches = 0;
  int64_t bad = 0;
  int64_t late = 0;
};

}  // namespace flowrt

struct FlowContext {
  const FlowPipeline* pipeline = nullptr;
  flowrt::RunOptions opts;
  flowrt::RuntimeIo io;
  bool stdout_is_tty = false;
  FlowArena scratch{};
  FlowBatch batch{};
  int64_t watermark = std::numeric_limits<int64_t>::min();  // flow_set_watermark
  int64_t arrival_first = 0;  // flow_arrival_first of a delivery on this thread
  std::vector<std::unique_ptr<flowrt::Source>> sources;
  std::vector<std::unique_ptr<flowrt::Sink>> sinks;
  flowrt::BadRecords bad;
  flowrt::Counters counters;
  flowrt::Progress progress;
  std::string error;          // the first runtime failure; the run exits 3
  bool error_is_internal = false;  // `error` is a flowc bug (internal_error)
  bool fail_batch = false;    // an on_error fail record: do not commit
  bool stdout_closed = false; // EPIPE on stdout: stop quietly
  flowrt::Checkpointer* checkpoint = nullptr;  // with a checkpoint directory
  flowrt::Metrics* metrics = nullptr;          // with --metrics (metrics.h)
  int64_t next_batch = 0;     // the first batch's number (a resumed run: later)
  std::set<int32_t> warned_split_keys;  // streams flow_key_in_two_partitions warned about
  bool after_end = false;     // resumed from a run that ended: an incremental run
  bool nothing_new = false;   // ... that found no new input: it ran no batch

  // The first runtime failure wins. On a worker thread running a morsel it
  // is kept by the worker and becomes the run's at the next drain.
  void set_error(std::string message);
  // An invariant of generated code or of the runtime does not hold: a flowc
  // bug, not bad input. The run stops with exit 3 like any failure, but
  // says so and what to report (error_report); the first error wins, as
  // for set_error.
  void internal_error(std::string_view what);
  // The lines printed for `error` when the run stops: `flowc: error: ...`,
  // or an internal error in the shape the compiler's has
  // (compiler/support/internal_error.cpp).
  std::string error_report() const {
    if (!error_is_internal) return "flowc: error: " + error;
    return "flowc: internal error: " + error +
           "\n  = note: this is a bug in flowc, not in your pipeline"
           "\n  = help: please report it with the .flow file, the command line and this message";
  }
  // Writes one line (a newline is added) to the runtime's stderr.
  void log_line(std::string_view line);
  // Hands records of `source` to its process function, then resets scratch.
  void deliver(flowrt::Source* source, const FlowRecord* records, int64_t n);
  // Hands values [first, first+n) of a generate() source to its function.
  void deliver_generate(flowrt::Source* source, int64_t first, int64_t n);
  // With --threads: waits for every morsel handed over and commits their
  // effects (worker.h). Before anything on this thread that must come
  // after them: a sequential source's records, a record a source itself
  // finds bad, reusing the input the morsels point into, the batch's end.
  void settle();
  // The input offset of the first record of `source` that morsels queued
  // or running still read in place (INT64_MAX: none): its bytes must stay
  // mapped, those before may go (ByteInput::keep_from).
  int64_t read_in_place_from(const flowrt::Source* source) const;
  std::unique_ptr<flowrt::Workers> workers;  // --threads 2 or more
  // The threads the run uses, known before a checkpoint is restored: the
  // parts of keyed state partitioned by key hash (abi.h flow_state_parts).
  int32_t state_parts = 1;
};

#endif  // FLOWC_RUNTIME_CONTEXT_H
