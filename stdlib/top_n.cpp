// stdlib/top_n.cpp — the rows `top N by ...` keeps of one window's rows
// (LANGUAGE.md 13 "Ranking"): a bounded heap whose root is the kept row
// that ranks last, so a row is offered in O(log N) and memory stays N rows
// however many rows the aggregate emits.
//
// Rows are laid out by the compiler (fixed size, 8-byte aligned) and
// compared by a generated function; what a row owns (string copies) is the
// caller's to free, which is why an offer says when it replaces a row.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

namespace {

char* row_at(FlowTopN* t, int64_t i, int64_t row_bytes) { return t->rows + i * row_bytes; }

void swap_rows(char* a, char* b, int64_t row_bytes) {
  for (int64_t i = 0; i < row_bytes; i += 8) {
    uint64_t x;
    uint64_t y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    memcpy(a + i, &y, 8);
    memcpy(b + i, &x, 8);
  }
}

// Moves row i up while it ranks after its parent.
void sift_up(FlowTopN* t, int64_t i, int64_t row_bytes, FlowRowCmp cmp) {
  while (i > 0) {
    int64_t parent = (i - 1) / 2;
    if (cmp(row_at(t, i, row_bytes), row_at(t, parent, row_bytes)) <= 0) return;
    swap_rows(row_at(t, i, row_bytes), row_at(t, parent, row_bytes), row_bytes);
    i = parent;
  }
}

// Moves row i down while a child ranks after it.
void sift_down(FlowTopN* t, int64_t i, int64_t row_bytes, FlowRowCmp cmp) {
  for (;;) {
    int64_t last = i;
    for (int64_t child = 2 * i + 1; child <= 2 * i + 2 && child < t->count; ++child) {
      if (cmp(row_at(t, child, row_bytes), row_at(t, last, row_bytes)) > 0) last = child;
    }
    if (last == i) return;
    swap_rows(row_at(t, i, row_bytes), row_at(t, last, row_bytes), row_bytes);
    i = last;
  }
}

}  // namespace

extern "C" {

void* flow_topn_offer(FlowTopN* t, const void* candidate, int64_t row_bytes, int64_t limit,
                      FlowRowCmp cmp, int32_t* replaced) {
  *replaced = 0;
  if (limit <= 0) return nullptr;
  if (t->count < limit) {
    if (t->count == t->capacity) {
      int64_t grown = t->capacity == 0 ? 16 : t->capacity * 2;
      if (grown > limit) grown = limit;
      char* rows = static_cast<char*>(realloc(t->rows, static_cast<size_t>(grown * row_bytes)));
      if (rows == nullptr) abort();  // out of memory, as the arena does
      t->rows = rows;
      t->capacity = grown;
    }
    char* row = row_at(t, t->count++, row_bytes);
    memset(row, 0, static_cast<size_t>(row_bytes));
    return row;
  }
  // Full: the candidate replaces the root only if it ranks before it.
  if (cmp(candidate, t->rows) >= 0) return nullptr;
  *replaced = 1;
  return t->rows;
}

void flow_topn_settle(FlowTopN* t, void* row, int64_t row_bytes, FlowRowCmp cmp) {
  int64_t i = (static_cast<char*>(row) - t->rows) / row_bytes;
  // An offer returns the root (a replacement) or a new last row.
  if (i == 0) {
    sift_down(t, 0, row_bytes, cmp);
  } else {
    sift_up(t, i, row_bytes, cmp);
  }
}

void flow_topn_sort(FlowTopN* t, int64_t row_bytes, FlowRowCmp cmp) {
  flow_sort(t->rows, t->count, row_bytes, cmp);
}

int64_t flow_topn_count(const FlowTopN* t) { return t->count; }

void* flow_topn_row(FlowTopN* t, int64_t i, int64_t row_bytes) { return row_at(t, i, row_bytes); }

void flow_topn_clear(FlowTopN* t) { t->count = 0; }

void flow_topn_free(FlowTopN* t) {
  free(t->rows);
  *t = FlowTopN{};
}

}  // extern "C"
