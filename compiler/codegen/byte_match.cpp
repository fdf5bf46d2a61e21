#include "codegen/byte_match.h"

#include <llvm/IR/Constants.h>

#include <map>

namespace flowc::codegen {

namespace {

// The word of `width` bytes of `lit` at `at`, little-endian (x86-64).
uint64_t literal_word(const std::string& lit, size_t at, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(lit[at + i])) << (8 * i);
  }
  return v;
}

// The (offset, width) loads that cover n bytes without reading past them.
std::vector<std::pair<size_t, size_t>> cover(size_t n) {
  std::vector<std::pair<size_t, size_t>> parts;
  if (n == 0) return parts;
  size_t width = n >= 8 ? 8 : n >= 4 ? 4 : n >= 2 ? 2 : 1;
  size_t at = 0;
  for (; at + width <= n; at += width) parts.emplace_back(at, width);
  if (at < n) {
    // The rest: one more load ending at n, overlapping the last one (a
    // 3-byte name: 2 bytes at 0 and 2 bytes at 1).
    parts.emplace_back(n - width, width);
  }
  return parts;
}

}  // namespace

llvm::Value* emit_bytes_equal(CgContext& cg, llvm::Value* p, const std::string& lit) {
  auto& b = cg.b();
  llvm::Value* all = b.getTrue();
  for (auto [at, width] : cover(lit.size())) {
    llvm::Type* t = b.getIntNTy(static_cast<unsigned>(8 * width));
    llvm::LoadInst* word =
        b.CreateAlignedLoad(t, b.CreateConstInBoundsGEP1_64(cg.i8(), p, at), llvm::Align(1));
    llvm::Value* eq = b.CreateICmpEQ(word, llvm::ConstantInt::get(t, literal_word(lit, at, width)));
    all = b.CreateAnd(all, eq);
  }
  return all;
}

llvm::Function* emit_name_lookup(CgContext& cg, const std::string& name,
                                 const std::vector<std::string>& names) {
  auto& b = cg.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg.fs();
  auto* type = llvm::FunctionType::get(cg.i64(), {cg.ptr(), cg.i64()}, false);
  llvm::Function* fn = cg.begin_function(name, type);
  llvm::Value* key = fn->getArg(0);
  llvm::Value* len = fn->getArg(1);
  std::map<size_t, std::vector<size_t>> by_length;
  for (size_t i = 0; i < names.size(); ++i) by_length[names[i].size()].push_back(i);

  llvm::BasicBlock* none = llvm::BasicBlock::Create(cg.llvm(), "key.none", fn);
  llvm::SwitchInst* sw = b.CreateSwitch(len, none, static_cast<unsigned>(by_length.size()));
  for (const auto& [length, which] : by_length) {
    llvm::BasicBlock* bb =
        llvm::BasicBlock::Create(cg.llvm(), "key.len" + std::to_string(length), fn);
    sw->addCase(llvm::cast<llvm::ConstantInt>(cg.i64c(static_cast<int64_t>(length))), bb);
    b.SetInsertPoint(bb);
    for (size_t i : which) {
      llvm::BasicBlock* hit = llvm::BasicBlock::Create(cg.llvm(), "key.hit", fn);
      llvm::BasicBlock* miss = llvm::BasicBlock::Create(cg.llvm(), "key.miss", fn);
      b.CreateCondBr(emit_bytes_equal(cg, key, names[i]), hit, miss);
      b.SetInsertPoint(hit);
      b.CreateRet(cg.i64c(static_cast<int64_t>(i)));
      b.SetInsertPoint(miss);
    }
    b.CreateBr(none);
  }
  b.SetInsertPoint(none);
  b.CreateRet(cg.i64c(-1));
  cg.fs() = saved;
  return fn;
}

}  // namespace flowc::codegen
