// stdlib/flow_stdlib.h — the standard library: plain extern "C" functions
// named by their types (flow_<area>_<name>_<types>). Compiled twice: to
// bitcode that is linked into every pipeline module, internalized and
// inlined, and natively for GoogleTest and the runtime.
//
// Conventions: strings are passed as (const char* p, int64_t n) pairs and
// returned through a FlowStr* out-parameter; functions that build a string
// take the FlowArena* they allocate from. Functions that can fail return
// int32_t 1 on success and 0 on failure (the record is then a bad record).
//
// More precisely:
//   - A function that builds new bytes takes `FlowArena* arena` FIRST and
//     `FlowStr* out` LAST. Functions that return a view into an argument
//     (trim, substr, split_part) take no arena: the result lives as long as
//     the argument does.
//   - Can-fail functions write their result through the LAST parameter
//     (`out`) and return 1/0; on failure `*out` is left unspecified.
//   - Predicates return int32_t 0/1 (the language's bool is i1: compare != 0).
//   - Type suffixes: i64 (int), f64 (float), bool, ts (timestamp, int64 ms),
//     str (string).
#ifndef FLOWC_STDLIB_FLOW_STDLIB_H
#define FLOWC_STDLIB_FLOW_STDLIB_H

#include <stdint.h>

#include "flow_types.h"

// Bitcode only (clang): a stdlib function marked so is inlined into every
// generated caller, so that the function pointers it is given (key lookup,
// equality, comparison) become direct calls and inline too.
#if defined(__clang__)
#define FLOW_INLINE_INTO_PIPELINE __attribute__((always_inline))
#else
#define FLOW_INLINE_INTO_PIPELINE
#endif

#ifdef __cplusplus
extern "C" {
#endif

// ---- text forms of values (LANGUAGE.md 3) ----
// Each writes into buf and returns the number of bytes written.
enum { FLOW_FORMAT_BUF = 40 };  // enough for any int, float or timestamp
int64_t flow_format_int(int64_t v, char* buf);
int64_t flow_format_float(double v, char* buf);       // shortest round trip
int64_t flow_format_timestamp(int64_t ms, char* buf); // 2026-11-24T08:51:06.123Z
// A duration as written in .flow files: the largest unit that is exact
// (60000 -> "1m", 1500 -> "1500ms"); the compiler and the runtime both
// print durations this way.
int64_t flow_format_duration(int64_t ms, char* buf);

// Parsing input text into values; 1 on success, 0 when the text is not a
// value of the type. `unit` for timestamps given as integers: 0 ms, 1 s, 2 us.
int32_t flow_parse_int(const char* s, int64_t n, int64_t* out);
int32_t flow_parse_float(const char* s, int64_t n, double* out);
int32_t flow_parse_bool(const char* s, int64_t n, int32_t* out);
int32_t flow_parse_timestamp(const char* s, int64_t n, int32_t unit,
                             int64_t* out);

// ---- heap memory, sorting, C strings (memory.cpp) ----
// What generated code needs of libc, so that it calls only the stdlib and
// the runtime ABI.
void* flow_mem_alloc(int64_t bytes);
void flow_mem_free(void* p);
// qsort: `compare` returns <0, 0, >0 for the items at its two addresses.
void flow_sort(void* items, int64_t count, int64_t item_size,
               int32_t (*compare)(const void*, const void*));
int64_t flow_cstr_len(const char* s);
// A NUL-terminated heap copy of n bytes, for the C strings of descriptors
// that a built program's `configure` computes from --param values (a
// connector path, a kafka option); kept for the rest of the process.
char* flow_cstr_dup(const char* p, int64_t n);

// ---- arena (arena.cpp) ----
// A zero-initialized FlowArena is a valid empty arena. Allocations are
// 8-byte aligned and never fail (out of memory aborts). The pointer for
// n == 0 may be null.
void* flow_arena_alloc(FlowArena* arena, int64_t n);
void* flow_arena_alloc_slow(FlowArena* arena, int64_t n);  // not inlined
// Forgets every allocation; keeps the largest block for reuse.
void flow_arena_reset(FlowArena* arena);
// Frees every block; the arena is then empty and still usable.
void flow_arena_free(FlowArena* arena);
// Copies n bytes into the arena (for strings stored in state or tables).
const char* flow_arena_copy(FlowArena* arena, const char* p, int64_t n);

// ---- strings (text.cpp), LANGUAGE.md 8 ----
int64_t flow_str_len(const char* p, int64_t n);
void flow_str_lower(FlowArena* arena, const char* p, int64_t n, FlowStr* out);
void flow_str_upper(FlowArena* arena, const char* p, int64_t n, FlowStr* out);
void flow_str_trim(const char* p, int64_t n, FlowStr* out);  // view
int32_t flow_str_contains(const char* p, int64_t n, const char* t, int64_t tn);
int32_t flow_str_starts_with(const char* p, int64_t n, const char* t,
                             int64_t tn);
int32_t flow_str_ends_with(const char* p, int64_t n, const char* t, int64_t tn);
// Bytes [start, start+count) clamped to [0, n]; negative start or count
// clamp to 0. A view.
void flow_str_substr(const char* p, int64_t n, int64_t start, int64_t count,
                     FlowStr* out);
// Every non-overlapping occurrence, left to right. An empty `from` returns
// s unchanged (a view, no copy); so does a string without occurrences.
void flow_str_replace(FlowArena* arena, const char* p, int64_t n,
                      const char* from, int64_t fn, const char* to, int64_t tn,
                      FlowStr* out);
// Part `index` (0-based) of s split on sep; "" when out of range (also for
// negative index). An empty sep does not split: part 0 is s. A view.
void flow_str_split_part(const char* p, int64_t n, const char* sep, int64_t sn,
                         int64_t index, FlowStr* out);
// `a + b` on strings, and the n-ary form for chains `a + b + c` (one copy).
void flow_str_concat(FlowArena* arena, const char* a, int64_t an,
                     const char* b, int64_t bn, FlowStr* out);
void flow_str_concat_n(FlowArena* arena, const FlowStr* parts, int64_t count,
                       FlowStr* out);
// Bytewise comparison (memcmp order, shorter prefix first): <0, 0, >0.
int32_t flow_str_cmp(const char* a, int64_t an, const char* b, int64_t bn);
int32_t flow_str_eq(const char* a, int64_t an, const char* b, int64_t bn);

// `explode` (LANGUAGE.md 6) iterates without allocating: *pos starts at 0
// and each call yields the next part as a view; 0 when there is none left.
// split(s, sep) is Python's s.split(sep): empty parts are kept, "" yields
// one empty part. words(s) splits on runs of ASCII whitespace, no empties.
int32_t flow_str_next_split(const char* p, int64_t n, const char* sep,
                            int64_t sn, int64_t* pos, FlowStr* out);
int32_t flow_str_next_word(const char* p, int64_t n, int64_t* pos,
                           FlowStr* out);

// A string value owned by keyed state (min/max/first/last of strings): the
// bytes are reused when the new value fits. Starts as {0, 0, 0}; its first
// two fields read as a FlowStr.
typedef struct FlowStrBuf {
  char* ptr;
  int64_t len;
  int64_t cap;
} FlowStrBuf;
void flow_strbuf_set(FlowStrBuf* buf, const char* p, int64_t n);
void flow_strbuf_free(FlowStrBuf* buf);
// A malloc'd copy of n bytes (string keys of tables whose slots are freed
// one by one, e.g. window panes); free with flow_bytes_free.
char* flow_bytes_dup(const char* p, int64_t n);
void flow_bytes_free(char* p);

// The open sessions of one key of `window session` (LANGUAGE.md 6.1): an
// array of fixed-size elements (elem_size bytes, a multiple of 8), each
// starting with int64 start and int64 last (its first and last record
// times), then the caller's fields. Sessions of one key never come within
// `gap` of each other, so the array is sorted by start and by last alike.
// A zero-initialized list is empty and valid.
typedef struct FlowSessionList {
  char* data;
  int64_t len;
  int64_t cap;
} FlowSessionList;
// The position of the first session with last >= t - gap (len when none).
// A record at t can only join that session and the one after it.
int64_t flow_sessions_lower(const FlowSessionList* s, int64_t elem_size, int64_t t,
                            int64_t gap);
// Inserts a zeroed element at pos (later ones move up) and returns it.
// Pointers to elements are invalid after an insert or an erase.
void* flow_sessions_insert(FlowSessionList* s, int64_t elem_size, int64_t pos);
// Removes the n elements from pos; the storage shrinks when mostly unused.
void flow_sessions_erase(FlowSessionList* s, int64_t elem_size, int64_t pos, int64_t n);
// Frees the storage; the list is then empty and still usable.
void flow_sessions_free(FlowSessionList* s);

// The rows one key holds in a stream–stream join (row_list.cpp): elements
// of elem_size bytes (a multiple of 8) in arrival order; the caller lays
// them out, compacts them in place (kept elements moved down) and then
// truncates. A zero-initialized list is empty and valid.
typedef struct FlowRowList {
  char* data;
  int64_t len;
  int64_t cap;
} FlowRowList;
// Appends a zeroed element and returns it; pointers to elements are invalid
// after an append.
void* flow_rows_append(FlowRowList* l, int64_t elem_size);
// Keeps the first n elements; the storage shrinks when mostly unused, and
// is freed when n is 0.
void flow_rows_truncate(FlowRowList* l, int64_t elem_size, int64_t n);
// Frees the storage; the list is then empty and still usable.
void flow_rows_free(FlowRowList* l);

// ---- numbers (number.cpp), LANGUAGE.md 5 and 8 ----
// abs of INT64_MIN wraps to INT64_MIN (ints wrap, LANGUAGE.md 3).
int64_t flow_num_abs_i64(int64_t v);
double flow_num_abs_f64(double v);
// floor/ceil/round on a float give a float. On an int they are the identity
// (the compiler need not call anything); round(int, digits) is below.
double flow_num_floor_f64(double v);
double flow_num_ceil_f64(double v);
double flow_num_round_f64(double v);  // half away from zero
// Rounds to `digits` decimals (negative: tens, hundreds...), half away from
// zero on the decimal scaled value; NaN/inf unchanged.
double flow_num_round_digits_f64(double v, int64_t digits);
// round(int, digits): digits >= 0 is the identity; digits < 0 rounds to a
// multiple of 10^-digits half away from zero (0 beyond 10^18; wraps).
int64_t flow_num_round_digits_i64(int64_t v, int64_t digits);
double flow_num_sqrt_f64(double v);   // NaN for negatives (no failure)
double flow_num_ln_f64(double v);     // -inf for 0, NaN for negatives
double flow_num_log10_f64(double v);
double flow_num_exp_f64(double v);
double flow_num_pow_f64(double x, double y);
// Integer `//` (floor) and `%` (sign of the dividend, C's %). Fail (0) when
// b == 0; INT64_MIN // -1 wraps to INT64_MIN and INT64_MIN % -1 is 0.
int32_t flow_int_floordiv(int64_t a, int64_t b, int64_t* out);
int32_t flow_int_mod(int64_t a, int64_t b, int64_t* out);

// ---- conversions (convert.cpp), LANGUAGE.md 8 ----
// int(x): floats truncate toward zero; NaN and values outside int64 fail.
int32_t flow_conv_int_f64(double v, int64_t* out);
int32_t flow_conv_int_str(const char* p, int64_t n, int64_t* out);  // strict
int32_t flow_conv_float_str(const char* p, int64_t n, double* out);
// string(x): the output text form. bool needs no arena (constant text)
// but takes one for a uniform signature.
void flow_conv_string_i64(FlowArena* arena, int64_t v, FlowStr* out);
void flow_conv_string_f64(FlowArena* arena, double v, FlowStr* out);
void flow_conv_string_bool(FlowArena* arena, int32_t v, FlowStr* out);
void flow_conv_string_ts(FlowArena* arena, int64_t ms, FlowStr* out);
// timestamp(x): from int (epoch ms, the identity) or text (an integer of
// epoch ms, or RFC 3339 text as flow_parse_timestamp with unit ms).
int32_t flow_conv_timestamp_str(const char* p, int64_t n, int64_t* out);

// ---- time (time.cpp), all UTC, proleptic Gregorian ----
enum { FLOW_MS_PER_DAY = 86400000 };
int64_t flow_time_year(int64_t ms);
int64_t flow_time_month(int64_t ms);        // 1..12
int64_t flow_time_day(int64_t ms);          // 1..31
int64_t flow_time_hour(int64_t ms);         // 0..23
int64_t flow_time_minute(int64_t ms);       // 0..59
int64_t flow_time_second(int64_t ms);       // 0..59
int64_t flow_time_day_of_week(int64_t ms);  // 1 = Monday .. 7 = Sunday
// Rounds down to a multiple of duration_ms (counted from the epoch; floors
// for negatives too). duration_ms <= 0 returns ms unchanged. Wraps near
// INT64_MIN.
int64_t flow_time_floor(int64_t ms, int64_t duration_ms);
// Days since 1970-01-01 <-> civil date (Howard Hinnant's algorithms).
int64_t flow_time_days_from_civil(int64_t y, int64_t m, int64_t d);
void flow_time_civil_from_days(int64_t days, int64_t* y, int64_t* m,
                               int64_t* d);

// ---- timestamps in a given text form (time_format.cpp), LANGUAGE.md 13 ----
// A strptime format (%Y %m %d %H %M %S %f %z %b %j %s %%) compiled into
// steps: op[i] is a directive letter, or 0 for the literal byte literal[i].
// The compiler compiles each constant format once and embeds the result.
enum { FLOW_TIME_FORMAT_MAX = 64 };  // steps: directives plus literal bytes
typedef struct FlowTimeFormat {
  int32_t count;
  uint8_t op[FLOW_TIME_FORMAT_MAX];
  uint8_t literal[FLOW_TIME_FORMAT_MAX];
} FlowTimeFormat;
enum FlowTimeFormatError {
  FLOW_TIME_FORMAT_OK = 0,
  FLOW_TIME_FORMAT_UNKNOWN = 1,           // %y, %B, ...: not in the list
  FLOW_TIME_FORMAT_TRAILING_PERCENT = 2,  // "...%"
  FLOW_TIME_FORMAT_REPEATED = 3,          // %Y twice, or %m and %b
  FLOW_TIME_FORMAT_TOO_LONG = 4,          // more than FLOW_TIME_FORMAT_MAX steps
  FLOW_TIME_FORMAT_EPOCH_MIXED = 5,       // %s with anything but %f
  FLOW_TIME_FORMAT_YEAR_DAY_MIXED = 6,    // %j with %m, %b or %d
};
// Returns FLOW_TIME_FORMAT_OK, or an error with *error_at the byte offset
// in fmt where it was found (-1 when it is about the whole format).
int32_t flow_time_format_compile(const char* fmt, int64_t n, FlowTimeFormat* out,
                                 int64_t* error_at);
const char* flow_time_format_error_text(int32_t code);
// The whole text must match: 1 and *out (epoch ms) on success, else 0.
// Missing date parts are 1970-01-01, missing time parts 0, no %z is UTC;
// %f takes 1-9 digits, truncated to ms; %z takes Z, +hhmm or +hh:mm.
int32_t flow_time_parse(const FlowTimeFormat* f, const char* s, int64_t n, int64_t* out);

// ---- the rows `top N` keeps (top_n.cpp), LANGUAGE.md 13 ----
// A bounded heap of fixed-size rows laid out by the compiler; `cmp` returns
// <0 when row a ranks before row b. A zero FlowTopN is empty.
typedef int32_t (*FlowRowCmp)(const void* a, const void* b);
typedef struct FlowTopN {
  char* rows;  // `capacity` rows; a heap whose root is the kept row ranking last
  int64_t count;
  int64_t capacity;
} FlowTopN;
// Where to write `candidate` (laid out as a row) so that the best `limit`
// rows are kept: a new zeroed row, or the row it evicts (*replaced = 1: free
// what that row owns first); null when it ranks after all `limit` kept rows.
// Call flow_topn_settle once the row is written.
void* flow_topn_offer(FlowTopN* t, const void* candidate, int64_t row_bytes, int64_t limit,
                      FlowRowCmp cmp, int32_t* replaced);
void flow_topn_settle(FlowTopN* t, void* row, int64_t row_bytes, FlowRowCmp cmp);
// Sorts the kept rows best first; the heap is then spent: clear it next.
void flow_topn_sort(FlowTopN* t, int64_t row_bytes, FlowRowCmp cmp);
int64_t flow_topn_count(const FlowTopN* t);
void* flow_topn_row(FlowTopN* t, int64_t i, int64_t row_bytes);
void flow_topn_clear(FlowTopN* t);  // keeps the memory
void flow_topn_free(FlowTopN* t);

// ---- hashing (hash.cpp): stable 64-bit, little-endian byte order ----
// Equal values hash equal: -0.0 and 0.0 hash alike, every NaN alike.
// `hash(x, y, ...)` = flow_hash_combine(...flow_hash_combine(hx, hy)...).
// The language's `int` result is the same 64 bits read as signed.
uint64_t flow_hash_u64(uint64_t v);
uint64_t flow_hash_i64(int64_t v);
uint64_t flow_hash_f64(double v);
uint64_t flow_hash_bool(int32_t v);
uint64_t flow_hash_ts(int64_t ms);
uint64_t flow_hash_str(const char* p, int64_t n);
uint64_t flow_hash_combine(uint64_t a, uint64_t b);  // order matters

// ---- structure finding (scan_*.cpp), one bit per input byte ----
// The text scanners (JSON strings, CSV fields, words()) find the bytes that
// matter 16-64 at a time with these index kernels, then walk the bits.
// CPU levels, picked at run time by flow_simd_level (scan_level.cpp says
// which kernel each level runs); built programs run on any x86-64.
enum FlowSimdLevel {
  FLOW_SIMD_SWAR = 1,    // 64-bit integers, any CPU
  FLOW_SIMD_SSE2 = 2,    // every x86-64
  FLOW_SIMD_AVX2 = 3,
  FLOW_SIMD_AVX512 = 4,  // AVX-512BW
};
enum FlowScanClass {
  FLOW_SCAN_JSON = 0,   // '"', '\\', bytes < 0x20 and >= 0x80 (a JSON string's stops)
  FLOW_SCAN_CSV = 1,    // the delimiter `arg` and '"'
  FLOW_SCAN_SPACE = 2,  // ASCII whitespace: ' ', \t, \n, \v, \f, \r
  FLOW_SCAN_BYTE = 3,   // the byte `arg` (record terminators)
};
// Flags the bytes of class `cls` in [p, p + min(n, 64 * words)): bit j of
// out[i] is byte p[64 i + j]. Bits for positions at or past n are set, so a
// search for the next flag stops at the end. Returns the words written
// (ceil(min(n, 64 words) / 64)). Never reads outside [p, p + n) except
// within the 4 KiB page of p + n - 1.
int64_t flow_scan_index(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                        int64_t words);
// The same, one CPU level each (tests call them directly; the SSE2, AVX2
// and AVX-512 ones only exist on x86-64 and must only run where the CPU
// has them).
int64_t flow_scan_index_swar(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                             int64_t words);
int64_t flow_scan_index_sse2(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                             int64_t words);
int64_t flow_scan_index_avx2(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                             int64_t words);
int64_t flow_scan_index_avx512(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                               int64_t words);
// The level flow_scan_index uses: the CPU's best, capped by the FLOWC_SIMD
// environment variable (swar, sse2, avx2, avx512), read at the first call.
int32_t flow_simd_level(void);
int32_t flow_simd_detect(void);     // reads the CPU and FLOWC_SIMD again
int32_t flow_simd_cpu_level(void);  // the CPU's best level, uncapped
// Forces a level (capped by the CPU's): tests of each path. Tests restore
// the usual one with flow_simd_set_level(flow_simd_detect()).
void flow_simd_set_level(int32_t level);

// ---- CSV (csv.cpp) ----
// Splits ONE record (already cut by the runtime; may hold quoted newlines)
// into fields, RFC 4180. Returns the column count, which may exceed
// max_cols (then only the first max_cols are filled), or -1 for an unclosed
// quote. Fields are views into p, except quoted fields with doubled quotes,
// which are unescaped into the arena. A trailing '\r' is dropped. Text after
// a closing quote is kept literally (`"a"b` -> `ab`, like Python's csv).
int64_t flow_csv_split(const char* p, int64_t n, int32_t delim, FlowStr* cols,
                       int64_t max_cols, FlowArena* arena);
// The same, incrementally and only as far as asked: fills cols[count ..
// upto) (count: the fields found so far, 0 at first) and returns the new
// count, which is below `upto` only when the record has no more fields, or
// -1 for an unclosed quote among the fields split. Fields equal
// flow_csv_split's. Zero-initialize the state for each record. The index
// of delimiters and quotes is built FLOW_CSV_INDEX_WORDS * 64 bytes at a
// time. A record's later unclosed quote goes unnoticed: the runtime's
// splitter never hands over such a record (it reports it itself).
enum { FLOW_CSV_INDEX_WORDS = 8 };
typedef struct FlowCsvSplit {
  int64_t pos;    // where the next field starts; past the end when used up
  int64_t count;  // fields found so far
  int64_t ix_from, ix_to;
  uint64_t ix[FLOW_CSV_INDEX_WORDS];
} FlowCsvSplit;
int64_t flow_csv_split_more(FlowCsvSplit* s, const char* p, int64_t n, int32_t delim, FlowStr* cols,
                            int64_t upto, FlowArena* arena);
// A quoted field at p[i] (p[i] is '"'): its view (or, with `copy`, its
// unescaped copy in the arena) into *field; returns the index just past it
// (at the delimiter or n), or -1 for an unclosed quote. Native code only.
int64_t flow_csv_quoted_field(const char* p, int64_t n, int64_t i, int32_t delim, int32_t copy,
                              FlowArena* arena, FlowStr* field);
// Raw filters (compiler/plan/raw_filter.h): 1 when the ln bytes of lit
// occur in [p, p + n).
int32_t flow_bytes_contain(const char* p, int64_t n, const char* lit, int64_t ln);

// ---- JSON lines (json.cpp) ----
enum { FLOW_JSON_MAX_DEPTH = 1000 };  // LANGUAGE.md 12
enum FlowJsonKind {
  FLOW_JSON_MISSING = 0,
  FLOW_JSON_STRING = 1,  // value: the unescaped UTF-8 bytes
  FLOW_JSON_NUMBER = 2,  // value: the number's raw text (JSON grammar)
  FLOW_JSON_TRUE = 3,    // value: "true"
  FLOW_JSON_FALSE = 4,   // value: "false"
  FLOW_JSON_NULL = 5,    // value: "null"
  FLOW_JSON_NESTED = 6,  // value: the raw text of the object or array
};
enum FlowJsonError {
  FLOW_JSON_OK = 0,
  FLOW_JSON_MALFORMED = 1,
  FLOW_JSON_NOT_OBJECT = 2,    // valid start, but not an object at the top
  FLOW_JSON_INVALID_UTF8 = 3,  // also a lone surrogate \uD800 escape
  FLOW_JSON_TOO_DEEP = 4,      // more than FLOW_JSON_MAX_DEPTH levels
};
// Scans ONE top-level object (surrounding whitespace allowed) and, for
// each wanted name (exact bytes after unescaping the key), sets kinds[i]
// and values[i]; a duplicate key: the last one wins. Every value is
// validated, ignored ones included. On error the outputs are unspecified.
// Values are views into p, except strings with escapes (in the arena).
int32_t flow_json_fields(const char* p, int64_t n, const FlowStr* names,
                         int64_t name_count, FlowStr* values, int32_t* kinds,
                         FlowArena* arena);
// The same, with `fast` 0: the full scanner alone, without the fast path
// for flat objects (tests and the JSON fuzzer compare the two).
int32_t flow_json_fields_path(const char* p, int64_t n, const FlowStr* names, int64_t name_count,
                              FlowStr* values, int32_t* kinds, FlowArena* arena, int32_t fast);
// The same with the names matched by `lookup(key, len)`: the index of the
// field, or -1 for a key nobody reads. Generated code passes a function
// specialised to the schema (compare the length, then words of the name),
// and this call is always inlined so that the lookup is too.
// `layout` (per source, zero-initialized; may be null) holds the layout of
// a recent record: a record of the same layout (keys in the same order,
// the same bytes between values) is read by comparing those bytes whole,
// no key looked up. Every record is still validated completely.
enum { FLOW_JSON_LAYOUT_MEMBERS = 32, FLOW_JSON_LAYOUT_BYTES = 512 };
typedef struct FlowJsonLayoutMember {
  int32_t sep_at, sep_len;  // the bytes before the value, in `bytes`
  int32_t kind;             // FlowJsonKind of the value
  int32_t index;            // lookup's answer for the key, or -1
  // The separator's first and last 8 bytes (up to 16 bytes are compared
  // as two words; a shorter one is masked: `mask` keeps its bytes).
  uint64_t head, last, mask;
} FlowJsonLayoutMember;
typedef struct FlowJsonLayout {
  int32_t members;  // 0: none learned yet
  int32_t tail_at, tail_len;  // the bytes after the last value
  FlowJsonLayoutMember member[FLOW_JSON_LAYOUT_MEMBERS];
  char bytes[FLOW_JSON_LAYOUT_BYTES];
} FlowJsonLayout;
typedef int64_t (*FlowJsonKeyFn)(const char* key, int64_t len);
int32_t flow_json_scan(const char* p, int64_t n, FlowJsonKeyFn lookup, FlowStr* values,
                       int32_t* kinds, int64_t count, FlowArena* arena, FlowJsonLayout* layout);
// flow_json_scan in two steps: the layout path alone (1 when it read the
// record), then everything else (the flat scan, which learns the layout, and
// the full scanner). The second is native code only (json_full.cpp): the
// records the layout does not fit cost a call, and `flowc run` does not
// compile that code for every pipeline (issue 21: ~90 ms of LLVM per
// JSON source).
int32_t flow_json_scan_layout(const char* p, int64_t n, FlowStr* values, int32_t* kinds,
                              int64_t count, FlowJsonLayout* layout);
int32_t flow_json_scan_rest(const char* p, int64_t n, FlowJsonKeyFn lookup, FlowStr* values,
                            int32_t* kinds, int64_t count, FlowArena* arena,
                            FlowJsonLayout* layout);
// The full scanner alone (flow_json_scan falls back to it): native code
// only (json_full.cpp), compiled once rather than into every pipeline.
int32_t flow_json_scan_full(const char* p, int64_t n, FlowJsonKeyFn lookup, FlowStr* values,
                            int32_t* kinds, int64_t count, FlowArena* arena);
const char* flow_json_error_text(int32_t code);  // "malformed JSON" ...
// The offset of the first byte of p that is not valid UTF-8 (RFC 3629: no
// overlongs, surrogates or code points past U+10FFFF), or -1.
int64_t flow_utf8_invalid_at(const char* p, int64_t n);

// ---- keyed-state hash table (hash_table.cpp) ----
// Open addressing, linear probing, power-of-two capacity. Every slot is
// `slot_size` bytes (a multiple of 8) starting with the uint64_t stored hash
// (0 = empty; hash 0 is stored as 1). New slots come back zeroed except the
// hash: the caller writes key and initial values. Growth moves slots: a slot
// pointer is valid only until the next find_or_insert.
typedef struct FlowHashTable {
  uint8_t* slots;
  uint64_t mask;       // capacity - 1
  int64_t count;
  int64_t slot_size;
  int64_t grow_at;     // count that triggers growth (max load factor)
} FlowHashTable;
typedef int32_t (*FlowHtEq)(const void* slot, const void* key);

FlowHashTable* flow_ht_create(int64_t slot_size, int64_t initial_capacity);
void flow_ht_destroy(FlowHashTable* ht);
void flow_ht_clear(FlowHashTable* ht);  // keeps the capacity
void* flow_ht_find_or_insert(FlowHashTable* ht, uint64_t hash, const void* key,
                             FlowHtEq eq, int32_t* inserted);
// The same, never inlined: one shared copy for code that runs once
// (restoring a checkpoint), whose compile time would be wasted on its own.
void* flow_ht_find_or_insert_cold(FlowHashTable* ht, uint64_t hash, const void* key, FlowHtEq eq,
                                  int32_t* inserted);
void flow_ht_grow(FlowHashTable* ht);  // not inlined; doubles the capacity
// Growing in parallel (runtime flow_ht_reserve_parallel): the capacity
// the table grows to while `keys` keys are inserted (at least its own);
// the move of old slots [lo, hi) into zeroed `to_slots` of `to_capacity`
// (safe with other threads moving other ranges into the same slots); and
// the table taking those slots over (its old ones freed; malloc'd memory).
int64_t flow_ht_capacity_for(const FlowHashTable* ht, int64_t keys);
void flow_ht_move_range(const FlowHashTable* ht, void* to_slots, int64_t to_capacity, int64_t lo,
                        int64_t hi);
void flow_ht_take_slots(FlowHashTable* ht, void* slots, int64_t capacity);
// Inserting keys known to be absent on several threads at once, with room
// made beforehand (no growth): the first free slot from the hash's home,
// claimed atomically (its hash set; the rest zero, for the caller to fill);
// the count then raised once, by the keys inserted (not thread-safe).
void* flow_ht_claim(FlowHashTable* ht, uint64_t hash);
void flow_ht_add_count(FlowHashTable* ht, int64_t n);
// Starts fetching the slot where a probe for `hash` begins (ht may be
// null): loops that probe for keys known in advance (merging partial
// states) overlap their cache misses.
void flow_ht_prefetch(const FlowHashTable* ht, uint64_t hash);
// Starts fetching the `bytes` at the pointer stored at offset `at` of the
// slot where a probe for `hash` begins, when that slot holds `hash` (a
// lookup table's entry: lookup_table.h). Call it once the slot is cached
// (after flow_ht_prefetch), so that it costs no miss of its own.
void flow_ht_prefetch_entry(const FlowHashTable* ht, uint64_t hash, int64_t at, int64_t bytes);
void* flow_ht_find(const FlowHashTable* ht, uint64_t hash, const void* key,
                   FlowHtEq eq);  // null when absent
// Removes the slot (a pointer from find / find_or_insert / slot_at) by
// backward-shift deletion: later slots of its cluster may move.
void flow_ht_erase(FlowHashTable* ht, void* slot);
int64_t flow_ht_count(const FlowHashTable* ht);
// String key equality for generated eq callbacks: word loads that never
// read outside either string (the last word overlaps), no memcmp call; a
// key of up to 16 bytes is two loads a side.
int32_t flow_key_eq_str(const char* a, int64_t an, const char* b, int64_t bn);
// A string key in a slot: the view (its bytes in the table's arena) and its
// first 16 bytes inline, zero-padded, so that comparing a probe with a slot
// reads no key bytes out of the slot for keys of up to 16 bytes (two
// loads), and only the rest for longer ones.
typedef struct FlowKeyStr {
  const char* ptr;
  int64_t len;
  uint64_t head[2];
} FlowKeyStr;
void flow_key_str_head(const char* p, int64_t n, uint64_t* head);
int32_t flow_key_str_eq(const void* a, const void* b);  // two FlowKeyStr
// Bytewise order of two FlowKeyStr (flow_str_cmp's), from the heads while
// they differ: <0, 0, >0.
int32_t flow_key_str_cmp(const void* a, const void* b);
// Sorts n pointers with cmp (qsort's convention: cmp gets pointers to two
// elements). Inlined into the caller with cmp, unlike qsort's indirect
// call per comparison. Not stable: for keys, which are unique.
void flow_sort_ptrs(void** items, int64_t n, int32_t (*cmp)(const void*, const void*));
// Iteration: for i in [0, capacity) the slot is used when its hash != 0.
// Do not erase while iterating this way: use flow_ht_erase_if.
int64_t flow_ht_capacity(const FlowHashTable* ht);
void* flow_ht_slot_at(const FlowHashTable* ht, int64_t i);
int32_t flow_ht_slot_used(const void* slot);
// Erases every slot for which pred returns nonzero, visiting each live slot
// exactly once; returns the number erased (expiry of keyed state).
int64_t flow_ht_erase_if(FlowHashTable* ht,
                         int32_t (*pred)(void* slot, void* ctx), void* ctx);

// ---- exact distinct-value sets for count_distinct (distinct.cpp) ----
// One set holds either 64-bit values (ints, timestamps, bools, floats via
// their own insert) or strings (copied into the set's arena).
enum { FLOW_DISTINCT_U64 = 0, FLOW_DISTINCT_STR = 1 };
typedef struct FlowDistinctSet {
  void* slots;        // uint64_t values, or FlowDistinctStrSlot
  uint64_t mask;
  int64_t count;      // values in slots (the zero value is counted apart)
  int32_t kind;
  int32_t has_zero;   // U64: value 0 is not stored in slots (0 = empty)
  FlowArena arena;    // STR: the bytes
} FlowDistinctSet;

FlowDistinctSet* flow_distinct_create(int32_t kind);
void flow_distinct_free(FlowDistinctSet* set);
int32_t flow_distinct_insert_u64(FlowDistinctSet* set, uint64_t v);  // 1 = new
int32_t flow_distinct_insert_f64(FlowDistinctSet* set, double v);  // -0 == 0
int32_t flow_distinct_insert_str(FlowDistinctSet* set, const char* p,
                                 int64_t n);
int64_t flow_distinct_size(const FlowDistinctSet* set);
// Inserts every value of src into dst (same kind); src is unchanged.
void flow_distinct_merge(FlowDistinctSet* dst, const FlowDistinctSet* src);
// For checkpoints: visits every value (U64 or STR form by the set's kind).
void flow_distinct_for_each_u64(const FlowDistinctSet* set,
                                void (*fn)(uint64_t v, void* ctx), void* ctx);
void flow_distinct_for_each_str(const FlowDistinctSet* set,
                                void (*fn)(const char* p, int64_t n, void* ctx),
                                void* ctx);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_STDLIB_FLOW_STDLIB_H
