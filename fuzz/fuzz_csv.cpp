// fuzz/fuzz_csv.cpp — flow_csv_split (stdlib/csv.cpp) on one arbitrary
// record. The first byte picks the delimiter and the column budget; every
// field must lie inside the record or the arena, and a record that splits
// must split the same with a larger budget. flow_csv_split_more, asked for
// the columns in steps (sizes from the input), gives the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "flow_stdlib.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char kDelims[] = {',', ';', '\t', '|', '"', '\n', ' ', '\0'};
  const int32_t delim = kDelims[data[0] & 7];
  const int64_t max_cols = (data[0] >> 3) & 31;  // 0..31
  // A copy of exactly the record's bytes, so that ASan sees reads past it.
  std::vector<char> rec(data + 1, data + size);
  const char* p = rec.empty() ? nullptr : rec.data();
  const int64_t n = static_cast<int64_t>(rec.size());

  FlowArena arena{};
  std::vector<FlowStr> cols(static_cast<size_t>(max_cols) + 1);
  int64_t count = flow_csv_split(p, n, delim, cols.data(), max_cols, &arena);
  if (count < -1 || count == 0) abort();  // a record has at least one field
  if (count > 0) {
    for (int64_t i = 0; i < std::min(count, max_cols); ++i) {
      if (cols[i].len < 0 || cols[i].len > n) abort();
      if (cols[i].len > 0) {
        volatile char sink = cols[i].ptr[0];
        sink = cols[i].ptr[cols[i].len - 1];
        (void)sink;
      }
    }
    // The full split agrees with the budgeted one on the budgeted columns.
    std::vector<FlowStr> all(static_cast<size_t>(count));
    FlowArena arena2{};
    int64_t again = flow_csv_split(p, n, delim, all.data(), count, &arena2);
    if (again != count) abort();
    for (int64_t i = 0; i < std::min(count, max_cols); ++i) {
      if (all[i].len != cols[i].len ||
          (all[i].len > 0 && memcmp(all[i].ptr, cols[i].ptr, static_cast<size_t>(all[i].len)) != 0)) {
        abort();
      }
    }
    // In steps of 1..4 columns, as generated code asks (first the columns a
    // leading where reads, then the rest).
    FlowCsvSplit state{};
    std::vector<FlowStr> more(static_cast<size_t>(count));
    FlowArena arena3{};
    int64_t got = 0;
    for (size_t step = 0; got >= 0 && got < count; ++step) {
      int64_t upto =
          std::min<int64_t>(count, got + 1 + (n > 0 ? (p[step % static_cast<size_t>(n)] & 3) : 0));
      got = flow_csv_split_more(&state, p, n, delim, more.data(), upto, &arena3);
      if (got >= 0 && got < upto) break;
    }
    if (got != count) abort();
    for (int64_t i = 0; i < count; ++i) {
      if (more[i].len != all[i].len ||
          (more[i].len > 0 &&
           memcmp(more[i].ptr, all[i].ptr, static_cast<size_t>(more[i].len)) != 0)) {
        abort();
      }
    }
    flow_arena_free(&arena3);
    flow_arena_free(&arena2);
  }
  flow_arena_free(&arena);
  return 0;
}
