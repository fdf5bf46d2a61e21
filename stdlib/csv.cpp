// stdlib/csv.cpp — splitting one CSV record into fields (RFC 4180, and
// LANGUAGE.md 12). The runtime has already cut the record, honouring quoted
// newlines; this only finds field boundaries. Fields stay views into the
// record unless a doubled quote forces an unescaped copy.
//
// Generated code splits with flow_csv_split_more: only as far as the last
// column the plan reads (first the columns a leading `where` reads, then
// the rest if the record survives), finding delimiters and quotes 64 bytes
// at a time with the structure index (flow_scan_index).
#include <string.h>

#include "flow_stdlib.h"

namespace {

constexpr char kQuote = '"';

}  // namespace

extern "C" {

FLOW_INLINE_INTO_PIPELINE int64_t flow_csv_split_more(FlowCsvSplit* s, const char* p, int64_t n,
                                                      int32_t delim, FlowStr* cols, int64_t upto,
                                                      FlowArena* arena) {
  if (n > 0 && p[n - 1] == '\r') --n;  // as flow_csv_split
  const char d = static_cast<char>(delim);
  // The state in locals (registers) while splitting, stored back at the
  // end: the index array's address escapes to the kernel, and with it the
  // whole struct would stay in memory.
  int64_t count = s->count;
  int64_t i = s->pos;
  int64_t ix_from = s->ix_from;
  int64_t ix_to = s->ix_to;
  // The first delimiter or quote at or after j, or n (the index's bits
  // past the end are set).
  auto next_stop = [&](int64_t j) -> int64_t {
    for (;;) {
      if (j >= ix_to) {
        if (j >= n) return n;
        int64_t words =
            flow_scan_index(p + j, n - j, FLOW_SCAN_CSV, delim, s->ix, FLOW_CSV_INDEX_WORDS);
        ix_from = j;
        ix_to = j + 64 * words < n ? j + 64 * words : n;
      }
      int64_t rel = j - ix_from;
      uint64_t w = s->ix[rel >> 6] >> (rel & 63);
      if (w != 0) return j + __builtin_ctzll(w);
      j = ix_from + (rel | 63) + 1;
    }
  };
  while (count < upto && i <= n) {
    int64_t end;
    if (i < n && p[i] == kQuote) {
      end = flow_csv_quoted_field(p, n, i, delim, 1, arena, &cols[count]);
      if (end < 0) return -1;  // (the state no longer matters: the record is bad)
    } else {
      // An unquoted field: a quote inside it is a literal byte.
      end = next_stop(i);
      while (end < n && p[end] == kQuote && d != kQuote) end = next_stop(end + 1);
      // Stored member by member: a FlowStr built apart and copied whole is
      // one 16-byte load of two fresh 8-byte stores, which the CPU cannot
      // forward (a stall per field).
      cols[count].ptr = p + i;
      cols[count].len = end - i;
    }
    ++count;
    i = end + 1;  // past the delimiter; n + 1 once the record is used up
  }
  s->count = count;
  s->pos = i;
  s->ix_from = ix_from;
  s->ix_to = ix_to;
  return count;
}

int64_t flow_csv_split(const char* p, int64_t n, int32_t delim, FlowStr* cols,
                       int64_t max_cols, FlowArena* arena) {
  // A CRLF record: the '\r' is a terminator, not data. Inside an unclosed
  // quote it would be data, but such a record fails anyway.
  if (n > 0 && p[n - 1] == '\r') --n;
  const char d = static_cast<char>(delim);
  int64_t count = 0;
  int64_t i = 0;
  for (;;) {
    FlowStr field = {p + i, 0};
    if (i < n && p[i] == kQuote) {
      // Unescaped copies only for the columns kept.
      i = flow_csv_quoted_field(p, n, i, delim, count < max_cols, arena, &field);
      if (i < 0) return -1;
    } else {
      const void* hit =
          i < n ? memchr(p + i, d, static_cast<size_t>(n - i)) : nullptr;
      int64_t end = hit ? static_cast<const char*>(hit) - p : n;
      field.len = end - i;
      i = end;
    }
    if (count < max_cols) cols[count] = field;
    ++count;
    if (i >= n) return count;
    ++i;  // past the delimiter; a trailing delimiter makes one more field
    if (i == n) {
      if (count < max_cols) cols[count] = FlowStr{p + n, 0};
      return count + 1;
    }
  }
}

int32_t flow_bytes_contain(const char* p, int64_t n, const char* lit, int64_t ln) {
  if (ln <= 0) return 1;
  const char first = lit[0];
  for (int64_t i = 0; n - i >= ln;) {
    // glibc's memchr is dispatched to the CPU's widest vectors.
    const void* hit = memchr(p + i, first, static_cast<size_t>(n - i - ln + 1));
    if (hit == nullptr) return 0;
    i = static_cast<const char*>(hit) - p;
    if (memcmp(p + i + 1, lit + 1, static_cast<size_t>(ln - 1)) == 0) return 1;
    ++i;
  }
  return 0;
}

}  // extern "C"
