// compiler/engine/object.cpp — an optimized module as a relocatable object
// in memory: what the compile cache stores, what the JIT links and what
// `flowc build` hands to the system linker.
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
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
#include <llvm/Transforms/Utils/SplitModule.h>

#include <sched.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "engine/engine.h"
#include "engine/object_parts.h"
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

size_t instruction_count(const llvm::Module& m) {
  size_t n = 0;
  for (const llvm::Function& f : m) n += f.getInstructionCount();
  return n;
}

unsigned usable_cpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
  return static_cast<unsigned>(CPU_COUNT(&set));
}

bool generate_object(llvm::Module& m, llvm::TargetMachine& tm, llvm::SmallVectorImpl<char>& bytes,
                     std::string& error) {
  llvm::raw_svector_ostream out(bytes);
  llvm::legacy::PassManager passes;
  if (tm.addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  passes.run(m);
  return true;
}

namespace {

// An object set (several objects in one buffer, see below).
constexpr char kSetMagic[8] = {'F', 'L', 'O', 'W', 'C', 'S', 'E', 'T'};

// The machine code's target: the host CPU for the JIT, the architecture's
// baseline for a built program (engine.h).
std::unique_ptr<llvm::TargetMachine> target_machine(const llvm::Triple& triple, ObjectUse use,
                                                    std::string& error) {
  return use == ObjectUse::Executable
             ? make_portable_target_machine(triple, llvm::CodeGenOptLevel::Default, error)
             : make_host_target_machine(triple, llvm::CodeGenOptLevel::Default, error);
}

// The module's machine code; false with *error.
bool generate(llvm::Module& m, ObjectUse use, llvm::SmallVectorImpl<char>& bytes,
              std::string& error) {
  std::unique_ptr<llvm::TargetMachine> tm =
      target_machine(llvm::Triple(m.getTargetTriple()), use, error);
  return tm && generate_object(m, *tm, bytes, error);
}

// llvm::SplitModule cuts `m` into `n` partitions (what one partition uses
// from another becomes an exported symbol of the JIT dylib); each is
// written as bitcode, read back into a context of its own (a context is
// not shared between threads) and generated on its own thread.
bool generate_parallel(llvm::Module& m, unsigned n, std::vector<std::string>& objects,
                       std::string& error) {
  std::vector<llvm::SmallVector<char, 0>> parts;
  llvm::SplitModule(m, n, [&](std::unique_ptr<llvm::Module> part) {
    if (part->getFunctionList().empty() && part->global_empty()) return;
    parts.emplace_back();
    llvm::raw_svector_ostream out(parts.back());
    llvm::WriteBitcodeToFile(*part, out);
  });
  objects.assign(parts.size(), "");
  std::vector<std::string> errors(parts.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < parts.size(); ++i) {
    threads.emplace_back([&, i] {
      llvm::LLVMContext ctx;
      llvm::StringRef bitcode(parts[i].data(), parts[i].size());
      auto part = llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "partition"), ctx);
      if (!part) {
        errors[i] = llvm::toString(part.takeError());
        return;
      }
      llvm::SmallVector<char, 0> bytes;
      if (generate(**part, ObjectUse::Jit, bytes, errors[i]))
        objects[i].assign(bytes.data(), bytes.size());
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) {
    if (!e.empty()) {
      error = e;
      return false;
    }
  }
  return true;
}

}  // namespace

//   "FLOWCSET"  u32 count  u32 0  u64 size x count  objects, each padded to 8 bytes
std::string object_set(const std::vector<std::string>& objects) {
  std::string out(kSetMagic, sizeof kSetMagic);
  auto put = [&](auto v) { out.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(static_cast<uint32_t>(objects.size()));
  put(uint32_t{0});
  for (const std::string& o : objects) put(static_cast<uint64_t>(o.size()));
  for (const std::string& o : objects) {
    out += o;
    out.append((8 - o.size() % 8) % 8, '\0');
  }
  return out;
}

std::vector<std::unique_ptr<llvm::MemoryBuffer>> split_object_set(const llvm::MemoryBuffer& buffer,
                                                                  std::string& error) {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> out;
  llvm::StringRef bytes = buffer.getBuffer();
  if (!bytes.starts_with(llvm::StringRef(kSetMagic, sizeof kSetMagic))) {
    out.push_back(llvm::MemoryBuffer::getMemBufferCopy(bytes, buffer.getBufferIdentifier()));
    return out;
  }
  auto read = [&](size_t at, auto& v) {
    if (at + sizeof v > bytes.size()) return false;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return true;
  };
  uint32_t count = 0;
  size_t at = sizeof kSetMagic;
  if (!read(at, count)) count = 0;
  at += 8;
  size_t data = at + 8 * static_cast<size_t>(count);
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t size = 0;
    if (!read(at + 8 * i, size) || data + size > bytes.size()) {
      error = "a damaged object set";
      return {};
    }
    out.push_back(llvm::MemoryBuffer::getMemBufferCopy(
        bytes.substr(data, size), buffer.getBufferIdentifier() + "." + std::to_string(i)));
    data += size + (8 - size % 8) % 8;
  }
  if (out.empty()) error = "an empty object set";
  return out;
}

std::unique_ptr<llvm::MemoryBuffer> emit_object(llvm::Module& m, ObjectUse use,
                                                std::string& error) {
  initialize_llvm();
  if (m.getTargetTriple().empty()) m.setTargetTriple(llvm::sys::getProcessTriple());
  std::unique_ptr<llvm::TargetMachine> tm =
      target_machine(llvm::Triple(m.getTargetTriple()), use, error);
  if (!tm) return nullptr;
  if (m.getDataLayout() != tm->createDataLayout()) {
    // optimize_module gave the module this layout; a different one means
    // it was skipped, and code for the wrong layout would be wrong.
    error = "the module's data layout is not the target's (was optimize_module called?)";
    return nullptr;
  }
  const std::string name = m.getModuleIdentifier() + ".o";
  // Built programs keep one object: the system linker links it with the
  // runtime archives, whose symbols partitions' exported names could meet.
  unsigned threads = std::min(usable_cpus(), kMaxCodegenThreads);
  if (use == ObjectUse::Jit) {
    expose_structors(m);
    if (threads > 1 && instruction_count(m) >= kMinParallelInstructions) {
      std::vector<std::string> objects;
      if (!generate_parallel(m, threads, objects, error)) return nullptr;
      return llvm::MemoryBuffer::getMemBufferCopy(object_set(objects), name);
    }
  }
  llvm::SmallVector<char, 0> bytes;
  if (!generate(m, use, bytes, error)) return nullptr;
  return std::make_unique<llvm::SmallVectorMemoryBuffer>(std::move(bytes), name,
                                                         /*RequiresNullTerminator=*/false);
}

}  // namespace flowc::engine
