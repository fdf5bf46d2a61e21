// runtime/abi.h — the C ABI between generated pipeline code and the runtime.
//
// This header is the only list of runtime symbols that JIT-compiled or AOT
// code may call (stdlib/flow_stdlib.h lists the inlined helpers), and the
// only definition of the structs they share. runtime/abi_symbols.cpp lists
// every function once, by name: the JIT gives exactly those symbols to ORC,
// and the same file is compiled to bitcode into the stdlib module
// (stdlib/CMakeLists.txt), so that codegen takes every function type and
// struct type below from this header as clang compiled it — never from a
// copy. Codegen names struct fields by their C offset (offsetof), checked
// against the bitcode's layout (compiler/codegen/cg_context.h, abi_field).
// Adding a function here means adding one line to abi_symbols.cpp.
//
// Value representation in generated code:
//   bool -> i1 (i8 in memory), int -> i64, float -> double,
//   timestamp -> i64 (ms since the epoch), string -> {const char*, i64}.
#ifndef FLOWC_RUNTIME_ABI_H
#define FLOWC_RUNTIME_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "flow_types.h"  // FlowStr, FlowArena (stdlib/)
#include "udf.h"         // flow_udf_alloc, called by C++ functions (LANGUAGE.md 13)

#ifdef __cplusplus
extern "C" {
#endif

typedef struct FlowContext FlowContext;  // opaque: one running pipeline

// One raw input record: bytes without the line terminator. For CSV a record
// may span lines (quoted newlines); `line` is the line its first byte is on.
typedef struct FlowRecord {
  const char* ptr;
  int64_t len;
  int64_t line;    // 1-based line number (Kafka: the offset)
  int64_t offset;  // byte offset of the record in its input
} FlowRecord;

// What generated code may read about the current batch.
typedef struct FlowBatch {
  int64_t start_ms;            // processing time: the batch start (now())
  int64_t watermark_at_start;  // INT64_MIN until the first advance
  int64_t number;              // 0-based batch counter
  int64_t end_ms;              // at end_batch: the wall clock when the batch
                               // ended (processing-time windows fire up to it)
} FlowBatch;

enum FlowSourceKind {
  FLOW_SOURCE_FILE = 0,
  FLOW_SOURCE_STDIN = 1,
  FLOW_SOURCE_SOCKET = 2,
  FLOW_SOURCE_GENERATE = 3,
  FLOW_SOURCE_KAFKA = 4,
  FLOW_SOURCE_DIR = 5,  // dir(): a folder's files (`path`, `pattern`, `follow`)
};

// A `table` (LANGUAGE.md 4) is described as a FlowSourceDesc whose `kind`
// has this bit set (FLOW_SOURCE_FILE | FLOW_SOURCE_TABLE_BIT). The runtime
// reads such a source to its end before the first batch, passing its records
// to its `process` function with the first batch's FlowBatch, so that every
// join probe sees the whole table. Its bad records follow its on_error.
enum { FLOW_SOURCE_TABLE_BIT = 0x100 };

enum FlowFormat {
  FLOW_FORMAT_CSV = 0,
  FLOW_FORMAT_JSON = 1,
  FLOW_FORMAT_LINES = 2,
  FLOW_FORMAT_REGEX = 3,
  FLOW_FORMAT_TABLE = 4,    // sinks only
  FLOW_FORMAT_DEFAULT = 5,  // sinks only: chosen at run time (stdout: tty?)
};

enum FlowOnError {
  FLOW_ON_ERROR_SKIP = 0,
  FLOW_ON_ERROR_FAIL = 1,
  FLOW_ON_ERROR_DEAD_LETTER = 2,
};

enum FlowType {
  FLOW_TYPE_BOOL = 0,
  FLOW_TYPE_INT = 1,
  FLOW_TYPE_FLOAT = 2,
  FLOW_TYPE_STRING = 3,
  FLOW_TYPE_TIMESTAMP = 4,
  // Params only (`param NAME: duration`): an int64 of milliseconds in its
  // slot, set by --param as a duration literal (250ms, 10s, 5m, 2h, 1d).
  FLOW_TYPE_DURATION = 5,
};

enum FlowSinkKind {
  FLOW_SINK_STDOUT = 0,
  FLOW_SINK_FILE = 1,
  FLOW_SINK_KAFKA = 2,
};

typedef struct FlowColumn {
  const char* name;
  int32_t type;  // enum FlowType
} FlowColumn;

// Generated per-source batch functions. `process` receives raw records of a
// text source; `generate` receives the `value` range [first, first+count) of
// a generate() source (the generated code computes ts = start + value*step).
typedef void (*FlowProcessFn)(FlowContext* ctx, const FlowBatch* batch,
                              const FlowRecord* records, int64_t count);
typedef void (*FlowGenerateFn)(FlowContext* ctx, const FlowBatch* batch,
                               int64_t first, int64_t count);
// Called once per batch after every source's records: fire windows, emit
// state rows. `final` is 1 when every source has ended.
typedef void (*FlowEndBatchFn)(FlowContext* ctx, const FlowBatch* batch,
                               int32_t final);

typedef struct FlowSourceDesc {
  const char* name;
  int32_t kind;    // enum FlowSourceKind
  int32_t format;  // enum FlowFormat
  const char* path;  // file path, or "host:port" for socket
  int32_t follow;
  int32_t csv_header;
  int32_t csv_delimiter;
  int32_t timestamp_unit;  // 0 ms, 1 s, 2 us
  const char* regex;       // FLOW_FORMAT_REGEX: the pattern
  const FlowColumn* fields;  // the schema, in declaration order
  int32_t field_count;
  int64_t gen_count, gen_rate, gen_start, gen_step;
  int32_t on_error;  // enum FlowOnError
  const char* dead_letter_path;
  FlowProcessFn process;
  FlowGenerateFn generate;
  // Connector options as NAME, VALUE pairs (kafka: brokers, topic, group,
  // start, stop_at_end and the dotted librdkafka properties, all as text).
  const char* const* options;
  int32_t option_count;  // pairs
  // With `event_time`: the generated module's largest event time seen so
  // far (a global that `process` raises and end_batch reads; NULL without
  // event time). A kafka source keeps one per partition by setting it
  // around each partition's records, and before end_batch sets it to the
  // time its watermark rule allows (source_kafka.cpp).
  int64_t* max_event_time;
  // With `event_time`: the source's watermark (a global of the generated
  // module that end_batch advances; metrics read it). NULL without.
  const int64_t* watermark;
  // Kafka: 1 when keyed state downstream is kept per partition of this
  // source (FlowPipeline.snapshot_partition): the source then keeps it in
  // its changelog topic (option "changelog") and moves it with the
  // partitions (runtime/kafka_changelog.h).
  int32_t partitioned_state;
  // FLOW_SOURCE_DIR: the file name pattern (fnmatch, "*" when empty).
  const char* pattern;
  // 1 when the source's morsels may run on any worker thread (--threads):
  // every stateful operator its records reach combines exactly (codegen
  // decides; runtime/worker.h). 0: the batch-loop thread runs them, in order.
  int32_t parallel;
} FlowSourceDesc;

typedef struct FlowSinkDesc {
  const char* name;  // the stream it writes
  int32_t kind;      // enum FlowSinkKind
  int32_t format;    // enum FlowFormat
  const char* path;
  const FlowColumn* columns;
  int32_t column_count;
  const char* const* options;  // as FlowSourceDesc::options (kafka sinks)
  int32_t option_count;
  int32_t has_key;  // kafka: rows carry a message key (flow_sink_key)
  int32_t csv_header;  // FLOW_FORMAT_CSV: write a header line (files, stdout)
  int32_t csv_delimiter;  // FLOW_FORMAT_CSV: the byte between fields
} FlowSinkDesc;

// A param (LANGUAGE.md 4): the runtime parses `--param NAME=VALUE` into
// `slot`, a global of the generated module of the param's type (i8 for bool,
// i64, double, FlowStr; i64 ms for a duration). JIT runs fold params into
// constants instead.
typedef struct FlowParamDesc {
  const char* name;
  int32_t type;  // enum FlowType
  void* slot;
  // Why --param for it is refused at run time (exit 2), or null: e.g. "part
  // of a regex pattern, which was compiled when this program was built".
  // Every other use follows --param (see `configure`).
  const char* fixed;
} FlowParamDesc;

// Checkpoints (LANGUAGE.md 10): generated code writes and reads back the
// state of every stateful operator through these opaque streams; the
// runtime owns the file format, source positions, sink lengths and CRC.
typedef struct FlowCkptWriter FlowCkptWriter;
typedef struct FlowCkptReader FlowCkptReader;
typedef void (*FlowSnapshotFn)(FlowContext* ctx, FlowCkptWriter* w);
// Returns 0 when the state does not read back (truncated or malformed).
typedef int32_t (*FlowRestoreFn)(FlowContext* ctx, FlowCkptReader* r);

// A keyed-state table (group by, update, window panes, sessions) and the
// stream it belongs to, for the state-keys metric (LANGUAGE.md 13): `table`
// is the generated global that holds the table (a stdlib FlowHashTable*,
// NULL until its first key).
// Keyed state per kafka partition (compiler/plan/partitioning.h): a table
// whose rows can come from a kafka source keeps, next to its `group by`
// keys, a hidden key: the id of the source partition the row came from,
// (source index << FLOW_PARTITION_SOURCE_SHIFT) | topic-partition
// (FlowRecord.offset of a kafka record: the topic's number among the
// source's topics in bits 32-47, the partition in the low 32 bits, so
// that partition 0 of two topics is two partitions); FLOW_NO_PARTITION for
// rows of other sources.
// These functions write, read back and drop the state of ONE partition
// id, every such table in stream order, for the changelog
// (runtime/kafka_changelog.h). snapshot_partition returns how many keys
// (slots) it wrote; restore_partition returns 0 when the bytes do not read
// back (the partition's state must have been dropped before).
enum { FLOW_PARTITION_SOURCE_SHIFT = 48, FLOW_NO_PARTITION = -1 };
typedef int64_t (*FlowPartitionSnapshotFn)(FlowContext* ctx, int64_t partition, FlowCkptWriter* w);
typedef int32_t (*FlowPartitionRestoreFn)(FlowContext* ctx, int64_t partition, FlowCkptReader* r);
typedef void (*FlowPartitionDropFn)(FlowContext* ctx, int64_t partition);

typedef struct FlowStateTable {
  int32_t stream;  // index into FlowPipeline.streams
  void* const* table;
  // Tables partitioned by key hash (flow_state_parts): worker slots
  // 0 .. parts-1 of `table` together hold the stage's keys; 0 means one.
  int32_t parts;
} FlowStateTable;

typedef struct FlowPipeline {
  const char* name;
  const FlowParamDesc* params;
  int32_t param_count;
  int64_t batch_ms;
  const FlowSourceDesc* sources;
  int32_t source_count;
  const FlowSinkDesc* sinks;
  int32_t sink_count;
  FlowEndBatchFn end_batch;
  uint64_t fingerprint;  // of sources, schemas, stages and sinks
  FlowSnapshotFn snapshot;
  FlowRestoreFn restore;
  const char* checkpoint_dir;   // `checkpoint "DIR"`, or null (--checkpoint wins)
  int64_t checkpoint_every_ms;  // `every D`, or 0: every batch
  // (batch_ms and checkpoint_every_ms may be set by `configure` from a
  // duration param: read them after it has run.)
  // The text the fingerprint is computed from (sources, schemas, stages,
  // sinks, one per line): stored in checkpoints so that a refused restart
  // can say what changed.
  const char* plan_text;
  // Built programs (LANGUAGE.md 13 "Params of every kind"): evaluates,
  // once the run options are parsed and before any source, table or sink
  // opens, everything the params decide — connector and format arguments
  // and kafka options into the descriptors above, batch_ms and
  // checkpoint_every_ms from duration params, schema defaults and initial
  // values into the module's globals — and checks the durations as the
  // compiler checks literals (positive; a window length a multiple of its
  // slide and, under processing time, of the batch interval:
  // `batch_option_ms` is --batch, or 0). Returns 0 after reporting a value
  // the pipeline cannot take (flow_param_error): the program exits 2.
  // Null when nothing depends on a param or on the batch interval.
  int32_t (*configure)(FlowContext* ctx, int64_t batch_option_ms);
  // Metrics (LANGUAGE.md 13): every stream's name, in declaration order
  // (flow_count_late's `stream` is an index into it), and every keyed-state
  // table of every stream.
  const char* const* streams;
  int32_t stream_count;
  const FlowStateTable* state_tables;
  int32_t state_table_count;
  // Keyed state per kafka partition (above); null when no table has it.
  FlowPartitionSnapshotFn snapshot_partition;
  FlowPartitionRestoreFn restore_partition;
  FlowPartitionDropFn drop_partition;
  // 1 when such state also changes at batch ends without records of its
  // partition (windows fire, sessions close, `expire after` removes keys):
  // a partition whose state is not empty is then written to the changelog
  // at every commit point, not only when it read records.
  int32_t partition_timers;
  // --threads (runtime/worker.h): folds the thread-local state of worker
  // `worker` (1 .. threads-1) — partial tables, event-time maxima — into
  // worker 0's, and empties it. Called at each batch's end, after every
  // morsel ran and before end_batch; exact, so the order does not matter.
  // Null when no source runs in parallel.
  void (*merge)(FlowContext* ctx, int32_t worker);
  // Before merge, on every worker thread at once (part 0 .. parts-1 of
  // each partial table): folds the groups of worker `worker`'s partial
  // state that worker 0's state already holds (no insertion, so no two
  // threads write one slot); merge then inserts the rest. Null: merge
  // does it all.
  void (*merge_found)(FlowContext* ctx, int32_t worker, int32_t part, int32_t parts);
} FlowPipeline;

// Generated state that a worker thread updates for itself is kept per
// worker, in slots 0 .. FLOW_MAX_WORKERS-1 (slot 0 is the pipeline's own
// state, which end_batch fires and checkpoints write); --threads is capped
// at this. Slots sit FLOW_WORKER_SLOT_BYTES apart (a multiple of it for a
// larger slot), each on cache lines of its own: a slot one thread writes
// per record must not share a line with its neighbour's, or the two cores
// pass the line back and forth (a source's largest event time did, a tenth
// of a two-thread YSB's CPU).
enum { FLOW_MAX_WORKERS = 256, FLOW_WORKER_SLOT_BYTES = 64 };

// ---- calls from generated code into the runtime ----

// Rows: begin, one call per column in the sink's column order, end.
void flow_sink_begin_row(FlowContext* ctx, int32_t sink);
void flow_sink_bool(FlowContext* ctx, int32_t sink, int32_t v);
void flow_sink_int(FlowContext* ctx, int32_t sink, int64_t v);
void flow_sink_float(FlowContext* ctx, int32_t sink, double v);
void flow_sink_string(FlowContext* ctx, int32_t sink, const char* p, int64_t n);
void flow_sink_timestamp(FlowContext* ctx, int32_t sink, int64_t v);
void flow_sink_end_row(FlowContext* ctx, int32_t sink);
// The message key of the row being written (kafka sinks with `key EXPR`):
// the text form of the key's value, called once between begin and end.
void flow_sink_key(FlowContext* ctx, int32_t sink, const char* p, int64_t n);

// A bad record (LANGUAGE.md section 9). `message` is the reason without the
// position, e.g. `field "latency_ms": expected float, got "abc"`.
void flow_bad_record(FlowContext* ctx, int32_t source, const FlowRecord* rec,
                     const char* message, int64_t message_len);

// A field whose text does not convert to its type; the runtime writes the
// message `field "NAME": expected TYPE, got "RAW"` (TYPE e.g. "float").
void flow_bad_field(FlowContext* ctx, int32_t source, const FlowRecord* rec,
                    const char* field, int64_t field_len, const char* expected,
                    const char* raw, int64_t raw_len);

// CSV with a header: the column index of each schema field (-1 when the
// header lacks it), filled by the runtime from the header line.
const int32_t* flow_csv_column_map(FlowContext* ctx, int32_t source);

// The scratch arena for strings built while processing records (lower(),
// concatenation, unescaped fields); reset by the runtime between calls into
// generated code. Also makes it the arena of flow_udf_alloc (udf.h) on the
// calling thread: generated code calls this first in every function.
FlowArena* flow_scratch(FlowContext* ctx);

// Regex format: matches the whole record against the source's pattern and
// fills out[i] with the named group of schema field i (an empty view when
// the pattern has no such group). Returns 0 when the record does not match.
int32_t flow_regex_fields(FlowContext* ctx, int32_t source,
                          const FlowRecord* rec, FlowStr* out);

// regex_match / regex_extract (LANGUAGE.md 8): patterns are constants, so
// generated code compiles each once at start-up into a handle.
void* flow_regex_compile(const char* pattern, int64_t len);
int32_t flow_regex_match(void* re, const char* s, int64_t n);
// Writes group `group` of the first match into *out ("" when no match); the
// bytes are views into `s` or scratch memory.
void flow_regex_extract(FlowContext* ctx, void* re, const char* s, int64_t n,
                        int64_t group, FlowStr* out);

// Counts a record dropped as late (windows, LANGUAGE.md 6.1) by the stream
// with index `stream` (FlowPipeline.streams).
void flow_count_late(FlowContext* ctx, int32_t stream);

// The watermark that generated code computed in end_batch (LANGUAGE.md
// 6.1). The runtime does not see event times, so end_batch reports the
// watermark here and the runtime passes it back as the next batch's
// FlowBatch.watermark_at_start (INT64_MIN until the first call); it goes
// into checkpoints too.
void flow_set_watermark(FlowContext* ctx, int64_t watermark);

// 1 when source `source` will hand over no more records (it reached its
// end). end_batch then sets that source's watermark to +infinity, as for
// every source at the end of input, so that it no longer holds back a
// union or a join that reads it with sources still running (LANGUAGE.md
// 13 "Union").
int32_t flow_source_ended(FlowContext* ctx, int32_t source);

// A key of keyed state per kafka partition (above) arrived from a second
// partition: the topic is not partitioned by the `group by` keys, so the
// key's state is split between partitions (and copies). `key` is the text
// of the key values ("u3", or "u3, 7"); `first` and `second` partition
// ids. The runtime warns once per stream and run.
void flow_key_in_two_partitions(FlowContext* ctx, int32_t stream, const char* key, int64_t key_len,
                                int64_t first, int64_t second);
// The calling thread's worker, 0 .. FLOW_MAX_WORKERS-1 (--threads): the
// slot of the thread-local state it updates. 0 on the batch-loop thread
// and in end_batch, snapshot, restore and configure.
int32_t flow_worker_index(FlowContext* ctx);

// A batch's end on every worker thread (--threads, runtime/worker.h), for
// an aggregate whose rows reach no state (plan/threads.h): the changed
// groups are sorted and emitted in ranges on the workers, and what they
// write comes out as from one thread.
//
// Sorts items[0, n) into the order `sort` gives them (a stable sort by
// `cmp`, over slot pointers: flow_sort_ptrs): ranges sorted by `sort` on
// the workers, then merged by `cmp`, stably, on them too.
void flow_sort_parallel(FlowContext* ctx, void** items, int64_t n,
                        void (*sort)(void** items, int64_t n),
                        int32_t (*cmp)(const void* a, const void* b));
// Calls emit(ctx, batch, items, lo, hi) over consecutive ranges [lo, hi)
// of [0, n) on the workers; their rows and bad records are written in
// range order, exactly as one call over [0, n) writes them.
void flow_emit_parallel(FlowContext* ctx, const FlowBatch* batch, void** items, int64_t n,
                        void (*emit)(FlowContext* ctx, const FlowBatch* batch, void** items,
                                     int64_t lo, int64_t hi));

// Keyed state partitioned by key hash (`update` whose source runs on
// every thread; runtime/exchange.cpp). The state of such a stage is split
// into flow_state_parts() tables (worker slots 0 .. parts-1), a key's
// table chosen by its hash; parts is the thread count, fixed for the run
// (restoring a checkpoint puts each key into its part).
int32_t flow_state_parts(FlowContext* ctx);
// The sequence number of the morsel the calling thread runs (worker.h);
// -1 outside morsels (one thread, a sequential source, a batch's end).
int64_t flow_morsel_seq(FlowContext* ctx);
// How many source records of the run were delivered before the delivery
// the calling thread runs (its morsel's, or the batch-loop thread's): the
// record at index i of it arrived as record flow_arrival_first() + i of
// the run, whatever the thread count (first/last order by it).
int64_t flow_arrival_first(FlowContext* ctx);
// How many source records of the run were delivered so far (at a batch's
// end: every record of the batch).
int64_t flow_arrivals(FlowContext* ctx);
// The exchange: in a morsel, a row for part `part` is appended, tagged
// with the morsel's `seq`, to the calling worker's buffer `*slot` (made on
// first use); returns where its `size` bytes go. flow_xchg_copy keeps a
// string's bytes with the buffer until the batch's end.
void* flow_xchg_append(void** slot, int32_t parts, int32_t part, int64_t seq, int64_t size);
const char* flow_xchg_copy(void** slot, const char* bytes, int64_t len);
// At the batch's end: for each part, on the workers at once, calls
// replay(ctx, batch, part, cursor), which takes the part's rows in arrival
// order (morsel order, then row order) from flow_xchg_next until it
// returns null. `slots` are the workers' buffers (slot 0 first); they are
// empty afterwards. Returns how many rows all parts replayed.
int64_t flow_xchg_replay(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                         void (*replay)(FlowContext* ctx, const FlowBatch* batch, int32_t part,
                                        void* cursor));
const void* flow_xchg_next(void* cursor);
// The place of the row flow_xchg_next last returned among the rows of
// every part, in arrival order (0 for the batch's first): what a counter
// of arrivals would have read had one thread applied them all.
int64_t flow_xchg_arrival(void* cursor);
// The same as flow_xchg_replay for state that is not split (an aggregate
// whose float sums must add in arrival order): every row went to part 0
// (flow_xchg_append with parts 1), replayed on the calling thread.
void flow_xchg_replay_one(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                          void (*replay)(FlowContext* ctx, const FlowBatch* batch, int32_t part,
                                         void* cursor));

// Keyed tables (stdlib FlowHashTable) on every worker thread, each doing
// on one thread below a size where handing work over would cost more.
struct FlowHashTable;  // stdlib/flow_stdlib.h
// Before partial states fold into the pipeline's (FlowPipeline.merge):
// grows `ht` at once to the capacity it would reach holding `keys` keys
// (nothing when it already has it), its new memory zeroed and its slots
// moved on every worker thread. Which slot a key lands in may differ from
// growing one insert at a time; what is read out of a table never depends
// on that (rows and checkpoints go in key order).
void flow_ht_reserve_parallel(FlowContext* ctx, struct FlowHashTable* ht, int64_t keys);
// Then, when `keys` new keys are enough to share out (else 0: the caller
// inserts them itself), runs fn(ctx, worker, part, parts) for every part on
// the workers (each part inserts the new keys of its share of worker
// `worker`'s table: flow_ht_claim) and returns 1.
int32_t flow_merge_parts(FlowContext* ctx,
                         void (*fn)(FlowContext* ctx, int32_t worker, int32_t part, int32_t parts),
                         int32_t worker, int64_t keys);
// flow_ht_clear (a merged partial table), its memory zeroed on the workers.
void flow_ht_clear_parallel(FlowContext* ctx, struct FlowHashTable* ht);
// A batch's end: the slots collect(ht, lo, hi, out) takes from each range
// [lo, hi) of the table's indexes (it writes them to out and returns how
// many), on the workers, into `list` (room for every slot the table holds)
// in index order, as one call over the whole table; returns how many.
int64_t flow_collect_parallel(FlowContext* ctx, struct FlowHashTable* ht, void** list,
                              int64_t (*collect)(struct FlowHashTable* ht, int64_t lo, int64_t hi,
                                                 void** out));

// Keyed state grew: a table (group by, update, window panes, sessions) now
// holds `keys` keys. Generated code calls this after an insert only when
// `keys` exceeds the value the previous call returned (0 at first), so it
// costs one compare per new key. Past --max-state-keys it sets the run's
// error (exit 3 at the end of the batch) and returns INT64_MAX.
int64_t flow_state_grew(FlowContext* ctx, int64_t keys);
// A table went from `from` to `to` keys at once (keys merged on several
// threads): the calls flow_state_grew would have had one insert at a time,
// given the last answer `check`; returns the last answer.
int64_t flow_state_grew_to(FlowContext* ctx, int64_t from, int64_t to, int64_t check);

// The state streams of snapshot/restore. Values are written and read back
// in the same order; a read past the end or of the wrong kind makes
// flow_ckpt_ok return 0 (and reads return 0 / empty views).
void flow_ckpt_put_i64(FlowCkptWriter* w, int64_t v);
void flow_ckpt_put_bytes(FlowCkptWriter* w, const char* p, int64_t n);
int64_t flow_ckpt_get_i64(FlowCkptReader* r);
// A view into the reader's buffer, valid until restore returns.
void flow_ckpt_get_bytes(FlowCkptReader* r, FlowStr* out);
int32_t flow_ckpt_ok(FlowCkptReader* r);
// count_distinct sets (stdlib FlowDistinctSet*): written with their values;
// read back as a new set owned by the caller.
void flow_ckpt_put_distinct(FlowCkptWriter* w, const void* set);
void* flow_ckpt_get_distinct(FlowCkptReader* r);

// ---- built programs' configure (FlowPipeline::configure) ----

// A --param value the pipeline cannot take: records "CONTEXT: MESSAGE" as
// the run's usage error (configure then returns 0).
void flow_param_error(FlowContext* ctx, const char* context, const char* message,
                      int64_t message_len);
// Checks a duration that a param or --batch sets: `ms` must be positive
// and, when `of_ms` > 0, a multiple of it. Else records "WHAT is 7s, not
// a multiple of OF_WHAT 2s" (or "WHAT must be longer than 0ms, got 0ms") as
// the usage error and returns 0.
int32_t flow_param_check_duration(FlowContext* ctx, const char* what, int64_t ms,
                                  const char* of_what, int64_t of_ms);

// ---- the runtime's entry points ----

// Parses run options (LANGUAGE.md 11) and runs the pipeline; returns the
// process exit status. Built executables' main() calls this directly.
int flow_runtime_main(const FlowPipeline* pipeline, int argc, char** argv);

#ifdef __cplusplus
}  // extern "C"

// Generated code reads these structs through pointers the runtime passes:
// their layout is part of the ABI, whatever compiler builds either side.
static_assert(sizeof(FlowRecord) == 32 && offsetof(FlowRecord, len) == 8 &&
                  offsetof(FlowRecord, line) == 16 && offsetof(FlowRecord, offset) == 24,
              "FlowRecord layout");
static_assert(sizeof(FlowBatch) == 32 && offsetof(FlowBatch, watermark_at_start) == 8 &&
                  offsetof(FlowBatch, number) == 16 && offsetof(FlowBatch, end_ms) == 24,
              "FlowBatch layout");
#endif

#endif  // FLOWC_RUNTIME_ABI_H
