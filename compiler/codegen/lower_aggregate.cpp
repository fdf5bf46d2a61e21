// group by KEYS | aggregate NAME = AGG(x), ...   (running, update mode)
//
// Per row (in the source's fused loop):
//   slot = find_or_insert(table, hash(keys), keys)        // KeyedTable
//   update(slot, args)                                    // AggState
// At the end of each batch (end_batch):
//   for slot in the slots updated this batch (emit all: every slot, Spark's
//   complete mode), by key: next(keys..., finalize(slot))
// On every thread: each worker updates a partial table, folded into the
// pipeline's at the batch's end (partial_state.h; first/last by their
// records' arrival numbers) — or, with a float sum or avg, the rows of a
// morsel go through the exchange and the batch's end applies them to the
// pipeline's table in arrival order (agg_exchange.h).
#include <llvm/IR/Constants.h>

#include "codegen/agg_exchange.h"
#include "codegen/agg_state.h"
#include "codegen/checkpoint.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"
#include "codegen/partial_state.h"
#include "codegen/time.h"

namespace flowc::codegen {
namespace {

class AggregateOp : public Operator {
 public:
  AggregateOp(const plan::AggregateStage& stage, const StageSite& site, Operator* next)
      : stage_(stage),
        stream_(site.stream),
        root_source_(site.root_source),
        partitioned_(site.partitioned),
        in_parallel_(site.emits_in_parallel),
        exchange_(site.exchange),
        next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    prepare(cg);
    ExprEnv env{&row, {}};
    // Arguments first: a failing argument must not create an empty group.
    std::vector<CgValue> keys, args;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    for (const plan::Aggregate& a : stage_.aggregates) {
      args.push_back(a.arg ? emit_expr(cg, *a.arg, env) : CgValue{});
    }
    llvm::Value* n = arrival(cg);
    if (exchange_) {
      xchg_->consume(cg, keys, args, n, table_->hash(keys), apply(cg));
      return;
    }
    auto [slot, fresh] = table_->probe(keys);
    state_->update(cg, slot, args, fresh, n);
  }

  void check(CgContext& cg, const Row& row) override { check_keys_and_args(cg, stage_, row); }

  // Through the exchange, every row goes to the pipeline's table: the
  // workers' stay empty.
  void merge(CgContext& cg, llvm::Value* worker) override {
    if (table_ && !exchange_) emit_merge_partial(cg, *table_, *state_, worker, /*reserve=*/true);
  }
  void merge_found(CgContext& cg, llvm::Value* worker, llvm::Value* part,
                   llvm::Value* parts) override {
    if (table_ && !exchange_) emit_merge_found(cg, *table_, *state_, worker, part, parts);
  }

  void end_batch(CgContext& cg) override {
    if (!table_) return;  // no source reaches this aggregate
    if (exchange_) xchg_->replay(cg, root_source_, apply(cg));
    table_->for_each_updated(
        [&](llvm::Value* slot, llvm::BasicBlock*) {
          Row out;
          for (size_t i = 0; i < stage_.keys.size(); ++i) out.push_back(table_->key(slot, i));
          for (CgValue& v : state_->finalize(cg, slot)) out.push_back(v);
      // A changelog row: no event time (sema refuses windows downstream).
          emit_row(cg, next_, out, root_source_, nullptr);
        },
        stage_.emit == plan::EmitMode::All, in_parallel_);
  }

  void snapshot(CgContext& cg, llvm::Value* writer) override {
    if (table_) emit_table_snapshot(cg, *table_, key_types_, state_->columns(), writer);
  }
  // The arrival base goes on from the restored groups' largest number
  // (no field of its own: checkpoints keep their layout).
  void restore(CgContext& cg, llvm::Value* reader) override {
    if (!table_) return;
    emit_table_restore(cg, *table_, key_types_, state_->columns(), reader);
    if (!arrival_) return;
    auto& b = cg.b();
    table_->for_each_slot([&](llvm::Value* slot) {
      llvm::Value* n = b.CreateAdd(state_->last_arrival(cg, slot), cg.i64c(1));
      llvm::Value* base = b.CreateLoad(cg.i64(), arrival_);
      b.CreateStore(b.CreateSelect(b.CreateICmpSGT(n, base), n, base), arrival_);
    });
  }

  void snapshot_partition(CgContext& cg, llvm::Value* part, llvm::Value* writer,
                          llvm::Value* slots) override {
    if (table_ && partitioned_) {
      emit_table_snapshot_partition(cg, *table_, key_types_, state_->columns(), part, writer,
                                    slots);
    }
  }
  void restore_partition(CgContext& cg, llvm::Value* part, llvm::Value* reader) override {
    if (table_ && partitioned_)
      emit_table_restore_partition(cg, *table_, key_types_, state_->columns(), part, reader);
  }
  void drop_partition(CgContext& cg, llvm::Value* part) override {
    if (!table_ || !partitioned_) return;
    emit_table_drop_partition(cg, *table_, part, [&](llvm::Value* slot) {
      if (state_->owns_memory()) state_->release(cg, slot);
      table_->release_keys(slot);
    });
  }

 private:
  void prepare(CgContext& cg) {
    if (table_) return;
    for (const plan::NamedExpr& k : stage_.keys) key_types_.push_back(k.expr->type);
    // Partitioned: a partition's slots go one by one (drop_partition), so
    // their string keys are owned, not in an arena freed with the table.
    table_ = std::make_unique<KeyedTable>(
        cg, cg.unique("aggregate"), key_types_, layout_,
        partitioned_ ? KeyedTable::KeyStorage::Owned : KeyedTable::KeyStorage::Arena,
        KeyedTable::Sharing::PerWorker, Partitioning{partitioned_, stream_});
    cg.add_state_table(stream_, table_->table_global());
    state_ = std::make_unique<AggState>(stage_.aggregates, layout_);
    if (exchange_) xchg_ = std::make_unique<AggExchange>(key_types_, stage_.aggregates);
    if (orders_by_arrival(stage_.aggregates) && !partitioned_) {
      arrival_ =
          new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                                   cg.i64c(0), cg.unique("aggregate.arrival"));
    }
  }

  // One row into the table (a record's now, or the exchange's at the
  // batch's end).
  AggExchange::Apply apply(CgContext& cg) {
    return [this, &cg](const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
                       llvm::Value* arrival, llvm::Value* hash) {
      auto [slot, fresh] = table_->probe(keys, nullptr, false, hash);
      state_->update(cg, slot, args, fresh, arrival);
    };
  }

  // The arrival number first/last keep: a worker's partial state meets
  // the pipeline's at the batch's end (merge), where the earliest first
  // and the latest last win — the state's own from earlier batches among
  // them. A slot sees its own rows in arrival order: without first/last,
  // or on one thread per kafka partition, no number is needed.
  llvm::Value* arrival(CgContext& cg) {
    if (!arrival_) return cg.i64c(0);
    auto& b = cg.b();
    if (llvm::Value* n = record_arrival(cg, b.CreateLoad(cg.i64(), arrival_))) return n;
    // Rows emitted at a batch's end, on one thread: counted on.
    llvm::Value* n = b.CreateLoad(cg.i64(), arrival_);
    b.CreateStore(b.CreateAdd(n, cg.i64c(1)), arrival_);
    return n;
  }

  const plan::AggregateStage& stage_;
  int stream_;
  int root_source_;
  bool partitioned_;
  bool in_parallel_;  // StageSite::emits_in_parallel
  bool exchange_;     // float sums on every thread (agg_exchange.h)
  Operator* next_;
  SlotLayout layout_;
  std::vector<plan::Type> key_types_;
  std::unique_ptr<KeyedTable> table_;
  std::unique_ptr<AggState> state_;
  std::unique_ptr<AggExchange> xchg_;
  llvm::GlobalVariable* arrival_ = nullptr;  // first/last: the arrival base
};

}  // namespace

OperatorPtr make_aggregate(const plan::AggregateStage& stage, const StageSite& site,
                           Operator* next) {
  return std::make_unique<AggregateOp>(stage, site, next);
}

void check_keys_and_args(CgContext& cg, const plan::AggregateStage& stage, const Row& row) {
  ExprEnv env{&row, {}};
  for (const plan::NamedExpr& k : stage.keys) emit_expr(cg, *k.expr, env);
  for (const plan::Aggregate& a : stage.aggregates) {
    if (a.arg) emit_expr(cg, *a.arg, env);
  }
}

}  // namespace flowc::codegen
