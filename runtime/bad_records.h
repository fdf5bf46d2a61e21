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
  // Warnings for sources that read records in this run and found every one
  // of them bad (`on_error skip` or `dead_letter` would otherwise end with
  // exit 0 and no output): `flowc: warning: every record of source 'r' was
  // bad; first: POSITION: bad record: MESSAGE`.
  std::vector<std::string> all_bad_lines(const FlowContext* ctx) const;

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
  std::vector<int64_t> counts_;      // since the first run (checkpoints carry it)
  std::vector<int64_t> run_counts_;  // in this run
  // Of run_counts_, those generated code found in records it was handed
  // (the rest, e.g. an unclosed quote, were never handed over): compared
  // with Source::records_in.
  std::vector<int64_t> delivered_bad_;
  std::vector<std::string> first_;   // each source's first message in this run
  std::map<std::string, DeadLetterFile> dead_letters_;  // by path
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_BAD_RECORDS_H
