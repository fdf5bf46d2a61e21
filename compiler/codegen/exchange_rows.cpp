#include "codegen/exchange_rows.h"

namespace flowc::codegen::exchange_rows {

llvm::Value* append(CgContext& cg, llvm::GlobalVariable* buffers, llvm::Value* parts,
                    llvm::Value* part, llvm::Value* seq, int64_t size) {
  return cg.b().CreateCall(cg.runtime("flow_xchg_append"),
                           {cg.worker_slot(buffers), parts, part, seq, cg.i64c(size)});
}

llvm::Value* at(CgContext& cg, llvm::Value* row, int64_t offset) {
  return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(offset));
}

void put(CgContext& cg, llvm::GlobalVariable* buffers, CgValue v, llvm::Value* to) {
  if (v.type == plan::Type::String) {
    v.v = cg.b().CreateCall(cg.runtime("flow_xchg_copy"), {cg.worker_slot(buffers), v.v, v.len});
  }
  cg.store_value(v, to);
}

llvm::Function* replay_function(CgContext& cg, const std::string& name, int root_source,
                                bool part_is_worker,
                                const std::function<void(llvm::Value* cursor)>& entry,
                                const RowBody& each) {
  auto& b = cg.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg.fs();
  auto* type =
      llvm::FunctionType::get(b.getVoidTy(), {cg.ptr(), cg.ptr(), cg.i32(), cg.ptr()}, false);
  llvm::Function* fn = cg.begin_function(cg.unique(name), type);
  FunctionState& fs = cg.fs();
  fs.ctx = fn->getArg(0);
  fs.batch = fn->getArg(1);
  fs.worker = part_is_worker ? static_cast<llvm::Value*>(fn->getArg(2)) : cg.i32c(0);
  fs.source = root_source;
  fs.arena = b.CreateCall(cg.runtime("flow_scratch"), {fs.ctx});  // the job's worker's
  llvm::Value* cursor = fn->getArg(3);
  if (entry) entry(cursor);
  llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "replay.next", fn);
  llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "replay.row", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "replay.done", fn);
  fs.next_record = head;
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* row = b.CreateCall(cg.runtime("flow_xchg_next"), {cursor});
  b.CreateCondBr(b.CreateIsNull(row), done, body);
  b.SetInsertPoint(body);
  each(row, cursor);
  b.CreateBr(head);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  cg.fs() = saved;
  return fn;
}

}  // namespace flowc::codegen::exchange_rows
