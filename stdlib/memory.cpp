// stdlib/memory.cpp — heap memory and sorting for generated code. Generated
// code calls nothing of libc directly: what it needs of it is here, so the
// list of what a pipeline may call stays the stdlib's and the runtime ABI's.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

extern "C" {

void* flow_mem_alloc(int64_t bytes) { return malloc(static_cast<size_t>(bytes)); }

void flow_mem_free(void* p) { free(p); }

void flow_sort(void* items, int64_t count, int64_t item_size,
               int32_t (*compare)(const void*, const void*)) {
  qsort(items, static_cast<size_t>(count), static_cast<size_t>(item_size),
        reinterpret_cast<int (*)(const void*, const void*)>(compare));
}

int64_t flow_cstr_len(const char* s) { return static_cast<int64_t>(strlen(s)); }

char* flow_cstr_dup(const char* p, int64_t n) {
  char* out = static_cast<char*>(malloc(static_cast<size_t>(n) + 1));
  if (out == nullptr) abort();
  if (n > 0) memcpy(out, p, static_cast<size_t>(n));
  out[n] = '\0';
  return out;
}

}  // extern "C"
