// stdlib/flow_stdlib.h — the standard library: plain extern "C" functions
// named by their types (flow_<area>_<name>_<types>). Compiled twice: to
// bitcode that is linked into every pipeline module, internalized and
// inlined, and natively for GoogleTest and the runtime.
//
// Conventions: strings are passed as (const char* p, int64_t n) pairs and
// returned through a FlowStr* out-parameter; functions that build a string
// take the FlowArena* they allocate from. Functions that can fail return
// int32_t 1 on success and 0 on failure (the record is then a bad record).
#ifndef FLOWC_STDLIB_FLOW_STDLIB_H
#define FLOWC_STDLIB_FLOW_STDLIB_H

#include <stdint.h>

#include "flow_types.h"

#ifdef __cplusplus
extern "C" {
#endif

// ---- text forms of values (LANGUAGE.md 3) ----
// Each writes into buf and returns the number of bytes written.
enum { FLOW_FORMAT_BUF = 40 };  // enough for any int, float or timestamp
int64_t flow_format_int(int64_t v, char* buf);
int64_t flow_format_float(double v, char* buf);       // shortest round trip
int64_t flow_format_timestamp(int64_t ms, char* buf); // 2026-11-24T08:51:06.123Z
int64_t flow_format_bool(int32_t v, char* buf);

// Parsing input text into values; 1 on success, 0 when the text is not a
// value of the type. `unit` for timestamps given as integers: 0 ms, 1 s, 2 us.
int32_t flow_parse_int(const char* s, int64_t n, int64_t* out);
int32_t flow_parse_float(const char* s, int64_t n, double* out);
int32_t flow_parse_bool(const char* s, int64_t n, int32_t* out);
int32_t flow_parse_timestamp(const char* s, int64_t n, int32_t unit,
                             int64_t* out);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_STDLIB_FLOW_STDLIB_H
