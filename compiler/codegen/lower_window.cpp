// window tumbling D | sliding L every S  [group by KEYS] | aggregate ...
//
// Panes (Flink, LightSaber): a record updates ONE slot, its pane of size S
// (S = D for tumbling), however many windows contain it; a window of
// length L is the combination of its L/S panes, built when it is emitted.
//
// Per row (in the source's fused loop):
//   t    = event time, or the batch start under processing time
//   pane = floor(t / S) * S
//   if (pane + L <= max(watermark_at_batch_start, P)) { late++; drop }  // every window ended
//   slot = find_or_insert(panes, (pane, keys)); update(slot, args)
//
// At the end of each batch, with W the new watermark (event time) or the
// batch's end (processing time), and P the watermark windows fired up to:
//   emit final:   every window end e with P < e <= W is combined from its
//                 panes into `windows` keyed by (e, keys)
//   emit updates: the windows (e > P) of the panes updated in this batch
//   emit `windows` in (window_end, keys) order; then free the panes whose
//   every window has ended (pane + L <= W), and P = W — but at the end of
//   input (W = +infinity) P = the last window end fired, so that a later
//   incremental run (LANGUAGE.md 13) counts those windows as fired, for
//   every key, and their records as late. In a run that has not ended,
//   P <= the watermark at batch start, so P changes no late decision.
//
// On every thread, panes are partial per worker and folded into the
// pipeline's before windows fire — or, with a float sum or avg, a
// morsel's rows go through the exchange and reach the pipeline's panes
// in arrival order at the batch's end (agg_exchange.h).
//
// Kept per kafka partition (plan/partitioning.h), each pane also holds its
// own P: a partition's panes move between copies whose P differ, and a
// pane's windows fire once, by the P of the copy that built it.
#include <llvm/IR/Constants.h>
#include <llvm/IR/MDBuilder.h>

#include "codegen/agg_exchange.h"
#include "codegen/agg_state.h"
#include "codegen/checkpoint.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"
#include "codegen/partial_state.h"
#include "codegen/time.h"

namespace flowc::codegen {
namespace {

using plan::Type;

// floor(t / s) * s, for negative t too. `s` is a constant unless a
// built program reads it from a duration param.
llvm::Value* floor_to(CgContext& cg, llvm::Value* t, llvm::Value* s) {
  auto& b = cg.b();
  llvm::Value* q = b.CreateSDiv(t, s);
  llvm::Value* r = b.CreateSRem(t, s);
  llvm::Value* adjust = b.CreateICmpSLT(r, cg.i64c(0));
  q = b.CreateSub(q, b.CreateZExt(adjust, cg.i64()));
  return b.CreateMul(q, s);
}

class WindowOp : public Operator {
 public:
  WindowOp(const plan::AggregateStage& stage, const StageSite& site, Operator* next)
      : stage_(stage),
        window_(*stage.window),
        clock_(site.clock),
        stream_(site.stream),
        root_source_(site.root_source),
        partitioned_(site.partitioned),
        exchange_(site.exchange),
        next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    prepare(cg);
    llvm::Value* pane = floor_to(cg, row_time(cg, clock_), cg.duration(window_.slide));
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "window.done", cg.fs().fn);
    {
      // Late: every window of the record ended at or before the watermark
      // as it stood when this batch began (end_batch alone moves it), or
      // has fired (P).
      llvm::Value* last_end = b.CreateAdd(pane, cg.duration(window_.size));
      llvm::Value* late = b.CreateICmpSLE(last_end, late_limit(cg));
      llvm::BasicBlock* drop = llvm::BasicBlock::Create(cg.llvm(), "window.late", cg.fs().fn);
      llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "window.keep", cg.fs().fn);
      b.CreateCondBr(late, drop, keep, llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
      b.SetInsertPoint(drop);
      b.CreateCall(cg.runtime("flow_count_late"), {cg.fs().ctx, cg.i32c(stream_)});
      b.CreateBr(done);
      b.SetInsertPoint(keep);
    }
    ExprEnv env{&row, {}};
    std::vector<CgValue> keys = {{Type::Timestamp, pane, nullptr}};
    std::vector<CgValue> args;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    for (const plan::Aggregate& a : stage_.aggregates) {
      args.push_back(a.arg ? emit_expr(cg, *a.arg, env) : CgValue{});
    }
    llvm::Value* arrival = pane_arrival(cg);
    if (exchange_) {  // float sums: in arrival order at the batch's end
      xchg_->consume(cg, keys, args, arrival, panes_->hash(keys), apply(cg));
      b.CreateBr(done);
      b.SetInsertPoint(done);
      return;
    }
    auto [slot, fresh] = panes_->probe(keys);
    if (partitioned_) {  // a new pane starts at the windows fired so far
      llvm::Value* at = panes_->field(slot, pane_fired_offset_);
      b.CreateStore(
          b.CreateSelect(fresh, b.CreateLoad(cg.i64(), fired_upto_), b.CreateLoad(cg.i64(), at)),
          at);
    }
    pane_state_->update(cg, slot, args, fresh, arrival);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  // A worker's panes fold into the pipeline's before the windows fire
  // (through the exchange, the workers' stay empty).
  void merge(CgContext& cg, llvm::Value* worker) override {
    if (panes_ && !exchange_) emit_merge_partial(cg, *panes_, *pane_state_, worker);
  }

  // The expressions of a record that is not late (a late one is dropped,
  // not bad).
  void check(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "window.check.done", cg.fs().fn);
    {
      prepare(cg);
      llvm::Value* pane = floor_to(cg, row_time(cg, clock_), cg.duration(window_.slide));
      llvm::Value* late =
          b.CreateICmpSLE(b.CreateAdd(pane, cg.duration(window_.size)), late_limit(cg));
      llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "window.check", cg.fs().fn);
      b.CreateCondBr(late, done, keep);
      b.SetInsertPoint(keep);
    }
    check_keys_and_args(cg, stage_, row);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  void end_batch(CgContext& cg) override {
    if (!panes_) return;
    auto& b = cg.b();
    if (exchange_) xchg_->replay(cg, root_source_, apply(cg));
    llvm::Value* watermark = fire_bound(cg, clock_);
    llvm::Value* fired_all = b.CreateLoad(cg.i64(), fired_upto_);
    bool final_mode = stage_.emit == plan::EmitMode::Final;
    llvm::Value* slide = cg.duration(window_.slide);

    // Visits the windows (ends e = pane + k*S, k = 1..L/S) of a pane with
    // e > P: unrolled when L/S is known at compile time (always, but for a
    // sliding window of a built program whose L or S is a duration param).
    auto for_each_window = [&](llvm::Value* pane_slot,
                               const std::function<void(llvm::Value * end)>& body) {
      llvm::Value* pane = panes_->key(pane_slot, 0).v;
      llvm::Value* fired =
          partitioned_ ? b.CreateLoad(cg.i64(), panes_->field(pane_slot, pane_fired_offset_))
                       : fired_all;
      auto visit = [&](llvm::Value* e) {
        llvm::BasicBlock* open = llvm::BasicBlock::Create(cg.llvm(), "win.open", cg.fs().fn);
        llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "win.next", cg.fs().fn);
        b.CreateCondBr(b.CreateICmpSGT(e, fired), open, next);
        b.SetInsertPoint(open);
        body(e);
        b.CreateBr(next);
        b.SetInsertPoint(next);
      };
      bool tumbling = window_.kind == plan::WindowKind::Tumbling;
      if (tumbling || (cg.constant_duration(window_.size) && cg.constant_duration(window_.slide))) {
        int64_t per_pane = tumbling ? 1 : window_.size.ms / window_.slide.ms;
        for (int64_t k = 1; k <= per_pane; ++k)
          visit(b.CreateAdd(pane, b.CreateMul(cg.i64c(k), slide)));
        return;
      }
      //   for (e = pane + S; e <= pane + L; e += S) visit(e)
      llvm::Value* e_at = cg.entry_alloca(cg.i64(), "win.end");
      llvm::Value* last = b.CreateAdd(pane, cg.duration(window_.size));
      b.CreateStore(b.CreateAdd(pane, slide), e_at);
      llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "win.each", cg.fs().fn);
      llvm::BasicBlock* step = llvm::BasicBlock::Create(cg.llvm(), "win.each.body", cg.fs().fn);
      llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "win.each.done", cg.fs().fn);
      b.CreateBr(head);
      b.SetInsertPoint(head);
      llvm::Value* e = b.CreateLoad(cg.i64(), e_at);
      b.CreateCondBr(b.CreateICmpSLE(e, last), step, done);
      b.SetInsertPoint(step);
      visit(e);
      b.CreateStore(b.CreateAdd(e, slide), e_at);
      b.CreateBr(head);
      b.SetInsertPoint(done);
    };
    auto window_keys = [&](llvm::Value* pane_slot, llvm::Value* end) {
      std::vector<CgValue> keys = {{Type::Timestamp, end, nullptr}};
      for (size_t i = 1; i <= stage_.keys.size(); ++i) keys.push_back(panes_->key(pane_slot, i));
      return keys;
    };
    auto window_partition = [&](llvm::Value* pane_slot) {
      return partitioned_ ? panes_->partition(pane_slot) : nullptr;
    };
    auto merge = [&](llvm::Value* pane_slot, llvm::Value* end) {
      auto [w, fresh] = windows_->probe(window_keys(pane_slot, end), window_partition(pane_slot));
      llvm::Value* filled = windows_->field(w, filled_offset_);
      llvm::Value* empty = b.CreateICmpEQ(b.CreateLoad(cg.i8(), filled), b.getInt8(0));
      window_state_->combine(cg, w, pane_slot, b.CreateOr(fresh, empty));
      b.CreateStore(b.getInt8(1), filled);
    };

    if (final_mode) {
      panes_->for_each_slot([&](llvm::Value* pane_slot) {
        for_each_window(pane_slot, [&](llvm::Value* e) {
          llvm::BasicBlock* fire = llvm::BasicBlock::Create(cg.llvm(), "win.fire", cg.fs().fn);
          llvm::BasicBlock* skip = llvm::BasicBlock::Create(cg.llvm(), "win.skip", cg.fs().fn);
          b.CreateCondBr(b.CreateICmpSLE(e, watermark), fire, skip);
          b.SetInsertPoint(fire);
          merge(pane_slot, e);
          b.CreateBr(skip);
          b.SetInsertPoint(skip);
        });
      });
    } else {
      // Pass 1: the open windows of the panes updated in this batch.
      panes_->for_each_slot([&](llvm::Value* pane_slot) {
        llvm::Value* dirty_at = panes_->field(pane_slot, kSlotDirtyOffset);
        llvm::Value* dirty = b.CreateICmpNE(b.CreateLoad(cg.i8(), dirty_at), b.getInt8(0));
        llvm::BasicBlock* mark = llvm::BasicBlock::Create(cg.llvm(), "win.mark", cg.fs().fn);
        llvm::BasicBlock* clean = llvm::BasicBlock::Create(cg.llvm(), "win.clean", cg.fs().fn);
        b.CreateCondBr(dirty, mark, clean);
        b.SetInsertPoint(mark);
        b.CreateStore(b.getInt8(0), dirty_at);
        for_each_window(pane_slot, [&](llvm::Value* e) {
          windows_->probe(window_keys(pane_slot, e), window_partition(pane_slot));
        });
        b.CreateBr(clean);
        b.SetInsertPoint(clean);
      });
      // Pass 2: every pane of those windows.
      panes_->for_each_slot([&](llvm::Value* pane_slot) {
        for_each_window(pane_slot, [&](llvm::Value* e) {
          llvm::Value* found =
              windows_->find(window_keys(pane_slot, e), window_partition(pane_slot));
          llvm::BasicBlock* add = llvm::BasicBlock::Create(cg.llvm(), "win.add", cg.fs().fn);
          llvm::BasicBlock* skip = llvm::BasicBlock::Create(cg.llvm(), "win.skip", cg.fs().fn);
          b.CreateCondBr(b.CreateIsNull(found), skip, add);
          b.SetInsertPoint(add);
          merge(pane_slot, e);
          b.CreateBr(skip);
          b.SetInsertPoint(skip);
        });
      });
    }

    // Emit the windows by (window_end, keys); window_start = end - L.
    windows_->for_each_updated([&](llvm::Value* w, llvm::BasicBlock*) {
      llvm::Value* end = windows_->key(w, 0).v;
      Row out = {{Type::Timestamp, b.CreateSub(end, cg.duration(window_.size)), nullptr},
                 {Type::Timestamp, end, nullptr}};
      for (size_t i = 1; i <= stage_.keys.size(); ++i) out.push_back(windows_->key(w, i));
      for (CgValue& v : window_state_->finalize(cg, w)) out.push_back(v);
      // A roll-up downstream sees the row at window_end - 1ms (LANGUAGE.md 13).
      llvm::Value* time = clock_.event_time ? b.CreateSub(end, cg.i64c(1)) : nullptr;
      emit_row(cg, next_, out, root_source_, time);
    });
    if (window_state_->owns_memory()) {
      windows_->for_each_slot([&](llvm::Value* w) { window_state_->release(cg, w); });
    }
    windows_->clear();

    // Free the panes whose every window has ended: pane + L <= W; note
    // the last such end. arg = {W, last end freed}.
    llvm::Value* limit = cg.entry_alloca(llvm::ArrayType::get(cg.i64(), 2), "window.limit");
    llvm::Value* last_freed =
        b.CreateConstInBoundsGEP2_64(llvm::ArrayType::get(cg.i64(), 2), limit, 0, 1);
    b.CreateStore(watermark, limit);
    b.CreateStore(cg.i64c(INT64_MIN), last_freed);
    panes_->erase_if(
        "expired",
        [&](llvm::Value* pane_slot, llvm::Value* arg) {
          auto& pb = cg.b();
          llvm::Value* end = pb.CreateAdd(panes_->key(pane_slot, 0).v, cg.duration(window_.size));
          llvm::Value* w = pb.CreateLoad(cg.i64(), arg);
          llvm::Value* gone = pb.CreateICmpSLE(end, w);
          llvm::BasicBlock* free_it = llvm::BasicBlock::Create(cg.llvm(), "pane.free", cg.fs().fn);
          llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "pane.keep", cg.fs().fn);
          pb.CreateCondBr(gone, free_it, keep);
          pb.SetInsertPoint(free_it);
          llvm::Value* seen_at = pb.CreateConstInBoundsGEP1_64(cg.i64(), arg, 1);
          llvm::Value* seen = pb.CreateLoad(cg.i64(), seen_at);
          pb.CreateStore(pb.CreateSelect(pb.CreateICmpSGT(end, seen), end, seen), seen_at);
          pane_state_->release(cg, pane_slot);
          panes_->release_keys(pane_slot);
          pb.CreateRet(cg.i32c(1));
          pb.SetInsertPoint(keep);
          if (partitioned_) {  // the pane's own P = max(P, W)
            llvm::Value* at = panes_->field(pane_slot, pane_fired_offset_);
            llvm::Value* old = pb.CreateLoad(cg.i64(), at);
            pb.CreateStore(pb.CreateSelect(pb.CreateICmpSGT(w, old), w, old), at);
          }
          return pb.getFalse();
        },
        limit);
    // P = max(P, W), or at the end of input max(P, the last end freed).
    llvm::Value* at_end = b.CreateICmpEQ(watermark, cg.i64c(INT64_MAX));
    llvm::Value* reached = b.CreateSelect(at_end, b.CreateLoad(cg.i64(), last_freed), watermark);
    b.CreateStore(b.CreateSelect(b.CreateICmpSGT(reached, fired_all), reached, fired_all),
                  fired_upto_);
  }

  // Between batches the windows table is empty: panes and counters are all.
  void snapshot(CgContext& cg, llvm::Value* writer) override {
    if (!panes_) return;
    emit_global_snapshot(cg, fired_upto_, writer);
    if (by_record_) {
      emit_arrival_snapshot(cg, arrival_, writer);
    } else {
      emit_global_snapshot(cg, arrival_, writer);
    }
    emit_table_snapshot(cg, *panes_, key_types_, pane_columns(), writer);
  }
  void restore(CgContext& cg, llvm::Value* reader) override {
    if (!panes_) return;
    emit_global_restore(cg, fired_upto_, reader);
    emit_global_restore(cg, arrival_, reader);
    emit_table_restore(cg, *panes_, key_types_, pane_columns(), reader);
  }

  // One partition's panes, after the arrival counter (first/last order
  // their panes by it: a copy that takes them over counts on from the
  // larger of both). Each pane carries the P of the copy that built it.
  void snapshot_partition(CgContext& cg, llvm::Value* part, llvm::Value* writer,
                          llvm::Value* slots) override {
    if (!panes_ || !partitioned_) return;
    emit_global_snapshot(cg, arrival_, writer);
    emit_table_snapshot_partition(cg, *panes_, key_types_, pane_columns(), part, writer, slots);
  }
  void restore_partition(CgContext& cg, llvm::Value* part, llvm::Value* reader) override {
    if (!panes_ || !partitioned_) return;
    auto& b = cg.b();
    llvm::Value* theirs = b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
    llvm::Value* ours = b.CreateLoad(cg.i64(), arrival_);
    b.CreateStore(b.CreateSelect(b.CreateICmpSGT(theirs, ours), theirs, ours), arrival_);
    emit_table_restore_partition(cg, *panes_, key_types_, pane_columns(), part, reader);
  }
  void drop_partition(CgContext& cg, llvm::Value* part) override {
    if (!panes_ || !partitioned_) return;
    emit_table_drop_partition(cg, *panes_, part, [&](llvm::Value* slot) {
      pane_state_->release(cg, slot);
      panes_->release_keys(slot);
    });
  }
  bool partition_timers() const override { return partitioned_; }

 private:
  // An arrival number orders first/last across panes, and across the
  // workers' partial panes (merge); other aggregates need none. In a
  // source's loop it is the record's number in the pipeline's input
  // (the same for every thread count; arrival_ is then the base earlier
  // runs counted), else (rows of a batch's end, or state per kafka
  // partition, on one thread) a counter.
  llvm::Value* pane_arrival(CgContext& cg) {
    auto& b = cg.b();
    if (!orders_by_arrival(stage_.aggregates)) return cg.i64c(0);
    llvm::Value* base = b.CreateLoad(cg.i64(), arrival_);
    llvm::Value* arrival = partitioned_ ? nullptr : record_arrival(cg, base);
    if (arrival != nullptr) {
      by_record_ = true;
      return arrival;
    }
    b.CreateStore(b.CreateAdd(base, cg.i64c(1)), arrival_);
    return base;
  }

  // One row into its pane (a record's now, or the exchange's at the
  // batch's end; never kept per kafka partition).
  AggExchange::Apply apply(CgContext& cg) {
    return [this, &cg](const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
                       llvm::Value* arrival, llvm::Value* hash) {
      auto [slot, fresh] = panes_->probe(keys, nullptr, false, hash);
      pane_state_->update(cg, slot, args, fresh, arrival);
    };
  }

  std::vector<StateColumn> pane_columns() const {
    std::vector<StateColumn> out = pane_state_->columns();
    if (partitioned_) out.push_back({pane_fired_offset_, ColumnKind::Scalar});
    return out;
  }

  void prepare(CgContext& cg) {
    if (panes_) return;
    key_types_ = {Type::Timestamp};
    for (const plan::NamedExpr& k : stage_.keys) key_types_.push_back(k.expr->type);
    std::vector<Type>& key_types = key_types_;
    std::string name = cg.unique("window");
    panes_ = std::make_unique<KeyedTable>(
        cg, name + ".panes", key_types, pane_layout_, KeyedTable::KeyStorage::Owned,
        KeyedTable::Sharing::PerWorker, Partitioning{partitioned_, stream_, 1});
    windows_ = std::make_unique<KeyedTable>(
        cg, name + ".windows", key_types, window_layout_, KeyedTable::KeyStorage::Arena,
        KeyedTable::Sharing::PerWorker, Partitioning{partitioned_});
    cg.add_state_table(stream_, panes_->table_global());  // windows_ is empty between batches
    // Panes and windows share one layout, so that AggState::combine reads a
    // pane with the window's offsets; `filled` is used by windows only.
    filled_offset_ = window_layout_.add(8);
    pane_layout_.add(8);
    if (partitioned_) {  // panes only; the windows' copy is unused
      pane_fired_offset_ = pane_layout_.add(8);
      window_layout_.add(8);
    }
    pane_state_ = std::make_unique<AggState>(stage_.aggregates, pane_layout_);
    if (exchange_) xchg_ = std::make_unique<AggExchange>(key_types_, stage_.aggregates);
    window_state_ = std::make_unique<AggState>(stage_.aggregates, window_layout_);
    auto global = [&](const std::string& n, int64_t init) {
      return new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                                      cg.i64c(init), name + "." + n);
    };
    arrival_ = global("arrival", 0);
    fired_upto_ = global("fired_upto", INT64_MIN);
  }

  // A row is late when all its windows end at or before this: the
  // watermark at batch start (event time), and P (what fired).
  llvm::Value* late_limit(CgContext& cg) {
    auto& b = cg.b();
    llvm::Value* fired = b.CreateLoad(cg.i64(), fired_upto_);
    if (!clock_.event_time) return fired;
    llvm::Value* watermark = late_bound(cg, clock_);
    return b.CreateSelect(b.CreateICmpSGT(fired, watermark), fired, watermark);
  }

  const plan::AggregateStage& stage_;
  plan::Window window_;
  plan::Clock clock_;
  int stream_;
  int root_source_;
  bool partitioned_;
  bool exchange_;  // float sums on every thread (agg_exchange.h)
  Operator* next_;
  SlotLayout pane_layout_, window_layout_;
  std::vector<Type> key_types_;
  int64_t filled_offset_ = 0;
  int64_t pane_fired_offset_ = 0;  // partitioned: the pane's own P
  std::unique_ptr<KeyedTable> panes_, windows_;
  std::unique_ptr<AggState> pane_state_, window_state_;
  std::unique_ptr<AggExchange> xchg_;
  llvm::GlobalVariable* arrival_ = nullptr;
  bool by_record_ = false;  // arrival_ is a base (record_arrival), not a counter
  llvm::GlobalVariable* fired_upto_ = nullptr;
};

}  // namespace

OperatorPtr make_window(const plan::AggregateStage& stage, const StageSite& site, Operator* next) {
  return std::make_unique<WindowOp>(stage, site, next);
}

}  // namespace flowc::codegen
