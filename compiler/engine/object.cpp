// compiler/engine/object.cpp — an optimized module as a relocatable object
// in memory: what the compile cache stores, what the JIT links and what
// `flowc build` hands to the system linker.
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include <algorithm>

#include "engine/engine.h"
#include "engine/target.h"

namespace flowc::engine {

namespace {

// The entries of `llvm.global_ctors` / `llvm.global_dtors` (priority,
// function), in the order they must run: ascending priority, then as
// listed (LangRef).
std::vector<llvm::Function*> structors(llvm::Module& m, const char* list_name) {
  llvm::GlobalVariable* list = m.getNamedGlobal(list_name);
  if (list == nullptr || !list->hasInitializer()) return {};
  auto* array = llvm::dyn_cast<llvm::ConstantArray>(list->getInitializer());
  std::vector<std::pair<uint64_t, llvm::Function*>> entries;
  if (array != nullptr) {
    for (const llvm::Use& op : array->operands()) {
      auto* entry = llvm::dyn_cast<llvm::ConstantStruct>(op.get());
      if (entry == nullptr) continue;
      auto* priority = llvm::dyn_cast<llvm::ConstantInt>(entry->getOperand(0));
      auto* fn = llvm::dyn_cast<llvm::Function>(entry->getOperand(1)->stripPointerCasts());
      if (priority != nullptr && fn != nullptr) entries.emplace_back(priority->getZExtValue(), fn);
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  list->eraseFromParent();
  std::vector<llvm::Function*> out;
  for (const auto& e : entries) out.push_back(e.second);
  return out;
}

//   void NAME(void) { f1(); f2(); ... }
void define_caller(llvm::Module& m, const char* name, const std::vector<llvm::Function*>& calls) {
  llvm::LLVMContext& ctx = m.getContext();
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
                                    llvm::Function::ExternalLinkage, name, m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
  for (llvm::Function* f : calls) b.CreateCall(f->getFunctionType(), f);
  b.CreateRetVoid();
}

}  // namespace

// An object linked by the JIT has no loader to run its .init_array, and
// ORC's generic platform only runs the constructors of IR modules. So the
// constructors (and destructors) become two plain functions that
// JitSession calls itself (a C++ function compiled into the pipeline may
// have static objects).
void expose_structors(llvm::Module& m) {
  define_caller(m, kModuleInitSymbol, structors(m, "llvm.global_ctors"));
  std::vector<llvm::Function*> dtors = structors(m, "llvm.global_dtors");
  std::reverse(dtors.begin(), dtors.end());  // destructors run in reverse
  define_caller(m, kModuleFiniSymbol, dtors);
}

std::unique_ptr<llvm::MemoryBuffer> emit_object(llvm::Module& m, ObjectUse use,
                                                std::string& error) {
  initialize_llvm();
  llvm::Triple triple(m.getTargetTriple().empty() ? llvm::sys::getProcessTriple()
                                                  : m.getTargetTriple());
  std::unique_ptr<llvm::TargetMachine> tm =
      make_host_target_machine(triple, llvm::CodeGenOptLevel::Default, error);
  if (!tm) return nullptr;
  if (m.getDataLayout() != tm->createDataLayout()) {
    // optimize_module gave the module this layout; a different one means
    // it was skipped, and code for the wrong layout would be wrong.
    error = "the module's data layout is not the host's (was optimize_module called?)";
    return nullptr;
  }
  if (use == ObjectUse::Jit) expose_structors(m);
  llvm::SmallVector<char, 0> bytes;
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager passes;
  if (tm->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return nullptr;
  }
  passes.run(m);
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(std::move(bytes),
                                                         m.getModuleIdentifier() + ".o",
                                                         /*RequiresNullTerminator=*/false);
}

}  // namespace flowc::engine
