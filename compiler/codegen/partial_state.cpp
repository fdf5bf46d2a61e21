#include "codegen/partial_state.h"

namespace flowc::codegen {
namespace {

llvm::Value* is_dirty(CgContext& cg, KeyedTable& table, llvm::Value* slot) {
  llvm::Value* mark = cg.b().CreateLoad(cg.i8(), table.field(slot, kSlotDirtyOffset));
  return cg.b().CreateICmpNE(mark, cg.b().getInt8(0));
}

}  // namespace

void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker) {
  FunctionState& fs = cg.fs();
  llvm::Value* saved = fs.worker;
  fs.worker = worker;
  table.for_each_slot(
      [&](llvm::Value* src) {
        // Done by emit_merge_found.
        llvm::BasicBlock* fold = llvm::BasicBlock::Create(cg.llvm(), "merge.fold", fs.fn);
        llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "merge.next", fs.fn);
        cg.b().CreateCondBr(is_dirty(cg, table, src), fold, next);
        cg.b().SetInsertPoint(fold);
        std::vector<CgValue> keys;
        for (size_t i = 0; i < table.key_count(); ++i) keys.push_back(table.key(src, i));
        llvm::Value* part = table.partitioned() ? table.partition(src) : nullptr;
        fs.worker = cg.i32c(0);
        // The slot's stored hash is its keys' (the same hash function in
        // every worker's table): no rehashing of string keys.
        auto [dst, fresh] = table.probe(keys, part, false, table.stored_hash(src));
        fs.worker = worker;
        state.combine(cg, dst, src, fresh);
        if (state.owns_memory()) state.release(cg, src);
        table.release_keys(src);
        cg.b().CreateBr(next);
        cg.b().SetInsertPoint(next);
      },
      [&](llvm::Value* ahead) {  // where a slot further on will probe worker 0's table
        fs.worker = cg.i32c(0);
        table.prefetch(table.stored_hash(ahead));
        fs.worker = worker;
      });
  table.clear();
  fs.worker = saved;
}

}  // namespace flowc::codegen

namespace flowc::codegen {

void emit_merge_found(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker,
                      llvm::Value* part, llvm::Value* parts) {
  FunctionState& fs = cg.fs();
  auto& b = cg.b();
  llvm::Value* saved = fs.worker;
  fs.worker = worker;
  table.for_each_slot(
      [&](llvm::Value* src) {
        std::vector<CgValue> keys;
        for (size_t i = 0; i < table.key_count(); ++i) keys.push_back(table.key(src, i));
        llvm::Value* partition = table.partitioned() ? table.partition(src) : nullptr;
        fs.worker = cg.i32c(0);
        llvm::Value* dst = table.find_existing(keys, partition, table.stored_hash(src));
        fs.worker = worker;
        llvm::BasicBlock* fold = llvm::BasicBlock::Create(cg.llvm(), "found.fold", fs.fn);
        llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "found.next", fs.fn);
        b.CreateCondBr(b.CreateIsNull(dst), next, fold);
        b.SetInsertPoint(fold);
        state.combine(cg, dst, src, b.getFalse());
        b.CreateStore(b.getInt8(1), table.field(dst, kSlotDirtyOffset));
        if (state.owns_memory()) state.release(cg, src);
        table.release_keys(src);
        b.CreateStore(b.getInt8(0), table.field(src, kSlotDirtyOffset));
        b.CreateBr(next);
        b.SetInsertPoint(next);
      },
      [&](llvm::Value* ahead) {
        fs.worker = cg.i32c(0);
        table.prefetch(table.stored_hash(ahead));
        fs.worker = worker;
      },
      part, parts);
  fs.worker = saved;
}

}  // namespace flowc::codegen
