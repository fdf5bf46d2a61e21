// group by KEYS | aggregate NAME = AGG(x), ...   (running, update mode)
//
// Per row (in the source's fused loop):
//   slot = find_or_insert(table, hash(keys), keys)       // KeyedTable
//   slot->count += 1; slot->sum += x; slot->min = min(slot->min, x) ...
// At the end of each batch (end_batch):
//   for slot in updated slots, by key: next(keys..., finalize(slot))
//
// Aggregate state in the slot (after the keys):
//   count          int64
//   sum            int64 or double
//   avg            double sum, int64 count
//   min, max       the value (strings: FlowStrBuf, 24 bytes)
//   first, last    the value (strings: FlowStrBuf)
//   count_distinct FlowDistinctSet*
#include <llvm/IR/Constants.h>

#include "codegen/keyed_table.h"
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

using plan::AggFn;
using plan::Type;

int64_t state_bytes(const plan::Aggregate& a) {
  switch (a.fn) {
    case AggFn::Avg: return 16;
    case AggFn::Min:
    case AggFn::Max:
    case AggFn::First:
    case AggFn::Last:
      return a.type == Type::String ? 24 : 8;
    default: return 8;
  }
}

class AggregateOp : public Operator {
 public:
  AggregateOp(const plan::Stage& stage, int root_source, Operator* next)
      : stage_(stage), root_source_(root_source), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    KeyedTable& table = table_for(cg);
    ExprEnv env{&row, {}};
    // Arguments first: a failing argument must not create an empty group.
    std::vector<CgValue> keys, args;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    for (const plan::Aggregate& a : stage_.aggregates) {
      args.push_back(a.arg ? emit_expr(cg, *a.arg, env) : CgValue{});
    }
    auto [slot, inserted] = table.probe(keys);
    for (size_t i = 0; i < stage_.aggregates.size(); ++i) {
      update(cg, table, stage_.aggregates[i], table.field(slot, layout_.state_offsets[i]), args[i],
             inserted);
    }
    (void)b;
  }

  void end_batch(CgContext& cg) override {
    if (!table_) return;  // no source reaches this aggregate
    table_->for_each_updated([&](llvm::Value* slot, llvm::BasicBlock*) {
      Row out;
      for (size_t i = 0; i < stage_.keys.size(); ++i) out.push_back(table_->key(slot, i));
      for (size_t i = 0; i < stage_.aggregates.size(); ++i) {
        out.push_back(finalize(cg, stage_.aggregates[i], table_->field(slot, layout_.state_offsets[i])));
      }
      FunctionState& fs = cg.fs();
      int saved = fs.source;
      fs.source = root_source_;
      next_->consume(cg, out);
      fs.source = saved;
    });
  }

 private:
  KeyedTable& table_for(CgContext& cg) {
    if (table_) return *table_;
    std::vector<Type> key_types;
    for (const plan::NamedExpr& k : stage_.keys) key_types.push_back(k.expr->type);
    table_ = std::make_unique<KeyedTable>(cg, cg.unique("aggregate"), key_types, layout_);
    for (const plan::Aggregate& a : stage_.aggregates) layout_.state_offsets.push_back(layout_.add(state_bytes(a)));
    return *table_;
  }

  // Emits the update of one aggregate's state at `at` with value `v`.
  void update(CgContext& cg, KeyedTable& table, const plan::Aggregate& a, llvm::Value* at,
              const CgValue& v, llvm::Value* inserted) {
    auto& b = cg.b();
    switch (a.fn) {
      case AggFn::Count:
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), at), cg.i64c(1)), at);
        return;
      case AggFn::Sum:
        if (a.type == Type::Float) {
          b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), at), v.v), at);
        } else {
          b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), at), v.v), at);
        }
        return;
      case AggFn::Avg: {
        llvm::Value* x = v.type == Type::Float ? v.v : b.CreateSIToFP(v.v, cg.f64());
        b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), at), x), at);
        llvm::Value* n = table.field(at, 8);
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), n), cg.i64c(1)), n);
        return;
      }
      case AggFn::CountDistinct: {
        // The set is made with the group.
        llvm::BasicBlock* make = llvm::BasicBlock::Create(cg.llvm(), "distinct.make", cg.fs().fn);
        llvm::BasicBlock* add = llvm::BasicBlock::Create(cg.llvm(), "distinct.add", cg.fs().fn);
        b.CreateCondBr(inserted, make, add);
        b.SetInsertPoint(make);
        int kind = v.type == Type::String ? 1 : 0;  // FLOW_DISTINCT_STR / _U64
        b.CreateStore(b.CreateCall(cg.stdlib("flow_distinct_create"), {cg.i32c(kind)}), at);
        b.CreateBr(add);
        b.SetInsertPoint(add);
        llvm::Value* set = b.CreateLoad(cg.ptr(), at);
        if (v.type == Type::String) {
          b.CreateCall(cg.stdlib("flow_distinct_insert_str"), {set, v.v, v.len});
        } else if (v.type == Type::Float) {
          b.CreateCall(cg.stdlib("flow_distinct_insert_f64"), {set, v.v});
        } else {
          llvm::Value* bits = v.type == Type::Bool ? b.CreateZExt(v.v, cg.i64()) : v.v;
          b.CreateCall(cg.stdlib("flow_distinct_insert_u64"), {set, bits});
        }
        return;
      }
      case AggFn::Last:
        store(cg, v, at);
        return;
      case AggFn::First:
      case AggFn::Min:
      case AggFn::Max: {
        // A new group takes the value; later rows replace it when better.
        llvm::Value* replace = inserted;
        if (a.fn != AggFn::First) {
          CgValue current = cg.load_value(v.type, at);
          llvm::Value* c = emit_compare(cg, v, current);
          llvm::Value* better = a.fn == AggFn::Min ? b.CreateICmpSLT(c, cg.i32c(0))
                                                   : b.CreateICmpSGT(c, cg.i32c(0));
          if (v.type == Type::Float) {
            // NaN never replaces a number (min/max skip NaN, as Spark does).
            better = b.CreateAnd(better, b.CreateFCmpORD(v.v, v.v));
          }
          replace = b.CreateOr(inserted, better);
        }
        llvm::BasicBlock* set = llvm::BasicBlock::Create(cg.llvm(), "agg.set", cg.fs().fn);
        llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "agg.done", cg.fs().fn);
        b.CreateCondBr(replace, set, done);
        b.SetInsertPoint(set);
        store(cg, v, at);
        b.CreateBr(done);
        b.SetInsertPoint(done);
        return;
      }
    }
  }

  // Stores `v` as the state value (strings owned by a FlowStrBuf).
  static void store(CgContext& cg, const CgValue& v, llvm::Value* at) {
    if (v.type == Type::String) {
      cg.b().CreateCall(cg.stdlib("flow_strbuf_set"), {at, v.v, v.len});
    } else {
      cg.store_value(v, at);
    }
  }

  CgValue finalize(CgContext& cg, const plan::Aggregate& a, llvm::Value* at) {
    auto& b = cg.b();
    switch (a.fn) {
      case AggFn::Count:
        return {Type::Int, b.CreateLoad(cg.i64(), at), nullptr};
      case AggFn::Avg: {
        llvm::Value* sum = b.CreateLoad(cg.f64(), at);
        llvm::Value* n = b.CreateLoad(cg.i64(), b.CreateConstInBoundsGEP1_64(cg.i8(), at, 8));
        return {Type::Float, b.CreateFDiv(sum, b.CreateSIToFP(n, cg.f64())), nullptr};
      }
      case AggFn::CountDistinct:
        return {Type::Int, b.CreateCall(cg.stdlib("flow_distinct_size"), {b.CreateLoad(cg.ptr(), at)}),
                nullptr};
      default:
        return cg.load_value(a.type, at);
    }
  }

  const plan::Stage& stage_;
  int root_source_;
  Operator* next_;
  SlotLayout layout_;
  std::unique_ptr<KeyedTable> table_;
};

}  // namespace

OperatorPtr make_aggregate(const plan::Stage& stage, int root_source, Operator* next) {
  return std::make_unique<AggregateOp>(stage, root_source, next);
}

}  // namespace flowc::codegen
