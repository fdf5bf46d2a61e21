// runtime/progress.cpp — the status line and the summary.
#include "progress.h"

#include <cstdio>

#include "context.h"
#include "io_util.h"

namespace flowrt {

void Progress::start(const FlowContext*, int64_t now) {
  started_ = last_tick_ = now;
}

int64_t Progress::wait_ms(const FlowContext* ctx, int64_t now) const {
  if (!ctx->opts.progress) return kNoWait;
  int64_t due = last_tick_ + kProgressIntervalMs - now;
  return due < 0 ? 0 : due;
}

void Progress::tick(FlowContext* ctx, int64_t now) {
  if (!ctx->opts.progress || now - last_tick_ < kProgressIntervalMs) return;
  const Counters& c = ctx->counters;
  double rate = static_cast<double>(c.records_in - last_records_) * 1000.0 /
                static_cast<double>(now - last_tick_);
  char line[256];
  std::snprintf(line, sizeof line,
                "\rflowc: %lld records in (%.0f/s), %lld rows out, %lld batches, "
                "%lld bad, %lld late ",
                static_cast<long long>(c.records_in), rate,
                static_cast<long long>(c.rows_out), static_cast<long long>(c.batches),
                static_cast<long long>(c.bad), static_cast<long long>(c.late));
  std::string text = line;
  if (ctx->workers) text += "| " + ctx->workers->utilisation(true) + " ";
  write_all(ctx->io.stderr_fd, text);
  shown_ = true;
  last_tick_ = now;
  last_records_ = c.records_in;
}

std::string Progress::summary(const FlowContext* ctx, int64_t elapsed_ms) {
  const Counters& c = ctx->counters;
  // Table rows are input too, but not records of the stream: counted apart
  // (and only named when a table read rows).
  char tables[64] = "";
  if (c.table_rows > 0) {
    std::snprintf(tables, sizeof tables, ", %lld table rows", static_cast<long long>(c.table_rows));
  }
  char line[320];
  std::snprintf(line, sizeof line,
                "flowc: %lld records in%s, %lld rows out, %lld batches, %lld bad, "
                "%lld late, %.1f s",
                static_cast<long long>(c.records_in), tables, static_cast<long long>(c.rows_out),
                static_cast<long long>(c.batches), static_cast<long long>(c.bad),
                static_cast<long long>(c.late), static_cast<double>(elapsed_ms) / 1000.0);
  return line;
}

void Progress::end_line(FlowContext* ctx) {
  if (shown_) write_all(ctx->io.stderr_fd, "\n");
  shown_ = false;
}

void Progress::finish(FlowContext* ctx, int64_t now) {
  end_line(ctx);
  if (!ctx->opts.quiet) {
    std::string line = summary(ctx, now - started_);
    // Where the time went (per thread: in generated code), so that a
    // pipeline shows whether it is parse-bound, state-bound or merge-bound.
    // Like the seconds before it, it varies from run to run and with
    // --threads; the counts before them do not.
    if (ctx->workers) {
      const int n = ctx->workers->threads();
      line += " (" + std::to_string(n) + (n == 1 ? " thread: " : " threads: ") +
              ctx->workers->utilisation(false) + ")";
    }
    ctx->log_line(line);
    for (const std::string& hidden : ctx->bad.hidden_lines(ctx)) ctx->log_line(hidden);
  }
  // A warning, not part of the summary: --quiet does not hide it (a run
  // whose every record was bad otherwise exits 0 and writes nothing).
  for (const std::string& line : ctx->bad.all_bad_lines(ctx)) ctx->log_line(line);
}

}  // namespace flowrt
