// stdlib/csv_quoted.cpp — a quoted CSV field (RFC 4180): the rare case of
// splitting, native code only (stdlib/CMakeLists.txt), so that it is
// compiled once rather than into every pipeline that reads CSV.
#include <string.h>

#include "flow_stdlib.h"

namespace {

constexpr char kQuote = '"';

// Scans a quoted field starting after its opening quote. Returns the index
// of the closing quote, or -1 when it never closes; *doubled tells whether
// any "" pair appeared (then the field needs unescaping).
int64_t find_closing_quote(const char* p, int64_t n, int64_t i, bool* doubled) {
  while (i < n) {
    const void* hit = memchr(p + i, kQuote, static_cast<size_t>(n - i));
    if (!hit) return -1;
    int64_t q = static_cast<const char*>(hit) - p;
    if (q + 1 < n && p[q + 1] == kQuote) {
      *doubled = true;
      i = q + 2;
      continue;
    }
    return q;
  }
  return -1;
}

}  // namespace

extern "C" int64_t flow_csv_quoted_field(const char* p, int64_t n, int64_t i, int32_t delim,
                                         int32_t copy, FlowArena* arena, FlowStr* field) {
  const char d = static_cast<char>(delim);
  bool doubled = false;
  int64_t close = find_closing_quote(p, n, i + 1, &doubled);
  if (close < 0) return -1;
  int64_t end = close + 1;
  // Text after the closing quote (`"a"b`) is malformed RFC 4180; keep it
  // literally rather than lose the record.
  int64_t tail_end = end;
  while (tail_end < n && p[tail_end] != d) ++tail_end;
  if (!doubled && tail_end == end) {
    field->ptr = p + i + 1;
    field->len = close - (i + 1);
  } else if (copy) {
    char* dst = static_cast<char*>(flow_arena_alloc(arena, (close - i - 1) + (tail_end - end)));
    int64_t len = 0;
    for (int64_t k = i + 1; k < close; ++k) {
      dst[len++] = p[k];
      if (p[k] == kQuote) ++k;  // the second quote of a pair
    }
    memcpy(dst + len, p + end, static_cast<size_t>(tail_end - end));
    len += tail_end - end;
    field->ptr = dst;
    field->len = len;
  }
  return tail_end;
}
