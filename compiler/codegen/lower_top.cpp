// aggregate ... | top N by EXPR [asc|desc], ...
//
// Of the rows an aggregate emits at one batch end, the first N per window
// (LANGUAGE.md 13 "Ranking"). Those rows arrive window by window (emission
// order, 6.1), so one bounded heap (stdlib top_n.cpp) holds the current
// window's best N: O(log N) per row and N rows of memory, however many
// groups there are. Ties rank by the keys ascending.
//
// Per row (handed on by the aggregate at a batch end):
//   order = EXPR, ...                                  // may fail: row dropped
//   if (windowed && heap.count && window != current) flush(); current = window
//   at = flow_topn_offer(&heap, {row, order}, N, rank, &evicted)
//   if (at) { if (evicted) free(at's strings); *at = {row, order} with copied strings;
//             flow_topn_settle(&heap, at, rank) }
// flush() — for the window's last row, and at this stage's own batch end:
//   flow_topn_sort(&heap, rank)
//   for row in heap: next(row) with event time window_end - 1ms; free(row's strings)
//   flow_topn_clear(&heap)
// The heap is empty between batches: a checkpoint holds nothing of it.
#include <llvm/IR/Constants.h>

#include "codegen/operator.h"
#include "codegen/state_layout.h"
#include "codegen/time.h"

namespace flowc::codegen {
namespace {

using plan::Type;

class TopOp : public Operator {
 public:
  TopOp(const plan::TopStage& stage, const plan::Schema& input, const plan::Clock& clock,
        int root_source, Operator* next)
      : stage_(stage), input_(input), clock_(clock), root_source_(root_source), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    prepare(cg);
    ExprEnv env{&row, {}};
    std::vector<CgValue> order;
    for (const plan::TopStage::Key& k : stage_.order) order.push_back(emit_expr(cg, *k.expr, env));
    if (stage_.windowed) {
      // A new window: the previous one's rows are all in.
      llvm::Value* start = row[0].v;
      llvm::Value* end = row[1].v;
      llvm::Value* other = b.CreateOr(b.CreateICmpNE(start, b.CreateLoad(cg.i64(), current_start_)),
                                      b.CreateICmpNE(end, b.CreateLoad(cg.i64(), current_end_)));
      llvm::Value* count = b.CreateCall(cg.stdlib("flow_topn_count"), {heap_});
      llvm::Value* held = b.CreateICmpSGT(count, cg.i64c(0));
      llvm::BasicBlock* flush = llvm::BasicBlock::Create(cg.llvm(), "top.flush", cg.fs().fn);
      llvm::BasicBlock* same = llvm::BasicBlock::Create(cg.llvm(), "top.window", cg.fs().fn);
      b.CreateCondBr(b.CreateAnd(other, held), flush, same);
      b.SetInsertPoint(flush);
      call_flush(cg);
      b.CreateBr(same);
      b.SetInsertPoint(same);
      b.CreateStore(start, current_start_);
      b.CreateStore(end, current_end_);
    }
    llvm::Type* row_type = llvm::ArrayType::get(cg.i64(), row_bytes_ / 8);
    llvm::Value* candidate = cg.entry_alloca(row_type, "top.candidate");
    store_row(cg, candidate, row, order, false);
    llvm::Value* evicted = cg.entry_alloca(cg.i32(), "top.evicted");
    llvm::Value* at =
        b.CreateCall(cg.stdlib("flow_topn_offer"),
                     {heap_, candidate, cg.i64c(row_bytes_), cg.i64c(stage_.n), rank_, evicted});
    llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "top.keep", cg.fs().fn);
    llvm::BasicBlock* free_old = llvm::BasicBlock::Create(cg.llvm(), "top.evict", cg.fs().fn);
    llvm::BasicBlock* write = llvm::BasicBlock::Create(cg.llvm(), "top.write", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "top.done", cg.fs().fn);
    b.CreateCondBr(b.CreateIsNull(at), done, keep);
    b.SetInsertPoint(keep);
    b.CreateCondBr(b.CreateICmpNE(b.CreateLoad(cg.i32(), evicted), cg.i32c(0)), free_old, write);
    b.SetInsertPoint(free_old);
    free_strings(cg, at);
    b.CreateBr(write);
    b.SetInsertPoint(write);
    store_row(cg, at, row, order, true);
    b.CreateCall(cg.stdlib("flow_topn_settle"), {heap_, at, cg.i64c(row_bytes_), rank_});
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  // Only the ranking expressions can fail here; what follows sees the
  // rows later, when the window is flushed.
  void check(CgContext& cg, const Row& row) override {
    ExprEnv env{&row, {}};
    for (const plan::TopStage::Key& k : stage_.order) emit_expr(cg, *k.expr, env);
  }

  void end_batch(CgContext& cg) override {
    if (!flush_) return;  // no aggregate reaches this stage
    call_flush(cg);
  }

 private:
  // Row layout: the input's fields, then the ranking values; 8 bytes each,
  // strings 16 ({ptr, len}; in the heap, copies the row owns).
  void prepare(CgContext& cg) {
    if (flush_) return;
    SlotLayout layout;
    layout.size = 0;
    for (const plan::Field& f : input_.fields) {
      field_offsets_.push_back(layout.add(value_bytes(f.type)));
    }
    for (const plan::TopStage::Key& k : stage_.order) {
      order_offsets_.push_back(layout.add(value_bytes(k.expr->type)));
    }
    row_bytes_ = layout.size;
    std::string name = cg.unique("top");
    llvm::Type* heap_type = llvm::ArrayType::get(cg.i64(), 3);  // FlowTopN
    heap_ =
        new llvm::GlobalVariable(cg.module(), heap_type, false, llvm::GlobalValue::InternalLinkage,
                                 llvm::ConstantAggregateZero::get(heap_type), name + ".heap");
    auto global = [&](const std::string& n) {
      return new llvm::GlobalVariable(cg.module(), cg.i64(), false,
                                      llvm::GlobalValue::InternalLinkage, cg.i64c(INT64_MIN),
                                      name + "." + n);
    };
    current_start_ = global("window_start");
    current_end_ = global("window_end");
    rank_ = rank_function(cg, name);
    flush_ = flush_function(cg, name);
  }

  std::vector<Type> order_types() const {
    std::vector<Type> out;
    for (const plan::TopStage::Key& k : stage_.order) out.push_back(k.expr->type);
    return out;
  }

  // Writes the row and its ranking values at `at`; with `own`, strings are
  // copied (flow_bytes_dup) for the heap to keep.
  void store_row(CgContext& cg, llvm::Value* at, const Row& row, const std::vector<CgValue>& order,
                 bool own) {
    auto store = [&](CgValue v, int64_t offset) {
      if (own && v.type == Type::String) {
        v.v = cg.b().CreateCall(cg.stdlib("flow_bytes_dup"), {v.v, v.len});
      }
      cg.store_value(v, field(cg, at, offset));
    };
    for (size_t i = 0; i < row.size(); ++i) store(row[i], field_offsets_[i]);
    for (size_t i = 0; i < order.size(); ++i) store(order[i], order_offsets_[i]);
  }

  void free_strings(CgContext& cg, llvm::Value* at) {
    auto free_at = [&](Type t, int64_t offset) {
      if (t != Type::String) return;
      llvm::Value* bytes = cg.b().CreateLoad(cg.ptr(), field(cg, at, offset));
      cg.b().CreateCall(cg.stdlib("flow_bytes_free"), {bytes});
    };
    for (size_t i = 0; i < input_.fields.size(); ++i) {
      free_at(input_.fields[i].type, field_offsets_[i]);
    }
    for (size_t i = 0; i < stage_.order.size(); ++i) {
      free_at(stage_.order[i].expr->type, order_offsets_[i]);
    }
  }

  llvm::Value* field(CgContext& cg, llvm::Value* row, int64_t offset) {
    return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(offset));
  }

  //   int32_t rank(const void* a, const void* b) {
  //     for each EXPR: c = compare(a.expr, b.expr); if (c) return desc ? -c : c;
  //     for each key:  c = compare(a.key, b.key);   if (c) return c;
  //     return 0;
  //   }
  llvm::Function* rank_function(CgContext& cg, const std::string& name) {
    auto& b = cg.b();
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    FunctionState saved = cg.fs();
    auto* type = llvm::FunctionType::get(cg.i32(), {cg.ptr(), cg.ptr()}, false);
    llvm::Function* fn = cg.begin_function(name + ".rank", type);
    llvm::Value* x = fn->getArg(0);
    llvm::Value* y = fn->getArg(1);
    auto compare_at = [&](Type t, int64_t offset, bool descending) {
      llvm::Value* c = emit_compare(cg, cg.load_value(t, field(cg, x, offset)),
                                    cg.load_value(t, field(cg, y, offset)));
      if (descending) c = b.CreateSub(cg.i32c(0), c);
      llvm::BasicBlock* differ = llvm::BasicBlock::Create(cg.llvm(), "differ", fn);
      llvm::BasicBlock* same = llvm::BasicBlock::Create(cg.llvm(), "same", fn);
      b.CreateCondBr(b.CreateICmpNE(c, cg.i32c(0)), differ, same);
      b.SetInsertPoint(differ);
      b.CreateRet(c);
      b.SetInsertPoint(same);
    };
    std::vector<Type> types = order_types();
    for (size_t i = 0; i < types.size(); ++i) {
      compare_at(types[i], order_offsets_[i], stage_.order[i].descending);
    }
    for (int k : stage_.keys) compare_at(input_.fields[k].type, field_offsets_[k], false);
    b.CreateRet(cg.i32c(0));
    cg.fs() = saved;
    return fn;
  }

  //   void flush(FlowContext* ctx, const FlowBatch* batch) — see the top.
  // Its own function, so that what follows this stage is emitted once and
  // runs both from consume (a window ends) and from end_batch.
  llvm::Function* flush_function(CgContext& cg, const std::string& name) {
    auto& b = cg.b();
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    FunctionState saved = cg.fs();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg.ptr(), cg.ptr()}, false);
    llvm::Function* fn = cg.begin_function(name + ".flush", type);
    FunctionState& fs = cg.fs();
    fs.ctx = fn->getArg(0);
    fs.batch = fn->getArg(1);
    fs.arena = b.CreateCall(cg.runtime("flow_scratch"), {fs.ctx});
    fs.source = root_source_;
    llvm::Value* count = b.CreateCall(cg.stdlib("flow_topn_count"), {heap_});
    b.CreateCall(cg.stdlib("flow_topn_sort"), {heap_, cg.i64c(row_bytes_), rank_});
    llvm::Value* i = cg.entry_alloca(cg.i64(), "top.i");
    b.CreateStore(cg.i64c(0), i);
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "top.head", fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "top.row", fn);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "top.next", fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "top.done", fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    b.CreateCondBr(b.CreateICmpSLT(b.CreateLoad(cg.i64(), i), count), body, done);
    b.SetInsertPoint(body);
    auto row_at = [&] {
      return b.CreateCall(cg.stdlib("flow_topn_row"),
                          {heap_, b.CreateLoad(cg.i64(), i), cg.i64c(row_bytes_)});
    };
    llvm::Value* at = row_at();
    Row out;
    for (size_t k = 0; k < input_.fields.size(); ++k) {
      out.push_back(cg.load_value(input_.fields[k].type, field(cg, at, field_offsets_[k])));
    }
    // A windowed aggregate's rows carry event time window_end - 1ms (13).
    llvm::Value* time = nullptr;
    if (stage_.windowed && clock_.event_time) time = b.CreateSub(out[1].v, cg.i64c(1));
    fs.next_record = next;  // a row found bad downstream is dropped alone
    emit_row(cg, next_, out, root_source_, time);
    b.CreateBr(next);
    b.SetInsertPoint(next);
    free_strings(cg, row_at());
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), i), cg.i64c(1)), i);
    b.CreateBr(head);
    b.SetInsertPoint(done);
    b.CreateCall(cg.stdlib("flow_topn_clear"), {heap_});
    b.CreateRetVoid();
    cg.fs() = saved;
    return fn;
  }

  void call_flush(CgContext& cg) { cg.b().CreateCall(flush_, {cg.fs().ctx, cg.fs().batch}); }

  const plan::TopStage& stage_;
  const plan::Schema& input_;
  plan::Clock clock_;
  int root_source_;
  Operator* next_;
  std::vector<int64_t> field_offsets_, order_offsets_;
  int64_t row_bytes_ = 0;
  llvm::GlobalVariable* heap_ = nullptr;
  llvm::GlobalVariable* current_start_ = nullptr;
  llvm::GlobalVariable* current_end_ = nullptr;
  llvm::Function* rank_ = nullptr;
  llvm::Function* flush_ = nullptr;
};

}  // namespace

OperatorPtr make_top(const plan::TopStage& stage, const plan::Schema& input,
                     const plan::Clock& clock, int root_source, Operator* next) {
  return std::make_unique<TopOp>(stage, input, clock, root_source, next);
}

}  // namespace flowc::codegen
