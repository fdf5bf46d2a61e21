// compiler/plan/threads.h — which sources' records may run on every worker
// thread (--threads, LANGUAGE.md 13), decided once: `explain` prints it and
// codegen follows it.
//
// A source's records run on any worker thread when every stage they reach
// in the fused loop either keeps no state (where, select, explode, joins
// with tables, sinks) or keeps state that combines exactly in any order
// (aggregates of count, int sums and averages, min, max, count_distinct,
// first, last: each thread keeps a partial state, merged at the batch
// end) or is split by key hash (`update`, not `emit each`, with a block
// that cannot fail, and session windows: update_partitioned) or adds
// float sums in arrival order through the exchange (aggregate_exchanged).
// What an aggregate, session or update emits is emitted at the batch end:
// the walk stops there. Otherwise the source runs on one thread, in
// arrival order — as does every source whose records reach keyed state
// kept per kafka partition (plan/partitioning.h), which moves at
// rebalances.
#pragma once

#include <string>

#include "plan/plan.h"

namespace flowc::plan {

struct SourceThreads {
  bool parallel = true;
  std::string why;  // when not: "update in stream 'balances'"
};

SourceThreads source_threads(const Pipeline& p, int source);

// Whether partial states of these aggregates, folded in any order, give
// exactly what one thread gives. A float sum's rounding depends on its
// order, and first/last on arrival across threads.
bool combines_exactly(const Aggregate& aggregate);
bool combines_exactly(const std::vector<Aggregate>& aggregates);
// first/last: partial states carry the arrival number of their record
// (the record's number in the pipeline's input, the same for every thread
// count: codegen/agg_state.h record_arrival), and merge by it — the
// earliest first, the latest last — exactly as one thread keeps them.
bool combines_by_arrival(const Aggregate& aggregate);

// Whether `agg` (running, tumbling or sliding) has a float sum or avg, whose
// partial states would not combine to one thread's bytes. When its one
// source runs on every thread (aggregate_exchanged), the morsels hand each
// row's keys and arguments to the exchange (runtime/exchange.cpp), and the
// batch's end applies them to the one table in arrival order
// (codegen/agg_exchange.h). A union, or a batch window, keeps one thread.
bool adds_in_arrival_order(const AggregateStage& agg);
bool aggregate_exchanged(const Pipeline& p, int stream, const AggregateStage& agg);

// Whether the rows that stage `from - 1` of `stream` hands on at a batch's
// end (an aggregate's changed groups) reach only stages that keep no state
// — where, select, explode, joins with tables — and sinks, in this stream
// and every stream that reads it. Then ranges of them may run on worker
// threads (runtime/worker.h: their rows are written in range order), as
// morsels of a source do.
bool rows_keep_no_state(const Pipeline& p, int stream, size_t from);

// Whether the records of the `update` (or session window) in `stream` may
// come from morsels on any worker thread: its one source runs on every
// thread. Its state is then split into parts by key hash, and a morsel's
// rows go through the exchange (runtime/exchange.cpp) to be applied at the
// batch's end.
bool update_partitioned(const Pipeline& p, int stream);

}  // namespace flowc::plan
