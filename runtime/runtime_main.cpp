// runtime/runtime_main.cpp — flow_runtime_main: options, start-up (sources,
// sinks, signals), the batch loop, and the small ABI calls on FlowContext.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "batch_loop.h"
#include "checkpoint.h"
#include "connectors.h"
#include "context.h"
#include "flow_stdlib.h"
#include "io_util.h"
#include "metrics.h"
#include "runtime.h"
#include "sink.h"
#include "udf_alloc.h"
#include "worker.h"

namespace flowrt {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_wake_write_fd{-1};

void on_stop_signal(int) {
  g_stop.store(true);
  int fd = g_wake_write_fd.load();
  if (fd >= 0) {
    int saved = errno;  // write(2) may clobber errno in the interrupted code
    [[maybe_unused]] ssize_t n = ::write(fd, "s", 1);
    errno = saved;
  }
}

// SIGINT/SIGTERM stop the run after its batch; SIGPIPE becomes EPIPE.
// Restored when the run ends, so a host process (tests, flowc) is unchanged.
class SignalScope {
 public:
  explicit SignalScope(int wake_write_fd) {
    g_wake_write_fd.store(wake_write_fd);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll() returns on a signal
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &old_pipe_);
  }
  ~SignalScope() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
    g_wake_write_fd.store(-1);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {}, old_pipe_ {};
};

bool open_all(FlowContext* ctx) {
  const FlowPipeline* p = ctx->pipeline;
  ctx->bad.init(p);
  for (int32_t i = 0; i < p->source_count; ++i) {
    std::unique_ptr<Source> s = make_source(ctx, i, &p->sources[i]);
    if (s == nullptr) return false;
    ctx->sources.push_back(std::move(s));
  }
  // Open after every Source exists: bad records may name any of them.
  for (auto& s : ctx->sources) {
    if (!s->open(ctx)) return false;
  }
  // Checkpoints: resume (seek sources, restore state) or write the first
  // checkpoint, before any sink opens and writes (checkpoint.h).
  if (ctx->checkpoint != nullptr) {
    switch (ctx->checkpoint->start(ctx)) {
      case Checkpointer::Start::kRefused:
        return false;
      case Checkpointer::Start::kContinued: ctx->after_end = true; break;
      case Checkpointer::Start::kFresh:
      case Checkpointer::Start::kResumed:
        break;
    }
  }
  for (int32_t i = 0; i < p->sink_count; ++i) {
    std::unique_ptr<Sink> sink = make_sink(ctx, i, &p->sinks[i]);
    if (sink == nullptr) return false;
    ctx->sinks.push_back(std::move(sink));
    int64_t length = ctx->checkpoint != nullptr ? ctx->checkpoint->sink_length(i) : -1;
    if (!ctx->sinks.back()->open(ctx, length)) return false;
  }
  return true;
}

}  // namespace

bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }

void request_stop() { on_stop_signal(0); }

// --threads N (default: every CPU this process may use). Worker threads
// only when some source can use them (FlowSourceDesc.parallel); one when
// none can (the accounting is kept anyway). Decided before the sources
// open and a checkpoint is restored (FlowContext.state_parts).
int32_t run_threads(const FlowContext* ctx) {
  int32_t threads = ctx->opts.threads;
  if (threads <= 0) {
    cpu_set_t set;
    threads = ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  }
  threads = std::clamp<int32_t>(threads, 1, FLOW_MAX_WORKERS);
  const FlowPipeline* p = ctx->pipeline;
  bool parallel = false;
  for (int32_t i = 0; i < p->source_count; ++i) {
    const FlowSourceDesc& d = p->sources[i];
    parallel = parallel || (d.parallel && (d.kind & FLOW_SOURCE_TABLE_BIT) == 0);
  }
  return parallel ? threads : 1;
}

void start_workers(FlowContext* ctx) {
  ctx->workers = std::make_unique<Workers>(ctx, ctx->state_parts);
}

int run_pipeline(const FlowPipeline* pipeline, int argc, char** argv,
                 const RuntimeIo& io) {
  FlowContext ctx;
  ctx.pipeline = pipeline;
  ctx.io = io;
  ctx.stdout_is_tty = io.stdout_is_tty >= 0 ? io.stdout_is_tty != 0 : ::isatty(io.stdout_fd) != 0;

  std::string error;
  switch (parse_run_options(pipeline, argc, argv, &ctx.opts, &error)) {
    case OptionsStatus::kHelp:
      write_all(io.stdout_fd, usage_text(pipeline));
      return kExitOk;
    case OptionsStatus::kUsageError:
      ctx.log_line("flowc: error: " + error);
      return kExitUsage;
    case OptionsStatus::kOk:
      break;
  }
  // Built programs: what the params decide (a --param value the pipeline
  // cannot take is a usage error, as under `flowc run`).
  if (pipeline->configure != nullptr && pipeline->configure(&ctx, ctx.opts.batch_ms) == 0) {
    ctx.log_line("flowc: error: " + ctx.error);
    return kExitUsage;
  }
  // --checkpoint DIR wins over the pipeline's `checkpoint "DIR"`.
  std::string checkpoint_dir = ctx.opts.checkpoint_dir;
  if (checkpoint_dir.empty() && pipeline->checkpoint_dir != nullptr) {
    checkpoint_dir = pipeline->checkpoint_dir;
  }
  std::unique_ptr<Checkpointer> checkpointer;
  if (!checkpoint_dir.empty()) {
    checkpointer = std::make_unique<Checkpointer>(checkpoint_dir, pipeline->checkpoint_every_ms);
    ctx.checkpoint = checkpointer.get();
  }

  std::unique_ptr<Metrics> metrics;
  if (!ctx.opts.metrics_address.empty()) {
    metrics = Metrics::start(pipeline, ctx.opts.metrics_address, &error);
    if (!metrics) {
      ctx.log_line("flowc: error: " + error);
      return kExitRuntime;
    }
    ctx.metrics = metrics.get();
    ctx.log_line("flowc: metrics on http://" + metrics->bound_address() + "/metrics");
  }

  ctx.state_parts = run_threads(&ctx);
  g_stop.store(false);
  int wake[2] = {-1, -1};
  if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) wake[0] = wake[1] = -1;
  int status;
  {
    SignalScope signals(wake[1]);
    if (!open_all(&ctx)) {
      ctx.log_line(ctx.error_report());
      status = kExitRuntime;
    } else {
      start_workers(&ctx);
      status = run_batches(&ctx, wake[0]);
      ctx.progress.end_line(&ctx);
      if (!ctx.error.empty()) {
        ctx.log_line(ctx.error_report());
        status = kExitRuntime;
      }
      if (!ctx.nothing_new) ctx.progress.finish(&ctx, now_ms());
      ctx.workers.reset();  // joins the pool threads
    }
  }
  for (int fd : wake) {
    if (fd >= 0) ::close(fd);
  }
  flow_arena_free(&ctx.scratch);
  return status;
}

}  // namespace flowrt

// ---- FlowContext ----

void FlowContext::log_line(std::string_view line) {
  std::string text(line);
  text += '\n';
  flowrt::write_all(io.stderr_fd, text);
}

// With --threads, a parallel source's records become a morsel for the pool
// (worker.h); every other delivery runs here, after the morsels before it
// are committed, so that effects keep arrival order.
void FlowContext::deliver(flowrt::Source* source, const FlowRecord* records, int64_t n) {
  const int64_t first = counters.records_in;
  (source->is_table ? counters.table_rows : counters.records_in) += n;
  source->records_in += n;
  if (workers && workers->parallel() && source->desc->parallel && !source->is_table) {
    workers->submit_records(source, records, n, /*copy=*/!source->bytes_stay(), first);
    return;
  }
  settle();
  arrival_first = first;
  const int64_t start = flowrt::steady_now_ns();
  source->delivering = true;
  if (source->desc->process != nullptr) source->desc->process(this, &batch, records, n);
  source->delivering = false;
  flow_arena_reset(&scratch);
  if (workers) workers->add_busy(flowrt::steady_now_ns() - start);
}

void FlowContext::deliver_generate(flowrt::Source* source, int64_t first, int64_t n) {
  const int64_t arrival = counters.records_in;
  counters.records_in += n;
  source->records_in += n;
  if (workers && workers->parallel() && source->desc->parallel) {
    workers->submit_values(source, first, n, arrival);
    return;
  }
  settle();
  arrival_first = arrival;
  const int64_t start = flowrt::steady_now_ns();
  source->delivering = true;
  if (source->desc->generate != nullptr) source->desc->generate(this, &batch, first, n);
  source->delivering = false;
  flow_arena_reset(&scratch);
  if (workers) workers->add_busy(flowrt::steady_now_ns() - start);
}

int64_t FlowContext::read_in_place_from(const flowrt::Source* source) const {
  return workers ? workers->read_in_place_from(source) : std::numeric_limits<int64_t>::max();
}

void FlowContext::settle() {
  if (workers && workers->in_flight()) workers->drain();
}

void FlowContext::set_error(std::string message) {
  if (flowrt::Worker* w = flowrt::current_worker()) {
    if (w->error.empty()) w->error = std::move(message);
    return;
  }
  if (error.empty()) error = std::move(message);
}

void FlowContext::internal_error(std::string_view what) {
  if (flowrt::Worker* w = flowrt::current_worker()) {
    if (w->error.empty()) {
      w->error = what;
      w->error_is_internal = true;
    }
    return;
  }
  if (!error.empty()) return;
  error = what;
  error_is_internal = true;
}

// ---- small ABI calls ----

extern "C" {

const int32_t* flow_csv_column_map(FlowContext* ctx, int32_t source) {
  static const int32_t kNone[1] = {-1};
  const flowrt::Source* src = flowrt::source_at(ctx, source);
  if (src == nullptr) return kNone;
  const auto& map = src->column_map;
  return map.empty() ? kNone : map.data();
}

FlowArena* flow_scratch(FlowContext* ctx) {
  flowrt::Worker* w = flowrt::current_worker();
  FlowArena* arena = w != nullptr ? &w->scratch : &ctx->scratch;
  flowrt::udf_use_arena(arena);  // flow_udf_alloc's too (udf_alloc.h)
  return arena;
}

int32_t flow_state_parts(FlowContext* ctx) { return ctx->state_parts; }

int64_t flow_morsel_seq(FlowContext*) {
  flowrt::Worker* w = flowrt::current_worker();
  return w != nullptr && w->out != nullptr ? w->out->seq : -1;
}

int64_t flow_arrival_first(FlowContext* ctx) {
  flowrt::Worker* w = flowrt::current_worker();
  return w != nullptr ? w->arrival_first : ctx->arrival_first;
}

int64_t flow_arrivals(FlowContext* ctx) { return ctx->counters.records_in; }

int32_t flow_worker_index(FlowContext*) {
  flowrt::Worker* w = flowrt::current_worker();
  return w != nullptr ? w->index : 0;
}

void flow_count_late(FlowContext* ctx, int32_t stream) {
  if (flowrt::Worker* w = flowrt::current_worker()) {  // folded at the drain
    ++w->late_total;
    if (stream >= 0 && static_cast<size_t>(stream) < w->late.size())
      ++w->late[static_cast<size_t>(stream)];
    return;
  }
  ++ctx->counters.late;
  if (ctx->metrics != nullptr) ctx->metrics->count_late(stream);
}

int32_t flow_source_ended(FlowContext* ctx, int32_t source) {
  if (source < 0 || static_cast<size_t>(source) >= ctx->sources.size()) return 0;
  return ctx->sources[static_cast<size_t>(source)]->ended ? 1 : 0;
}

int64_t flow_state_grew(FlowContext* ctx, int64_t keys) {
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  const int64_t limit = ctx->opts.max_state_keys;
  if (limit > 0 && keys > limit) {
    ctx->set_error("keyed state exceeds --max-state-keys " + std::to_string(limit) +
                   ": a table reached " + std::to_string(keys) +
                   " keys (raise the limit, or bound the keys with expire or fewer group by keys)");
    return kNever;
  }
  // Called again at twice the keys, and exactly past the limit.
  int64_t next = keys > kNever / 2 ? kNever : std::max<int64_t>(keys * 2, 1);
  return limit > 0 ? std::min(next, limit) : next;
}

int64_t flow_state_grew_to(FlowContext* ctx, int64_t from, int64_t to, int64_t check) {
  // One insert at a time, the call comes at the first count past the last
  // answer.
  for (int64_t keys = from; check < to;) {
    keys = std::max(keys + 1, check + 1);
    if (keys > to) break;
    check = flow_state_grew(ctx, keys);
  }
  return check;
}

void flow_set_watermark(FlowContext* ctx, int64_t watermark) {
  if (watermark > ctx->watermark) ctx->watermark = watermark;
}

int flow_runtime_main(const FlowPipeline* pipeline, int argc, char** argv) {
  return flowrt::run_pipeline(pipeline, argc, argv, flowrt::RuntimeIo{});
}

}  // extern "C"
