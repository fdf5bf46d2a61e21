// runtime/options.h — run options (LANGUAGE.md 11), parsed the same way by
// `flowc run` and by built programs.
#ifndef FLOWC_RUNTIME_OPTIONS_H
#define FLOWC_RUNTIME_OPTIONS_H

#include <cstdint>
#include <string>
#include <string_view>

#include "abi.h"

namespace flowrt {

// LANGUAGE.md 7: a batch ends at the latest after this many records.
inline constexpr int64_t kDefaultMaxBatchRecords = 1'000'000;
// A pipeline without a `batch` declaration uses 1s (LANGUAGE.md 4).
inline constexpr int64_t kDefaultBatchMs = 1000;
// --max-state-keys: the most keys one keyed table (group by, update,
// window panes, sessions) may hold before the run fails with exit 3.
// 0, the default, is no limit (memory is then the limit).
inline constexpr int64_t kDefaultMaxStateKeys = 0;

struct RunOptions {
  int64_t batch_ms = 0;  // 0: the pipeline's own interval
  int64_t max_batch_records = kDefaultMaxBatchRecords;
  int64_t max_state_keys = kDefaultMaxStateKeys;  // 0: no limit
  int32_t threads = 0;  // --threads; 0: every CPU the process may use
  std::string checkpoint_dir;  // --checkpoint DIR (checkpoint.h)
  std::string metrics_address;  // --metrics HOST:PORT (metrics.h)
  bool quiet = false;
  bool progress = false;
  bool help = false;
};

enum class OptionsStatus { kOk, kHelp, kUsageError };

// Parses argv[1..argc) into *opts and writes `--param` values into the
// pipeline's param slots (string params point to copies kept for the rest of
// the process). On a usage error, *error holds the message (without "flowc: error: ").
OptionsStatus parse_run_options(const FlowPipeline* pipeline, int argc,
                                char** argv, RunOptions* opts,
                                std::string* error);

// `250ms 10s 5m 2h 1d` (digits may contain `_`); false when malformed or
// overflowing. `0s` parses (a duration param may be 0 where it is not a
// length); --batch requires more.
bool parse_duration_ms(std::string_view text, int64_t* out);

// The `--help` text.
std::string usage_text(const FlowPipeline* pipeline);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_OPTIONS_H
