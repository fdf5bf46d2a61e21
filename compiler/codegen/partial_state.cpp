#include "codegen/partial_state.h"

namespace flowc::codegen {
namespace {

llvm::Value* is_dirty(CgContext& cg, KeyedTable& table, llvm::Value* slot) {
  llvm::Value* mark = cg.b().CreateLoad(cg.i8(), table.field(slot, kSlotDirtyOffset));
  return cg.b().CreateICmpNE(mark, cg.b().getInt8(0));
}

// The serial fold: every slot still dirty (new to worker 0's table, or
// all of them without emit_merge_found) probed into worker 0's table.
void emit_fold_rest(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker) {
  FunctionState& fs = cg.fs();
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
}

//   void merge_new(FlowContext* ctx, int32_t worker, int32_t part, int32_t parts) {
//     for (src in part of table[worker], dirty) {   // new to table[0]
//       dst = claim_copy(table[0], src);  combine(dst, src); release(src);
//     }
//   }
// The keys are distinct and absent from table[0], which has room for them
// all (reserve_fresh): a thread only claims free slots, never compares keys.
llvm::Function* merge_new_function(CgContext& cg, KeyedTable& table, AggState& state) {
  auto& b = cg.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg.fs();
  auto* type =
      llvm::FunctionType::get(b.getVoidTy(), {cg.ptr(), cg.i32(), cg.i32(), cg.i32()}, false);
  llvm::Function* fn = cg.begin_function(cg.unique("merge_new"), type);
  FunctionState& fs = cg.fs();
  fs.ctx = fn->getArg(0);
  llvm::Value* worker = fn->getArg(1);
  llvm::Value* part = fn->getArg(2);
  fs.worker = worker;
  table.for_each_slot(
      [&](llvm::Value* src) {
        llvm::BasicBlock* fold = llvm::BasicBlock::Create(cg.llvm(), "new.fold", fs.fn);
        llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "new.next", fs.fn);
        b.CreateCondBr(is_dirty(cg, table, src), fold, next);
        b.SetInsertPoint(fold);
        llvm::Value* dst = table.claim_copy(src, part);
        state.combine(cg, dst, src, b.getTrue());
        if (state.owns_memory()) state.release(cg, src);
        table.release_keys(src);
        b.CreateBr(next);
        b.SetInsertPoint(next);
      },
      nullptr, part, fn->getArg(3));
  b.CreateRetVoid();
  cg.fs() = saved;
  return fn;
}

}  // namespace

void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker,
                        bool reserve) {
  FunctionState& fs = cg.fs();
  auto& b = cg.b();
  llvm::Value* saved = fs.worker;
  if (!reserve || table.partitioned()) {
    fs.worker = worker;
    emit_fold_rest(cg, table, state, worker);
    table.clear();
    fs.worker = saved;
    return;
  }
  fs.worker = cg.i32c(0);
  llvm::Value* fresh = table.reserve_fresh();
  llvm::Function* fn = merge_new_function(cg, table, state);
  fs.worker = worker;
  llvm::Value* shared = b.CreateCall(cg.runtime("flow_merge_parts"), {fs.ctx, fn, worker, fresh});
  llvm::BasicBlock* on_all = llvm::BasicBlock::Create(cg.llvm(), "merge.shared", fs.fn);
  llvm::BasicBlock* on_one = llvm::BasicBlock::Create(cg.llvm(), "merge.serial", fs.fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "merge.done", fs.fn);
  b.CreateCondBr(b.CreateICmpNE(shared, cg.i32c(0)), on_all, on_one);
  b.SetInsertPoint(on_all);
  fs.worker = cg.i32c(0);
  table.count_added(fresh);
  fs.worker = worker;
  b.CreateBr(done);
  b.SetInsertPoint(on_one);
  emit_fold_rest(cg, table, state, worker);
  b.CreateBr(done);
  b.SetInsertPoint(done);
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
  llvm::Value* fresh = cg.entry_alloca(cg.i64(), "found.fresh");
  b.CreateStore(cg.i64c(0), fresh);
  table.for_each_slot(
      [&](llvm::Value* src) {
        std::vector<CgValue> keys;
        for (size_t i = 0; i < table.key_count(); ++i) keys.push_back(table.key(src, i));
        llvm::Value* partition = table.partitioned() ? table.partition(src) : nullptr;
        fs.worker = cg.i32c(0);
        llvm::Value* dst = table.find_existing(keys, partition, table.stored_hash(src));
        fs.worker = worker;
        llvm::BasicBlock* fold = llvm::BasicBlock::Create(cg.llvm(), "found.fold", fs.fn);
        llvm::BasicBlock* fresh_key = llvm::BasicBlock::Create(cg.llvm(), "found.new", fs.fn);
        llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "found.next", fs.fn);
        b.CreateCondBr(b.CreateIsNull(dst), fresh_key, fold);
        b.SetInsertPoint(fresh_key);
        b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), fresh), cg.i64c(1)), fresh);
        b.CreateBr(next);
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
  table.add_fresh(b.CreateLoad(cg.i64(), fresh));
  fs.worker = saved;
}

}  // namespace flowc::codegen
