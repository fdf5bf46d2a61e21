#include "codegen/agg_state.h"

#include <llvm/IR/Constants.h>

#include "codegen/expr_codegen.h"

namespace flowc::codegen {

using plan::AggFn;
using plan::Type;

namespace {

bool ordered(AggFn f) { return f == AggFn::First || f == AggFn::Last; }

int64_t state_bytes(const plan::Aggregate& a) {
  int64_t value = a.type == Type::String ? 24 : 8;
  switch (a.fn) {
    case AggFn::Avg: return 16;
    case AggFn::Min:
    case AggFn::Max: return value;
    case AggFn::First:
    case AggFn::Last: return 8 + value;
    default: return 8;
  }
}

// Emits `if (cond) { body }` at the insertion point.
void emit_if(CgContext& cg, llvm::Value* cond, const std::function<void()>& body) {
  auto& b = cg.b();
  llvm::BasicBlock* then = llvm::BasicBlock::Create(cg.llvm(), "agg.then", cg.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "agg.done", cg.fs().fn);
  b.CreateCondBr(cond, then, done);
  b.SetInsertPoint(then);
  body();
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

}  // namespace

bool orders_by_arrival(const std::vector<plan::Aggregate>& aggs) {
  for (const plan::Aggregate& a : aggs) {
    if (ordered(a.fn)) return true;
  }
  return false;
}

llvm::Value* record_arrival(CgContext& cg, llvm::Value* base) {
  FunctionState& fs = cg.fs();
  if (fs.record_index == nullptr) return nullptr;
  llvm::Value* first = cg.ctx_call_at_entry("flow_arrival_first");
  return cg.b().CreateAdd(cg.b().CreateAdd(base, first), fs.record_index);
}

void emit_arrival_snapshot(CgContext& cg, llvm::Value* base, llvm::Value* writer) {
  auto& b = cg.b();
  llvm::Value* delivered = b.CreateCall(cg.runtime("flow_arrivals"), {cg.fs().ctx});
  llvm::Value* next = b.CreateAdd(b.CreateLoad(cg.i64(), base), delivered);
  b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, next});
}

AggState::AggState(const std::vector<plan::Aggregate>& aggs, SlotLayout& layout) : aggs_(aggs) {
  for (const plan::Aggregate& a : aggs) offsets_.push_back(layout.add(state_bytes(a)));
}

bool AggState::owns_memory() const {
  for (const plan::Aggregate& a : aggs_) {
    if (a.fn == AggFn::CountDistinct) return true;
    if (a.type == Type::String && a.fn != AggFn::Count && a.fn != AggFn::Sum && a.fn != AggFn::Avg) {
      return true;
    }
  }
  return false;
}

std::vector<StateColumn> AggState::columns() const {
  std::vector<StateColumn> out;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const plan::Aggregate& a = aggs_[i];
    int64_t at = offsets_[i];
    ColumnKind value = a.type == Type::String ? ColumnKind::StrBuf : ColumnKind::Scalar;
    switch (a.fn) {
      case AggFn::Avg:
        out.push_back({at, ColumnKind::Scalar});
        out.push_back({at + 8, ColumnKind::Scalar});
        break;
      case AggFn::CountDistinct:
        out.push_back({at, ColumnKind::Distinct});
        break;
      case AggFn::Min:
      case AggFn::Max:
        out.push_back({at, value});
        break;
      case AggFn::First:
      case AggFn::Last:
        out.push_back({at, ColumnKind::Scalar});
        out.push_back({at + 8, value});
        break;
      default:
        out.push_back({at, ColumnKind::Scalar});
    }
  }
  return out;
}

llvm::Value* AggState::at(CgContext& cg, llvm::Value* slot, size_t i, int64_t extra) {
  return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), slot, static_cast<uint64_t>(offsets_[i] + extra));
}

// Strings in state are owned by a FlowStrBuf; other values are stored as is.
void AggState::store_value(CgContext& cg, const CgValue& v, llvm::Value* address) {
  if (v.type == Type::String) {
    cg.b().CreateCall(cg.stdlib("flow_strbuf_set"), {address, v.v, v.len});
  } else {
    cg.store_value(v, address);
  }
}

void AggState::update(CgContext& cg, llvm::Value* slot, const std::vector<CgValue>& args,
                      llvm::Value* fresh, llvm::Value* arrival) {
  auto& b = cg.b();
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const plan::Aggregate& a = aggs_[i];
    const CgValue& v = args[i];
    llvm::Value* state = at(cg, slot, i);
    switch (a.fn) {
      case AggFn::Count:
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), state), cg.i64c(1)), state);
        break;
      case AggFn::Sum:
        if (a.type == Type::Float) {
          b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), state), v.v), state);
        } else {
          b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), state), v.v), state);
        }
        break;
      case AggFn::Avg: {
        llvm::Value* x = v.type == Type::Float ? v.v : b.CreateSIToFP(v.v, cg.f64());
        b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), state), x), state);
        llvm::Value* n = at(cg, slot, i, 8);
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), n), cg.i64c(1)), n);
        break;
      }
      case AggFn::CountDistinct: {
        emit_if(cg, fresh, [&] {
          int kind = v.type == Type::String ? 1 : 0;  // FLOW_DISTINCT_STR / _U64
          b.CreateStore(b.CreateCall(cg.stdlib("flow_distinct_create"), {cg.i32c(kind)}), state);
        });
        llvm::Value* set = b.CreateLoad(cg.ptr(), state);
        if (v.type == Type::String) {
          b.CreateCall(cg.stdlib("flow_distinct_insert_str"), {set, v.v, v.len});
        } else if (v.type == Type::Float) {
          b.CreateCall(cg.stdlib("flow_distinct_insert_f64"), {set, v.v});
        } else {
          llvm::Value* bits = v.type == Type::Bool ? b.CreateZExt(v.v, cg.i64()) : v.v;
          b.CreateCall(cg.stdlib("flow_distinct_insert_u64"), {set, bits});
        }
        break;
      }
      case AggFn::Last:
        b.CreateStore(arrival, state);
        store_value(cg, v, at(cg, slot, i, 8));
        break;
      case AggFn::First:
        emit_if(cg, fresh, [&] {
          b.CreateStore(arrival, state);
          store_value(cg, v, at(cg, slot, i, 8));
        });
        break;
      case AggFn::Min:
      case AggFn::Max: {
        CgValue current = cg.load_value(v.type, state);
        llvm::Value* c = emit_compare(cg, v, current);
        llvm::Value* better = a.fn == AggFn::Min ? b.CreateICmpSLT(c, cg.i32c(0))
                                                 : b.CreateICmpSGT(c, cg.i32c(0));
        if (v.type == Type::Float) {
          // NaN never replaces a number (min/max skip NaN, as in Spark).
          better = b.CreateAnd(better, b.CreateFCmpORD(v.v, v.v));
        }
        emit_if(cg, b.CreateOr(fresh, better), [&] { store_value(cg, v, state); });
        break;
      }
    }
  }
}

void AggState::combine(CgContext& cg, llvm::Value* dst, llvm::Value* src, llvm::Value* dst_empty) {
  auto& b = cg.b();
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const plan::Aggregate& a = aggs_[i];
    llvm::Value* d = at(cg, dst, i);
    llvm::Value* s = at(cg, src, i);
    switch (a.fn) {
      case AggFn::Count:
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), d), b.CreateLoad(cg.i64(), s)), d);
        break;
      case AggFn::Sum:
        if (a.type == Type::Float) {
          b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), d), b.CreateLoad(cg.f64(), s)), d);
        } else {
          b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), d), b.CreateLoad(cg.i64(), s)), d);
        }
        break;
      case AggFn::Avg: {
        b.CreateStore(b.CreateFAdd(b.CreateLoad(cg.f64(), d), b.CreateLoad(cg.f64(), s)), d);
        llvm::Value* dn = at(cg, dst, i, 8);
        llvm::Value* sn = at(cg, src, i, 8);
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), dn), b.CreateLoad(cg.i64(), sn)), dn);
        break;
      }
      case AggFn::CountDistinct: {
        emit_if(cg, dst_empty, [&] {
          int kind = a.arg->type == Type::String ? 1 : 0;
          b.CreateStore(b.CreateCall(cg.stdlib("flow_distinct_create"), {cg.i32c(kind)}), d);
        });
        b.CreateCall(cg.stdlib("flow_distinct_merge"), {b.CreateLoad(cg.ptr(), d), b.CreateLoad(cg.ptr(), s)});
        break;
      }
      case AggFn::First:
      case AggFn::Last: {
        llvm::Value* ds = b.CreateLoad(cg.i64(), d);
        llvm::Value* ss = b.CreateLoad(cg.i64(), s);
        llvm::Value* earlier = a.fn == AggFn::First ? b.CreateICmpSLT(ss, ds) : b.CreateICmpSGT(ss, ds);
        emit_if(cg, b.CreateOr(dst_empty, earlier), [&] {
          b.CreateStore(ss, d);
          store_value(cg, cg.load_value(a.type, at(cg, src, i, 8)), at(cg, dst, i, 8));
        });
        break;
      }
      case AggFn::Min:
      case AggFn::Max: {
        CgValue sv = cg.load_value(a.type, s);
        CgValue dv = cg.load_value(a.type, d);
        llvm::Value* c = emit_compare(cg, sv, dv);
        llvm::Value* better = a.fn == AggFn::Min ? b.CreateICmpSLT(c, cg.i32c(0))
                                                 : b.CreateICmpSGT(c, cg.i32c(0));
        if (a.type == Type::Float) {
          // A NaN-only pane must not hide a number; a number replaces NaN.
          llvm::Value* d_nan = b.CreateFCmpUNO(dv.v, dv.v);
          better = b.CreateOr(b.CreateAnd(better, b.CreateFCmpORD(sv.v, sv.v)), d_nan);
        }
        emit_if(cg, b.CreateOr(dst_empty, better), [&] { store_value(cg, sv, d); });
        break;
      }
    }
  }
}

llvm::Value* AggState::last_arrival(CgContext& cg, llvm::Value* slot) {
  auto& b = cg.b();
  llvm::Value* most = cg.i64c(INT64_MIN);
  for (size_t i = 0; i < aggs_.size(); ++i) {
    if (!ordered(aggs_[i].fn)) continue;
    llvm::Value* n = b.CreateLoad(cg.i64(), at(cg, slot, i));
    most = b.CreateSelect(b.CreateICmpSGT(n, most), n, most);
  }
  return most;
}

std::vector<CgValue> AggState::finalize(CgContext& cg, llvm::Value* slot) {
  auto& b = cg.b();
  std::vector<CgValue> out;
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const plan::Aggregate& a = aggs_[i];
    llvm::Value* state = at(cg, slot, i);
    switch (a.fn) {
      case AggFn::Count:
        out.push_back({Type::Int, b.CreateLoad(cg.i64(), state), nullptr});
        break;
      case AggFn::Avg: {
        llvm::Value* sum = b.CreateLoad(cg.f64(), state);
        llvm::Value* n = b.CreateLoad(cg.i64(), at(cg, slot, i, 8));
        out.push_back({Type::Float, b.CreateFDiv(sum, b.CreateSIToFP(n, cg.f64())), nullptr});
        break;
      }
      case AggFn::CountDistinct:
        out.push_back({Type::Int, b.CreateCall(cg.stdlib("flow_distinct_size"), {b.CreateLoad(cg.ptr(), state)}),
                       nullptr});
        break;
      case AggFn::First:
      case AggFn::Last:
        out.push_back(cg.load_value(a.type, at(cg, slot, i, 8)));
        break;
      default:
        out.push_back(cg.load_value(a.type, state));
    }
  }
  return out;
}

void AggState::release(CgContext& cg, llvm::Value* slot) {
  auto& b = cg.b();
  for (size_t i = 0; i < aggs_.size(); ++i) {
    const plan::Aggregate& a = aggs_[i];
    if (a.fn == AggFn::CountDistinct) {
      b.CreateCall(cg.stdlib("flow_distinct_free"), {b.CreateLoad(cg.ptr(), at(cg, slot, i))});
    } else if (a.type == Type::String && (a.fn == AggFn::Min || a.fn == AggFn::Max)) {
      b.CreateCall(cg.stdlib("flow_strbuf_free"), {at(cg, slot, i)});
    } else if (a.type == Type::String && ordered(a.fn)) {
      b.CreateCall(cg.stdlib("flow_strbuf_free"), {at(cg, slot, i, 8)});
    }
  }
}

}  // namespace flowc::codegen
