// flowc/udf.h — for C++ functions called from a .flow pipeline
// (LANGUAGE.md 13 "C++ functions"; docs/udf.md).
//
//   # pipeline.flow
//   function is_view(event_type: string): bool from "views.cpp"
//
//   // views.cpp, next to pipeline.flow
//   #include <flowc/udf.h>
//   extern "C" bool is_view(FlowStr event_type) {
//     return event_type.len == 4 && memcmp(event_type.ptr, "view", 4) == 0;
//   }
//
// flowc compiles the file with clang++-19 (-std=c++20, the pipeline's -O
// level, this header's folder on the include path), checks that the
// extern "C" function has the declared signature, and inlines it into the
// pipeline. Types, .flow -> C:
//
//   int       -> int64_t
//   float     -> double
//   bool      -> bool
//   timestamp -> int64_t, milliseconds since 1970-01-01T00:00:00Z (UTC)
//   string    -> FlowStr, passed and returned by value
//
// A FlowStr is a view: `len` bytes at `ptr`, UTF-8 as the input gave them,
// not NUL-terminated, possibly holding NUL bytes. An argument's bytes are
// valid while the function runs; do not keep the pointer. A string result
// may point into an argument (a substring), at static bytes (a literal),
// or at memory from flow_udf_alloc; flowc copies it when it stores it.
//
// A function is assumed to be pure and not to fail: it may be called more
// than once for a record, or not at all when its result is not needed. An
// exception it lets escape, or a crash, ends the process.
#ifndef FLOWC_UDF_H
#define FLOWC_UDF_H

#include <stdint.h>

#include "flow_types.h"  // FlowStr, shared with flowc's standard library

#ifdef __cplusplus
extern "C" {
#endif

// `bytes` of memory (8-byte aligned, uninitialized) for a string result,
// valid until the current record has been processed (the runtime reuses it
// after each group of records). Never returns null: running out of memory
// ends the process. Free nothing: the memory goes back on its own.
void* flow_udf_alloc(int64_t bytes);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_UDF_H
