// window batch [group by KEYS] | aggregate NAME = AGG(x), ...
//
// The micro-batch is the window (LANGUAGE.md 13 "Per-batch aggregates",
// Spark Streaming's per-batch reduceByKey / countByValue): a batch cut by
// the interval or by --max-batch-records alike.
//
// Per row (in the source's fused loop):
//   slot = find_or_insert(groups, hash(keys), keys); update(slot, args)
// At the end of each batch:
//   for slot in groups, by key:
//     next(batch->start_ms, batch->end_ms, keys..., finalize(slot))
//   free every group: nothing outlives the batch, so checkpoints hold none.
#include "codegen/agg_state.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"
#include "codegen/partial_state.h"
#include "codegen/time.h"

#include "abi.h"

namespace flowc::codegen {
namespace {

class BatchWindowOp : public Operator {
 public:
  BatchWindowOp(const plan::AggregateStage& stage, int root_source, Operator* next)
      : stage_(stage), root_source_(root_source), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    prepare(cg);
    ExprEnv env{&row, {}};
    // Arguments first: a failing argument must not create an empty group.
    std::vector<CgValue> keys, args;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    for (const plan::Aggregate& a : stage_.aggregates) {
      args.push_back(a.arg ? emit_expr(cg, *a.arg, env) : CgValue{});
    }
    auto [slot, fresh] = groups_->probe(keys);
    // A slot sees its rows in arrival order; the workers' partial slots
    // meet at the batch's end (merge), where first/last take the earliest
    // and latest by the records' numbers in the run (no base: nothing
    // outlives the batch).
    llvm::Value* arrival = cg.i64c(0);
    if (orders_by_arrival(stage_.aggregates)) {
      if (llvm::Value* n = record_arrival(cg, cg.i64c(0))) arrival = n;
    }
    state_->update(cg, slot, args, fresh, arrival);
  }

  void check(CgContext& cg, const Row& row) override { check_keys_and_args(cg, stage_, row); }

  void merge(CgContext& cg, llvm::Value* worker) override {
    if (groups_) emit_merge_partial(cg, *groups_, *state_, worker);
  }

  void end_batch(CgContext& cg) override {
    if (!groups_) return;  // no source reaches this aggregate
    llvm::Value* start = cg.batch_field(offsetof(FlowBatch, start_ms));
    llvm::Value* end = cg.batch_field(offsetof(FlowBatch, end_ms));
    groups_->for_each_updated(
        [&](llvm::Value* slot, llvm::BasicBlock*) {
          Row out = {{plan::Type::Timestamp, start, nullptr},
                     {plan::Type::Timestamp, end, nullptr}};
          for (size_t i = 0; i < stage_.keys.size(); ++i) out.push_back(groups_->key(slot, i));
          for (CgValue& v : state_->finalize(cg, slot)) out.push_back(v);
          // Processing time: downstream, the row's time is the batch's start.
          emit_row(cg, next_, out, root_source_, nullptr);
        },
        true);
    if (state_->owns_memory()) {
      groups_->for_each_slot([&](llvm::Value* slot) { state_->release(cg, slot); });
    }
    groups_->clear();
  }

 private:
  void prepare(CgContext& cg) {
    if (groups_) return;
    std::vector<plan::Type> key_types;
    for (const plan::NamedExpr& k : stage_.keys) key_types.push_back(k.expr->type);
    groups_ = std::make_unique<KeyedTable>(cg, cg.unique("batch_window"), key_types, layout_);
    state_ = std::make_unique<AggState>(stage_.aggregates, layout_);
  }

  const plan::AggregateStage& stage_;
  int root_source_;
  Operator* next_;
  SlotLayout layout_;
  std::unique_ptr<KeyedTable> groups_;
  std::unique_ptr<AggState> state_;
};

}  // namespace

OperatorPtr make_batch_window(const plan::AggregateStage& stage, int root_source, Operator* next) {
  return std::make_unique<BatchWindowOp>(stage, root_source, next);
}

}  // namespace flowc::codegen
