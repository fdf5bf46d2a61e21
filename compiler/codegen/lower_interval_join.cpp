// [left] join S on FIELD within D   (LANGUAGE.md 13: Flink's interval join)
//
// Both sides are buffered (join_buffer.h), each probed by the other; W is
// the watermark of both sides (IntervalJoinStage::both), W0 as it stood
// when the batch began. A left row l (this stream's) at event time t:
//
//   if (t + D <= W0) { late++; return; }                // joins nothing
//   for r in right[l.FIELD]:                            // arrival order
//     if (|t - r.time| <= D) next(l..., r.fields...)     // event time t
//   left.add(l.FIELD, t, seq++, matched = any pair, l...)
//
// A right row r (the operator reading S) at event time t:
//
//   if (t + D <= W0) { late++; return; }
//   for l in left[r.FIELD]:
//     if (|l.time - t| <= D) { next(l.fields..., r's fields but FIELD); l.matched = 1; }  // time
//     l.time
//   right.add(r.FIELD, t, seq++, 0, r's fields but FIELD)
//
// A row's pairs are all checked before the first is handed on, and before
// it is stored (checked_consume): a bad pair drops the record whole.
// At the end of each batch:
//
//   left join: for each left row with time + D <= W that never matched,
//              ordered by (time, seq): next(l.fields..., S's defaults)   // time l.time
//   left.expire(W - D); right.expire(W - D)
//
// Rows after the join trail W by D (sema's clock), so none of them is late
// downstream.
#include <llvm/IR/Constants.h>
#include <llvm/IR/MDBuilder.h>

#include "codegen/checkpoint.h"
#include "codegen/join_buffer.h"
#include "codegen/operator.h"
#include "codegen/time.h"

namespace flowc::codegen {
namespace {

using plan::Type;

std::vector<Type> types_of(const plan::Schema& s) {
  std::vector<Type> out;
  for (const plan::Field& f : s.fields) out.push_back(f.type);
  return out;
}

// The state of one join, shared by the operator of each side.
class IntervalJoin {
 public:
  IntervalJoin(const plan::IntervalJoinStage& stage, const plan::Schema& input,
               const plan::Schema& other, const StageSite& site, Operator* next)
      : stage_(stage),
        input_(input),
        stream_(site.stream),
        root_source_(site.root_source),
        next_(next) {
    for (int f : stage.other_fields) other_types_.push_back(other.fields[f].type);
  }

  // A row of this stream; `check` only runs the checks of its pairs.
  void left_row(CgContext& cg, const Row& row, bool check) {
    not_late(cg, !check, [&] {
      const CgValue& key = row[stage_.on_field];
      llvm::Value* t = cg.fs().event_time;
      auto pairs = [&](bool checking, llvm::Value* matched) {
        right_->for_each_row(cg, key, [&](llvm::Value* r) {
          within(cg, t, right_->time(cg, r), [&] {
            Row out = row;
            for (CgValue& v : right_->fields(cg, r)) out.push_back(v);
            checking ? next_->check(cg, out) : next_->consume(cg, out);
            if (matched) cg.b().CreateStore(cg.i64c(1), matched);
          });
        });
      };
      if (check) return pairs(true, nullptr);
      checked_consume(
          cg, [&] { pairs(true, nullptr); },
          [&] {
            llvm::Value* matched = cg.entry_alloca(cg.i64(), name_ + ".matched");
            cg.b().CreateStore(cg.i64c(0), matched);
            pairs(false, matched);
            left_->add(cg, key, t, next_seq(cg), cg.b().CreateLoad(cg.i64(), matched), row);
          });
    });
  }

  // A row of S.
  void right_row(CgContext& cg, const Row& row, bool check) {
    not_late(cg, !check, [&] {
      const CgValue& key = row[stage_.other_on_field];
      llvm::Value* t = cg.fs().event_time;
      Row theirs;
      for (int f : stage_.other_fields) theirs.push_back(row[f]);
      auto pairs = [&](bool checking) {
        left_->for_each_row(cg, key, [&](llvm::Value* l) {
          llvm::Value* lt = left_->time(cg, l);
          within(cg, lt, t, [&] {
            Row out = left_->fields(cg, l);
            for (const CgValue& v : theirs) out.push_back(v);
            // A pair carries the left row's event time.
            llvm::Value* saved = cg.fs().event_time;
            cg.fs().event_time = lt;
            checking ? next_->check(cg, out) : next_->consume(cg, out);
            cg.fs().event_time = saved;
            if (!checking) cg.b().CreateStore(cg.i64c(1), left_->matched_at(cg, l));
          });
        });
      };
      if (check) return pairs(true);
      checked_consume(
          cg, [&] { pairs(true); },
          [&] {
            pairs(false);
            right_->add(cg, key, t, next_seq(cg), cg.i64c(0), theirs);
          });
    });
  }

  void end_batch(CgContext& cg) {
    if (!seq_) return;  // no source reaches this join
    llvm::Value* bound = lag_watermark(cg, watermark(cg, stage_.both), stage_.within_ms);
    if (stage_.left) emit_misses(cg, bound);
    left_->expire(cg, bound);
    right_->expire(cg, bound);
  }

  void snapshot(CgContext& cg, llvm::Value* writer) {
    if (!seq_) return;
    emit_global_snapshot(cg, seq_, writer);
    left_->snapshot(cg, writer);
    right_->snapshot(cg, writer);
  }

  void restore(CgContext& cg, llvm::Value* reader) {
    if (!seq_) return;
    emit_global_restore(cg, seq_, reader);
    left_->restore(cg, reader);
    right_->restore(cg, reader);
  }

 private:
  // Runs `keep` unless the row being consumed is late: time + D at or
  // before the watermark of both sides as the batch began (counted when
  // `count`: by consume, not by the checks that run before it).
  template <typename Keep>
  void not_late(CgContext& cg, bool count, Keep keep) {
    auto& b = cg.b();
    prepare(cg);
    llvm::Value* bound = lag_watermark(cg, late_bound(cg, stage_.both), stage_.within_ms);
    llvm::BasicBlock* late = llvm::BasicBlock::Create(cg.llvm(), "join.late", cg.fs().fn);
    llvm::BasicBlock* live = llvm::BasicBlock::Create(cg.llvm(), "join.live", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "join.done", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpSLE(cg.fs().event_time, bound), late, live,
                   llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
    b.SetInsertPoint(late);
    if (count) b.CreateCall(cg.runtime("flow_count_late"), {cg.fs().ctx, cg.i32c(stream_)});
    b.CreateBr(done);
    b.SetInsertPoint(live);
    keep();
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  // if (|a - b| <= D) body();   (the difference taken unsigned: no overflow)
  template <typename Body>
  void within(CgContext& cg, llvm::Value* a, llvm::Value* b_time, Body body) {
    auto& b = cg.b();
    llvm::Value* diff =
        b.CreateSelect(b.CreateICmpSGT(a, b_time), b.CreateSub(a, b_time), b.CreateSub(b_time, a));
    llvm::BasicBlock* pair = llvm::BasicBlock::Create(cg.llvm(), "join.pair", cg.fs().fn);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "join.next", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpULE(diff, cg.i64c(stage_.within_ms)), pair, next);
    b.SetInsertPoint(pair);
    body();
    b.CreateBr(next);
    b.SetInsertPoint(next);
  }

  llvm::Value* next_seq(CgContext& cg) {
    auto& b = cg.b();
    llvm::Value* s = b.CreateLoad(cg.i64(), seq_);
    b.CreateStore(b.CreateAdd(s, cg.i64c(1)), seq_);
    return s;
  }

  //   FlowRowList due = {0};   // pointers to the left rows that never matched
  //   for each left row with time <= bound: if (!row->matched) append(&due, row)
  //   flow_sort(due, by (time, seq));
  //   for each: next(row.fields..., S's defaults)     // a bad one skips to the next
  //   flow_rows_free(&due)
  void emit_misses(CgContext& cg, llvm::Value* bound) {
    auto& b = cg.b();
    llvm::Function* fn = cg.fs().fn;
    llvm::Type* list_type = llvm::StructType::get(cg.llvm(), {cg.ptr(), cg.i64(), cg.i64()});
    llvm::Value* due = cg.entry_alloca(list_type, name_ + ".due");
    b.CreateStore(llvm::Constant::getNullValue(list_type), due);
    left_->for_each_due(cg, bound, [&](llvm::Value* row) {
      llvm::Value* matched =
          b.CreateICmpNE(b.CreateLoad(cg.i64(), left_->matched_at(cg, row)), cg.i64c(0));
      llvm::BasicBlock* take = llvm::BasicBlock::Create(cg.llvm(), "miss.take", fn);
      llvm::BasicBlock* skip = llvm::BasicBlock::Create(cg.llvm(), "miss.skip", fn);
      b.CreateCondBr(matched, skip, take);
      b.SetInsertPoint(take);
      llvm::Value* at = b.CreateCall(cg.stdlib("flow_rows_append"), {due, cg.i64c(8)});
      b.CreateStore(row, at);
      b.CreateBr(skip);
      b.SetInsertPoint(skip);
    });
    llvm::Value* data = b.CreateLoad(cg.ptr(), b.CreateStructGEP(list_type, due, 0));
    llvm::Value* count = b.CreateLoad(cg.i64(), b.CreateStructGEP(list_type, due, 1));
    llvm::BasicBlock* sort = llvm::BasicBlock::Create(cg.llvm(), "miss.sort", fn);
    llvm::BasicBlock* sorted = llvm::BasicBlock::Create(cg.llvm(), "miss.sorted", fn);
    b.CreateCondBr(b.CreateICmpSGT(count, cg.i64c(1)), sort, sorted);
    b.SetInsertPoint(sort);
    b.CreateCall(cg.stdlib("flow_sort"), {data, count, cg.i64c(8), miss_order(cg)});
    b.CreateBr(sorted);
    b.SetInsertPoint(sorted);

    llvm::Value* i = cg.entry_alloca(cg.i64(), name_ + ".miss.i");
    b.CreateStore(cg.i64c(0), i);
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "miss.head", fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "miss.body", fn);
    llvm::BasicBlock* step = llvm::BasicBlock::Create(cg.llvm(), "miss.step", fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "miss.done", fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value* iv = b.CreateLoad(cg.i64(), i);
    b.CreateCondBr(b.CreateICmpSLT(iv, count), body, done);
    b.SetInsertPoint(body);
    llvm::Value* row = b.CreateLoad(cg.ptr(), b.CreateInBoundsGEP(cg.ptr(), data, iv));
    Row out = left_->fields(cg, row);
    for (size_t k = 0; k < stage_.miss_values.size(); ++k) {
      CgValue v = cg.const_value(stage_.miss_values[k]);
      v.type = other_types_[k];
      out.push_back(v);
    }
    llvm::BasicBlock* saved_next = cg.fs().next_record;
    cg.fs().next_record = step;  // a bad miss goes on with the next
    emit_row(cg, next_, out, root_source_, left_->time(cg, row));
    cg.fs().next_record = saved_next;
    b.CreateBr(step);
    b.SetInsertPoint(step);
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), i), cg.i64c(1)), i);
    b.CreateBr(head);
    b.SetInsertPoint(done);
    b.CreateCall(cg.stdlib("flow_rows_free"), {due});
  }

  // int32_t order(row** a, row** b): by time, then seq (arrival).
  llvm::Function* miss_order(CgContext& cg) {
    auto& b = cg.b();
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    FunctionState saved = cg.fs();
    auto* type = llvm::FunctionType::get(cg.i32(), {cg.ptr(), cg.ptr()}, false);
    llvm::Function* fn = cg.begin_function(name_ + ".miss_order", type);
    llvm::Value* x = b.CreateLoad(cg.ptr(), fn->getArg(0));
    llvm::Value* y = b.CreateLoad(cg.ptr(), fn->getArg(1));
    auto cmp = [&](llvm::Value* p, llvm::Value* q) {
      return b.CreateSub(b.CreateZExt(b.CreateICmpSGT(p, q), cg.i32()),
                         b.CreateZExt(b.CreateICmpSLT(p, q), cg.i32()));
    };
    llvm::Value* by_time = cmp(left_->time(cg, x), left_->time(cg, y));
    llvm::Value* by_seq = cmp(left_->seq(cg, x), left_->seq(cg, y));
    b.CreateRet(b.CreateSelect(b.CreateICmpNE(by_time, cg.i32c(0)), by_time, by_seq));
    cg.fs() = saved;
    return fn;
  }

  // Made by the first side whose rows are lowered.
  void prepare(CgContext& cg) {
    if (seq_) return;
    name_ = cg.unique("join");
    Type key = input_.fields[stage_.on_field].type;
    left_ = std::make_unique<JoinBuffer>(name_ + ".left", key, types_of(input_));
    right_ = std::make_unique<JoinBuffer>(name_ + ".right", key, other_types_);
    seq_ = new llvm::GlobalVariable(cg.module(), cg.i64(), false,
                                    llvm::GlobalValue::InternalLinkage, cg.i64c(0), name_ + ".seq");
  }

  const plan::IntervalJoinStage& stage_;
  const plan::Schema& input_;
  int stream_;  // late rows are counted per stream
  int root_source_;
  Operator* next_;
  std::vector<Type> other_types_;  // S's fields after the input's
  std::string name_;
  std::unique_ptr<JoinBuffer> left_, right_;
  llvm::GlobalVariable* seq_ = nullptr;  // arrival numbers, both sides
};

// The stream's own rows (the left side); owns the join's state.
class JoinOp : public Operator {
 public:
  explicit JoinOp(std::shared_ptr<IntervalJoin> join) : join_(std::move(join)) {}
  void consume(CgContext& cg, const Row& row) override { join_->left_row(cg, row, false); }
  void check(CgContext& cg, const Row& row) override { join_->left_row(cg, row, true); }
  void end_batch(CgContext& cg) override { join_->end_batch(cg); }
  void snapshot(CgContext& cg, llvm::Value* writer) override { join_->snapshot(cg, writer); }
  void restore(CgContext& cg, llvm::Value* reader) override { join_->restore(cg, reader); }

 private:
  std::shared_ptr<IntervalJoin> join_;
};

// S's rows: a reader of S, like a sink.
class JoinOtherOp : public Operator {
 public:
  explicit JoinOtherOp(std::shared_ptr<IntervalJoin> join) : join_(std::move(join)) {}
  void consume(CgContext& cg, const Row& row) override { join_->right_row(cg, row, false); }
  void check(CgContext& cg, const Row& row) override { join_->right_row(cg, row, true); }

 private:
  std::shared_ptr<IntervalJoin> join_;
};

}  // namespace

std::pair<OperatorPtr, OperatorPtr> make_interval_join(const plan::IntervalJoinStage& stage,
                                                       const plan::Schema& input,
                                                       const plan::Schema& other,
                                                       const StageSite& site, Operator* next) {
  auto join = std::make_shared<IntervalJoin>(stage, input, other, site, next);
  return {std::make_unique<JoinOp>(join), std::make_unique<JoinOtherOp>(join)};
}

}  // namespace flowc::codegen
