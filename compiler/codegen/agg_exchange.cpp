#include "codegen/agg_exchange.h"

#include "codegen/exchange_rows.h"
#include "codegen/state_layout.h"

namespace flowc::codegen {

AggExchange::AggExchange(std::vector<plan::Type> key_types,
                         const std::vector<plan::Aggregate>& aggs)
    : key_types_(std::move(key_types)) {
  for (plan::Type t : key_types_) {
    key_offsets_.push_back(size_);
    size_ += value_bytes(t);
  }
  for (const plan::Aggregate& a : aggs) {
    has_arg_.push_back(a.arg != nullptr);
    arg_types_.push_back(a.arg ? a.arg->type : plan::Type::Int);
    arg_offsets_.push_back(size_);
    if (a.arg) size_ += value_bytes(a.arg->type);
  }
}

void AggExchange::consume(CgContext& cg, const std::vector<CgValue>& keys,
                          const std::vector<CgValue>& args, llvm::Value* arrival, llvm::Value* hash,
                          const Apply& apply) {
  auto& b = cg.b();
  if (!buffers_) buffers_ = cg.worker_global(cg.ptr(), nullptr, cg.unique("aggregate.exchange"));
  llvm::Value* seq = cg.ctx_call_at_entry("flow_morsel_seq");
  llvm::BasicBlock* now = llvm::BasicBlock::Create(cg.llvm(), "agg.now", cg.fs().fn);
  llvm::BasicBlock* later = llvm::BasicBlock::Create(cg.llvm(), "agg.exchange", cg.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "agg.handed", cg.fs().fn);
  b.CreateCondBr(b.CreateICmpSLT(seq, cg.i64c(0)), now, later);
  b.SetInsertPoint(now);
  apply(keys, args, arrival, hash);
  b.CreateBr(done);

  b.SetInsertPoint(later);
  llvm::Value* at = exchange_rows::append(cg, buffers_, cg.i32c(1), cg.i32c(0), seq, size_);
  b.CreateStore(arrival, exchange_rows::at(cg, at, 0));
  b.CreateStore(hash, exchange_rows::at(cg, at, 8));
  for (size_t i = 0; i < keys.size(); ++i) {
    CgValue k = keys[i];
    k.type = key_types_[i];
    exchange_rows::put(cg, buffers_, k, exchange_rows::at(cg, at, key_offsets_[i]));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    if (has_arg_[i]) {
      exchange_rows::put(cg, buffers_, args[i], exchange_rows::at(cg, at, arg_offsets_[i]));
    }
  }
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

//   void replay(FlowContext* ctx, const FlowBatch* batch, int32_t part, void* cursor) {
//     while ((e = flow_xchg_next(cursor))) apply(e's keys, arguments, arrival, hash);
//   }
void AggExchange::replay(CgContext& cg, int root_source, const Apply& apply) {
  if (!buffers_) return;  // no morsel reaches this aggregate
  auto each = [&](llvm::Value* at, llvm::Value* /*cursor*/) {
    auto& b = cg.b();
    auto word = [&](int64_t offset) { return exchange_rows::at(cg, at, offset); };
    llvm::Value* arrival = b.CreateLoad(cg.i64(), word(0));
    llvm::Value* hash = b.CreateLoad(cg.i64(), word(8));
    std::vector<CgValue> keys, args;
    for (size_t i = 0; i < key_types_.size(); ++i) {
      keys.push_back(cg.load_value(key_types_[i], word(key_offsets_[i])));
    }
    for (size_t i = 0; i < has_arg_.size(); ++i) {
      args.push_back(has_arg_[i] ? cg.load_value(arg_types_[i], word(arg_offsets_[i])) : CgValue{});
    }
    apply(keys, args, arrival, hash);
  };
  // On this thread, into the pipeline's table (worker 0).
  llvm::Function* fn =
      exchange_rows::replay_function(cg, "aggregate.replay", root_source, false, {}, each);
  cg.b().CreateCall(cg.runtime("flow_xchg_replay_one"),
                    {cg.fs().ctx, cg.fs().batch, cg.worker0_slot(buffers_), cg.i64c(size_), fn});
}

}  // namespace flowc::codegen
