// stdlib/row_list.cpp — the rows one key holds in a stream–stream join's
// buffer (LANGUAGE.md 13; compiler/codegen/join_buffer.h): fixed-size
// elements in arrival order, appended one by one and compacted in place
// when the watermark expires some.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

extern "C" {

void* flow_rows_append(FlowRowList* l, int64_t elem_size) {
  if (l->len == l->cap) {
    int64_t cap = l->cap < 1 ? 1 : l->cap * 2;  // most keys hold one row
    char* data = static_cast<char*>(realloc(l->data, static_cast<size_t>(cap * elem_size)));
    if (data == nullptr) abort();
    l->data = data;
    l->cap = cap;
  }
  char* at = l->data + l->len * elem_size;
  memset(at, 0, static_cast<size_t>(elem_size));
  ++l->len;
  return at;
}

void flow_rows_truncate(FlowRowList* l, int64_t elem_size, int64_t n) {
  if (n >= l->len) return;
  l->len = n < 0 ? 0 : n;
  if (l->len == 0) {
    flow_rows_free(l);
  } else if (l->cap > 8 && l->len <= l->cap / 4) {
    // Mostly unused after a burst: give half back.
    int64_t cap = l->cap / 2;
    char* data = static_cast<char*>(realloc(l->data, static_cast<size_t>(cap * elem_size)));
    if (data != nullptr) {
      l->data = data;
      l->cap = cap;
    }
  }
}

void flow_rows_free(FlowRowList* l) {
  free(l->data);
  l->data = nullptr;
  l->len = 0;
  l->cap = 0;
}

}  // extern "C"
