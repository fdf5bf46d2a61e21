// runtime/progress.h — `--progress` (a live status line on stderr) and the
// summary line at the end of a run.
#ifndef FLOWC_RUNTIME_PROGRESS_H
#define FLOWC_RUNTIME_PROGRESS_H

#include <cstdint>
#include <string>

#include "abi.h"

namespace flowrt {

// The status line is rewritten at most this often: faster is unreadable and
// costs terminal time.
inline constexpr int64_t kProgressIntervalMs = 200;

class Progress {
 public:
  void start(const FlowContext* ctx, int64_t now);
  // Rewrites the status line when --progress is on and it is due.
  void tick(FlowContext* ctx, int64_t now);
  // ms until the next tick is due (kNoWait without --progress).
  int64_t wait_ms(const FlowContext* ctx, int64_t now) const;
  // Ends the status line (before an error message).
  void end_line(FlowContext* ctx);
  // Ends the status line; prints the summary unless --quiet, then the
  // every-record-was-bad warnings (bad_records.h) in any case.
  void finish(FlowContext* ctx, int64_t now);

  // `flowc: N records in[, R table rows], M rows out, B batches, X bad, Y late, T s`
  static std::string summary(const FlowContext* ctx, int64_t elapsed_ms);

 private:
  int64_t started_ = 0;
  int64_t last_tick_ = 0;
  int64_t last_records_ = 0;
  bool shown_ = false;
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_PROGRESS_H
