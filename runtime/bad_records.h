// runtime/bad_records.h — bad-record reporting (LANGUAGE.md 9 and 12):
// per-source counts, the first messages on stderr, `fail`, dead letters.
#ifndef FLOWC_RUNTIME_BAD_RECORDS_H
#define FLOWC_RUNTIME_BAD_RECORDS_H

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"

namespace flowrt {

// LANGUAGE.md 9: only the first 10 bad records per source are printed; the
// summary says how many more there were.
inline constexpr int64_t kShownBadRecords = 10;

class BadRecords {
 public:
  BadRecords() = default;
  BadRecords(const BadRecords&) = delete;
  BadRecords& operator=(const BadRecords&) = delete;
  ~BadRecords();

  // Sizes the per-source counters; opens no files yet.
  void init(const FlowPipeline* pipeline);
  void report(FlowContext* ctx, int32_t source, const FlowRecord* rec,
              std::string_view message);
  // Appends buffered dead letters to their files; false after ctx->set_error.
  bool flush(FlowContext* ctx);
  // Summary lines for sources whose messages were cut off.
  std::vector<std::string> hidden_lines(const FlowContext* ctx) const;

  int64_t count(int32_t source) const { return counts_[source]; }
  // A resumed run (checkpoint.cpp) continues the counts it stopped at.
  void set_count(int32_t source, int64_t n) {
    if (source >= 0 && static_cast<size_t>(source) < counts_.size()) counts_[source] = n;
  }

 private:
  struct DeadLetterFile {
    std::string buffer;
    int fd = -1;
  };
  std::vector<int64_t> counts_;
  std::map<std::string, DeadLetterFile> dead_letters_;  // by path
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_BAD_RECORDS_H
