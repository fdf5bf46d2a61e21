// runtime/batch_loop.cpp — the micro-batch loop (LANGUAGE.md 7):
//
//   loop:
//     start = now rounded down to the batch interval; deadline = start + interval
//     begin_batch: sinks, then sources
//     pump every source in turn (one read / one chunk each) until:
//       the deadline passes, or the batch holds --max-batch-records records,
//       or every source has ended, or a failure is pending, or a stop is
//       requested and no source has input ready, or a source asks for a cut
//     end_batch(final = every source ended); sinks write the batch; dead letters
//     at a commit point (every batch; with a checkpoint, when one is due):
//       sources join the first transaction a sink offers; sinks commit;
//       the checkpoint is written; sources commit
//   on any failure: sinks and sources abort the batch; exit 3
//
// The loop knows no connector: sources and sinks take part through their
// batch hooks (context.h, sink.h; kafka's use of them: kafka_connector.h).
#include "batch_loop.h"

#include <algorithm>
#include <cerrno>
#include <vector>

#include <poll.h>
#include <unistd.h>

#include "checkpoint.h"
#include "context.h"
#include "flow_stdlib.h"
#include "io_util.h"
#include "metrics.h"
#include "progress.h"
#include "sink.h"
#include "transaction.h"

namespace flowrt {
namespace {

int64_t batch_interval(const FlowContext* ctx) {
  if (ctx->opts.batch_ms > 0) return ctx->opts.batch_ms;
  if (ctx->pipeline->batch_ms > 0) return ctx->pipeline->batch_ms;
  return kDefaultBatchMs;
}

int64_t floor_to(int64_t t, int64_t interval) {
  int64_t r = t % interval;
  return r < 0 ? t - r - interval : t - r;
}

bool all_streams_ended(const FlowContext* ctx) {
  for (const auto& s : ctx->sources) {
    if (!s->is_table && !s->ended) return false;
  }
  return true;
}

// Sleeps until an idle input may have data, the stop pipe fires, or
// `until` (ms since the epoch) — whichever is first.
void wait_for_input(FlowContext* ctx, int wake_fd, int64_t until, int64_t now,
                    const Progress& progress, bool tables_only) {
  std::vector<pollfd> fds;
  if (wake_fd >= 0) fds.push_back(pollfd{wake_fd, POLLIN, 0});
  int64_t timeout = until - now;
  timeout = std::min(timeout, progress.wait_ms(ctx, now));
  for (const auto& s : ctx->sources) {
    if (s->ended || s->is_table != tables_only) continue;
    int fd = s->wait_fd();
    if (fd >= 0) fds.push_back(pollfd{fd, POLLIN, 0});
    else timeout = std::min(timeout, s->wait_ms(now));
  }
  if (timeout < 0) timeout = 0;
  int rc = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(timeout, 60'000)));
  if (rc > 0 && wake_fd >= 0 && (fds[0].revents & POLLIN)) {
    char drain[64];
    while (::read(wake_fd, drain, sizeof drain) > 0) {
    }
  }
}

// Tables are read whole before the first batch (abi.h).
bool load_tables(FlowContext* ctx, int wake_fd, const Progress& progress) {
  for (auto& s : ctx->sources) {
    if (!s->is_table) continue;
    while (!s->ended && ctx->error.empty() && !stop_requested()) {
      if (s->pump(ctx, kChunkRecords) == Source::Pump::kIdle) {
        int64_t now = now_ms();
        wait_for_input(ctx, wake_fd, now + 1000, now, progress, true);
      }
    }
  }
  return ctx->error.empty();
}

// ---- the batch hooks of every source and sink, in their order ----

void begin_batch(FlowContext* ctx) {
  for (auto& sink : ctx->sinks) {
    if (!sink->begin_batch(ctx)) return;
  }
  for (auto& s : ctx->sources) {
    if (!s->begin_batch(ctx)) return;
  }
}

bool cut_requested(const FlowContext* ctx) {
  for (const auto& s : ctx->sources) {
    if (s->cut_requested()) return true;
  }
  return false;
}

// The batch ended: every sink writes its rows, then the dead letters.
bool write_batch(FlowContext* ctx) {
  for (auto& sink : ctx->sinks) sink->write_batch(ctx);
  ctx->bad.flush(ctx);
  return ctx->error.empty();
}

// Commits what the batches since the last commit point wrote and read
// (LANGUAGE.md 10, 12 "Kafka."). Order: the sources' positions go into the
// first transaction a sink offers (kafka: the consumed offsets into an
// exactly_once sink's transaction); transactional sinks commit; the
// checkpoint is written; the sources commit what no transaction took. The
// group is thus never ahead of the checkpoint.
bool commit_point(FlowContext* ctx, int64_t number, bool ended, bool final_batch) {
  CommitPoint at{final_batch, nullptr};
  for (auto& sink : ctx->sinks) {
    if ((at.transaction = sink->transaction()) != nullptr) break;
  }
  if (at.transaction != nullptr) {
    for (auto& s : ctx->sources) {
      if (!s->join_transaction(ctx, *at.transaction)) return false;
    }
  }
  for (auto& sink : ctx->sinks) {
    if (!sink->commit(ctx)) return false;
  }
  if (ctx->checkpoint != nullptr && !ctx->checkpoint->commit(ctx, number, ended)) return false;
  bool ok = true;
  for (auto& s : ctx->sources) ok = s->commit(ctx, at) && ok;
  return ok;
}

// A failed batch: sinks take its rows back (files are cut back,
// transactions abort), sources are told; dead letters are not part of the
// batch's rows and are written.
void abort_batch(FlowContext* ctx) {
  for (auto& sink : ctx->sinks) sink->abort_batch(ctx);
  for (auto& s : ctx->sources) s->abort_batch(ctx);
  ctx->bad.flush(ctx);
}

// Pumps the sources into the current batch until: it holds
// --max-batch-records records, the deadline passes, every source has ended,
// a source asks for a cut, a failure is pending, or a stop is requested and
// no source has input ready. True when every source has ended.
bool fill_batch(FlowContext* ctx, int wake_fd, int64_t deadline) {
  const int64_t max_records = ctx->opts.max_batch_records;
  Progress& progress = ctx->progress;
  int64_t in_batch = 0;
  bool ended = all_streams_ended(ctx);

  // SIGINT/SIGTERM finish the batch with the input that is there without
  // waiting for more: a file's batches stay those of an uninterrupted
  // run (LANGUAGE.md 12: "as if uninterrupted"), an idle input ends it.
  bool progressed = true;
  while (!ended && in_batch < max_records) {
    if (!ctx->error.empty() || ctx->fail_batch || ctx->stdout_closed) break;
    if (stop_requested() && !progressed) break;
    progressed = false;
    for (auto& s : ctx->sources) {
      if (s->is_table || s->ended) continue;
      int64_t before = ctx->counters.records_in;
      const int64_t pump_start = steady_now_ns();
      const int64_t counted = ctx->workers ? ctx->workers->batch_thread_counted() : 0;
      if (s->pump(ctx, max_records - in_batch) == Source::Pump::kProgress) progressed = true;
      if (ctx->workers) {
        const int64_t meanwhile = ctx->workers->batch_thread_counted() - counted;
        ctx->workers->add_read(steady_now_ns() - pump_start - meanwhile);
      }
      in_batch += ctx->counters.records_in - before;
      if (in_batch >= max_records || !ctx->error.empty()) break;
    }
    ended = all_streams_ended(ctx);
    if (ended || in_batch >= max_records) break;
    if (cut_requested(ctx)) break;  // e.g. a kafka rebalance revoked partitions
    const int64_t now = now_ms();
    if (now >= deadline) break;
    progress.tick(ctx, now);
    if (!progressed && !stop_requested())
      wait_for_input(ctx, wake_fd, deadline, now, progress, false);
  }
  // A batch cut by --max-batch-records may hold the last records: look
  // ahead so that it, not an empty batch after it, is the final one.
  if (!ended && in_batch >= max_records && ctx->error.empty() && !stop_requested()) {
    ended = true;
    for (auto& s : ctx->sources) {
      if (!s->is_table && !s->ended && !s->probe_end(ctx)) ended = false;
    }
  }
  return ended;
}

}  // namespace

int run_batches(FlowContext* ctx, int wake_fd) {
  const FlowPipeline* p = ctx->pipeline;
  const int64_t interval = batch_interval(ctx);
  Progress& progress = ctx->progress;
  int64_t now = now_ms();
  progress.start(ctx, now);
  ctx->batch = FlowBatch{floor_to(now, interval), ctx->watermark, ctx->next_batch, 0};
  if (!load_tables(ctx, wake_fd, progress)) return kExitRuntime;

  // A run resumed from a checkpoint goes on with its batch numbers.
  const int64_t bad_before = ctx->counters.bad;
  for (int64_t number = ctx->next_batch;; ++number) {
    now = now_ms();
    const int64_t start = floor_to(now, interval);
    const int64_t deadline = start + interval;
    ctx->batch = FlowBatch{start, ctx->watermark, number, 0};
    metrics_batch_begin(ctx);
    begin_batch(ctx);
    const bool ended = fill_batch(ctx, wake_fd, deadline);
    if (!ctx->error.empty()) {
      abort_batch(ctx);
      return kExitRuntime;
    }
    if (ctx->stdout_closed) return kExitOk;
    // An incremental run with nothing new (LANGUAGE.md 13) runs no batch,
    // as Spark's Trigger.AvailableNow: an `emit all` would repeat itself.
    if (ctx->after_end && ended && number == ctx->next_batch && ctx->counters.records_in == 0 &&
        ctx->counters.bad == bad_before) {
      abort_batch(ctx);
      ctx->nothing_new = true;
      if (!ctx->opts.quiet) {
        ctx->log_line(
            "flowc: nothing new since the last run: no batch ran; the checkpoint is as it was");
      }
      return kExitOk;
    }

    ctx->batch.end_ms = now_ms();
    // Every morsel committed, the workers' partial state folded into the
    // pipeline's (worker.h), then the batch ends as on one thread.
    ctx->settle();
    if (ctx->workers) ctx->workers->merge_state();
    for (auto& s : ctx->sources) s->before_end_batch();
    const int64_t end_start = steady_now_ns();
    if (p->end_batch != nullptr) p->end_batch(ctx, &ctx->batch, ended ? 1 : 0);
    if (ctx->workers) ctx->workers->add_batch_end(steady_now_ns() - end_start);
    flow_arena_reset(&ctx->scratch);
    ++ctx->counters.batches;

    if (ctx->fail_batch || !ctx->error.empty()) {
      abort_batch(ctx);
      if (ctx->error.empty()) {
        ctx->set_error("stopped at a bad record (on_error fail); batch " +
                       int_text(number) + " was not written");
      }
      return kExitRuntime;
    }
    if (!write_batch(ctx)) {
      abort_batch(ctx);
      return kExitRuntime;
    }
    // Rows are written: commit the batch. With a checkpoint only when one
    // is due; the last batch (every source ended, or a stop) always is, and
    // so is a cut batch (a kafka rebalance's revoked partitions are
    // released only once committed).
    const bool last = ended || stop_requested() || ctx->stdout_closed;
    if (ctx->checkpoint == nullptr || ctx->checkpoint->due(last || cut_requested(ctx))) {
      if (!commit_point(ctx, number, ended, ended || stop_requested())) {
        abort_batch(ctx);
        return kExitRuntime;
      }
    }
    if (ctx->stdout_closed) return kExitOk;
    progress.tick(ctx, now_ms());
    metrics_batch_end(ctx);
    if (last) break;
  }
  return kExitOk;
}

}  // namespace flowrt
