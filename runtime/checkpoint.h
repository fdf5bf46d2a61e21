// runtime/checkpoint.h — checkpoints of a running pipeline (LANGUAGE.md 10,
// 12 "Checkpoints."): what is written at the end of a batch, and how a
// restarted run resumes from it. The file format is checkpoint_file.h.
//
// Start-up, with a checkpoint directory (sources open, sinks not yet):
//   - no DIR/checkpoint: write the first one, holding each file sink's and
//     dead-letter file's length before anything is written;
//   - DIR/checkpoint exists: check it (magic, version, CRC, fingerprint,
//     source and sink paths, sink lengths) before touching anything, then
//     seek the sources, restore counters, watermark and operator state, cut
//     dead-letter files back; file sinks are cut back when they open. A
//     checkpoint of a run that ended (every source reached its end) is
//     resumed the same way: an incremental run (LANGUAGE.md 13, Spark's
//     Trigger.AvailableNow) reads what arrived since and ends again.
// After each batch whose sinks are flushed (or every `every D`, and always
// at the last batch and on SIGINT/SIGTERM): fsync the file sinks, write
// DIR/checkpoint atomically.
//
// Exactly-once holds for file sinks and dead-letter files. stdout is
// at-least-once (rows after the last checkpoint are printed again after a
// restart). stdin and socket sources cannot seek: they are not resumable
// (a warning says so at start; state and file sinks are still restored).
// Kafka sources are resumable: the checkpoint holds the next offset of each
// partition this process reads, and consumed offsets are committed to the
// group only after a checkpoint is written (kafka_connector.h).
#ifndef FLOWC_RUNTIME_CHECKPOINT_H
#define FLOWC_RUNTIME_CHECKPOINT_H

#include <cstdint>
#include <string>
#include <vector>

#include "abi.h"
#include "checkpoint_file.h"

namespace flowrt {

class Checkpointer {
 public:
  Checkpointer(std::string dir, int64_t every_ms);
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  enum class Start {
    kFresh,     // no checkpoint: the first one was written
    kResumed,   // state, positions and counters restored
    kContinued, // the same, of a run that ended: an incremental run
    kRefused,   // ctx->error says why; nothing on disk was changed
  };
  // Called after the sources are opened and before the sinks are.
  Start start(FlowContext* ctx);

  // The length sink `index` is cut back to when it opens (-1: leave it).
  int64_t sink_length(int32_t index) const;

  // At the end of a batch whose rows are written: is a checkpoint due
  // (every batch, or `every D` since the last one; always when `force`:
  // the run's last batch, or a Kafka rebalance that must commit first)?
  bool due(bool force) const;
  // Writes the checkpoint after batch `number`. `ended`: every source
  // ended. False after ctx->set_error.
  bool commit(FlowContext* ctx, int64_t number, bool ended);

  const std::string& dir() const { return dir_; }

 private:
  bool lock(FlowContext* ctx);
  bool resume(FlowContext* ctx, const CheckpointData& data);
  bool write(FlowContext* ctx, int64_t next_batch, bool finished);
  // The current lengths of the file sinks and dead-letter files (on disk;
  // synced when `sync`). False after ctx->set_error.
  bool collect(FlowContext* ctx, CheckpointData* data, bool sync);

  std::string dir_;
  int64_t every_ms_;
  int dir_fd_ = -1;
  int lock_fd_ = -1;
  int64_t last_write_ms_ = 0;
  size_t last_state_bytes_ = 0;  // the last snapshot's size, reserved for the next
  bool trace_ = false;  // FLOWC_CHECKPOINT_TRACE=1: a line per checkpoint
  std::vector<int64_t> sink_lengths_;
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_CHECKPOINT_H
