// compiler/codegen/operator.h — the push model (Neumann, VLDB 2011).
//
// Each plan stage becomes an Operator whose consume() emits, at the
// builder's insertion point, the code that handles one row and hands rows
// on to the next operator. The chain from a source to the first pipeline
// breaker (an aggregate's hash table, a sink) therefore becomes one fused
// loop body: no per-record virtual calls remain in the generated code —
// the virtual calls here happen once, at compile time.
#pragma once

#include <memory>

#include "codegen/cg_context.h"
#include "codegen/expr_codegen.h"

namespace flowc::codegen {

class Operator {
 public:
  virtual ~Operator() = default;
  // Emits the handling of `row`. On return the insertion point is where
  // code continues once this row has been handled (or dropped).
  virtual void consume(CgContext& cg, const Row& row) = 0;
  // Emits only what can make the record bad — the expressions that can
  // fail — for `row` and for what this operator hands on, with no effect
  // on state or sinks. Operators that end the fused loop (aggregates,
  // update, sinks) check their own expressions and stop. See
  // checked_consume.
  virtual void check(CgContext& cg, const Row& row) {}
  // Emits this operator's end-of-batch work into the end_batch function
  // (firing windows, emitting state rows). Most operators have none.
  virtual void end_batch(CgContext& cg) {}
  // Emits the writing (reading back) of this operator's state into a
  // checkpoint (LANGUAGE.md 10); stateless operators have none.
  virtual void snapshot(CgContext& cg, llvm::Value* writer) {}
  virtual void restore(CgContext& cg, llvm::Value* reader) {}
  // Keyed state per kafka partition (plan/partitioning.h, runtime/abi.h):
  // the writing, reading back and removal of the state of ONE partition
  // `part` (i64) — what the changelog moves between copies. `slots` (an
  // i64 alloca) counts the slots written. Operators whose state does not
  // follow partitions have none.
  virtual void snapshot_partition(CgContext& cg, llvm::Value* part, llvm::Value* writer,
                                  llvm::Value* slots) {}
  virtual void restore_partition(CgContext& cg, llvm::Value* part, llvm::Value* reader) {}
  virtual void drop_partition(CgContext& cg, llvm::Value* part) {}
  // Whether this operator's partitioned state changes at batch ends
  // without records (windows fire, keys expire): FlowPipeline.partition_timers.
  virtual bool partition_timers() const { return false; }

  // --threads (runtime/worker.h; which sources run on every thread:
  // plan/threads.h). Emits, into the merge function, the folding of worker `worker`'s
  // partial state into worker 0's, leaving worker `worker`'s empty.
  virtual void merge(CgContext& cg, llvm::Value* worker) {}
  // Emits, into the merge_found function (runtime/abi.h), the folding of
  // the groups of part `part` of `parts` of worker `worker`'s partial
  // table that worker 0's table already holds; merge() then does the rest.
  virtual void merge_found(CgContext& cg, llvm::Value* worker, llvm::Value* part,
                           llvm::Value* parts) {}
};
using OperatorPtr = std::unique_ptr<Operator>;

// The checks of a grouping stage (aggregate, window, session): its `group
// by` keys and its aggregates' arguments.
void check_keys_and_args(CgContext& cg, const plan::AggregateStage& stage, const Row& row);

// Emits `checks` (code that may branch to a bad record) behind a branch
// that is bypassed when `checks` turned out to emit no such branch.
template <typename Checks>
void emit_checks(CgContext& cg, Checks checks) {
  auto& b = cg.b();
  llvm::BasicBlock* check = llvm::BasicBlock::Create(cg.llvm(), "check", cg.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "checked", cg.fs().fn);
  llvm::BranchInst* enter = b.CreateBr(check);
  b.SetInsertPoint(check);
  const int fails = cg.fail_count();
  checks();
  b.CreateBr(done);
  if (cg.fail_count() == fails) enter->setSuccessor(0, done);  // nothing can fail
  b.SetInsertPoint(done);
}

// Where one record reaches several effects — the parts of an `explode`,
// the readers of a stream — a later one may find it bad after an earlier
// one wrote a row or changed state. There, `check` (the checks of all that
// follows) runs first, unless an operator upstream already checked, and
// then `consume`, so that a bad record reaches no sink and no state
// (LANGUAGE.md 9). Other operators evaluate everything that can fail
// before their own effect.
template <typename Check, typename Consume>
void checked_consume(CgContext& cg, Check check, Consume consume) {
  const bool was = cg.fs().record_checked;
  if (!was) emit_checks(cg, check);
  cg.fs().record_checked = true;
  consume();
  cg.fs().record_checked = was;
}

// Where a stateful operator sits: the stream it belongs to (metrics count
// late rows and state keys per stream), the source that rows it emits at a
// batch's end are reported against, and the time of its input rows.
struct StageSite {
  int stream = -1;
  int root_source = -1;
  plan::Clock clock;
  // Its keyed state is kept per kafka partition (plan/partitioning.h).
  bool partitioned = false;
  // The rows it emits at a batch's end reach no state (plan/threads.h
  // rows_keep_no_state): they may be sorted and handed on on every worker
  // thread (KeyedTable::for_each_updated).
  bool emits_in_parallel = false;
  // An update or session window whose source runs on every thread
  // (plan/threads.h update_partitioned): its state is split by key hash
  // and fed through the exchange. An aggregate with float sums
  // (aggregate_exchanged): its rows go through the exchange into its one
  // table (agg_exchange.h).
  bool exchange = false;
};

// Each lowering lives in its own file (lower_*.cpp).
OperatorPtr make_where(const plan::WhereStage& stage, Operator* next);
OperatorPtr make_select(const plan::SelectStage& stage, Operator* next);
OperatorPtr make_explode(const plan::ExplodeStage& stage, Operator* next);
OperatorPtr make_aggregate(const plan::AggregateStage& stage, const StageSite& site,
                           Operator* next);
OperatorPtr make_window(const plan::AggregateStage& stage, const StageSite& site, Operator* next);
OperatorPtr make_session(const plan::AggregateStage& stage, const StageSite& site, Operator* next);
OperatorPtr make_batch_window(const plan::AggregateStage& stage, int root_source, Operator* next);
// `input`: the schema of the rows it ranks (the aggregate's output).
OperatorPtr make_top(const plan::TopStage& stage, const plan::Schema& input,
                     const plan::Clock& clock, int root_source, Operator* next);
OperatorPtr make_sink(int sink_index, const plan::Sink& sink);
class LookupTable;  // lookup_table.h
OperatorPtr make_table_load(LookupTable& table);
OperatorPtr make_join(const plan::JoinStage& stage, LookupTable& table, Operator* next);
OperatorPtr make_update(const plan::UpdateStage& stage, const StageSite& site, Operator* next);
// Hands every row to each of `outputs` in turn (a stream read by several
// sinks and streams).
OperatorPtr make_fanout(std::vector<Operator*> outputs);
// A union's input whose fields come in another order (plan::Input::order).
OperatorPtr make_union_input(const std::vector<int>& order, Operator* next);
// [left] join S on FIELD within D: the operator of the stream's rows
// (first, it owns the join's state and its end-of-batch work) and the one
// that reads S's rows (second).
std::pair<OperatorPtr, OperatorPtr> make_interval_join(const plan::IntervalJoinStage& stage,
                                                       const plan::Schema& input,
                                                       const plan::Schema& other,
                                                       const StageSite& site, Operator* next);

}  // namespace flowc::codegen
