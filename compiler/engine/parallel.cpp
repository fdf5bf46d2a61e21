// compiler/engine/parallel.cpp — `flowc run`'s optimizer and backend on
// several threads (compile_jit_object, engine.h).
//
// The module is cut before LLVM's pipeline runs, into *units*: the
// functions the runtime calls through the pipeline descriptor (each
// source's record loop, the batch end, snapshot, restore, merge ...), the
// exported ones, and the ones kept out of line on purpose (noinline:
// parse_rfc3339, hash-table growth). Each unit is defined in one partition.
// Every other function (what the inliner may inline: stdlib helpers, key
// compares) is copied into each partition that reaches it, so a unit is
// optimized as it would be in the whole module, its callees inlined.
// Global variables (pipeline state, the SIMD level of
// stdlib/scan_level.cpp, arenas, the descriptor) exist once, in partition
// 0; constants that refer to nothing are copied. What one partition uses
// of another's becomes a hidden external symbol of the JIT dylib, as
// llvm::SplitModule does. Each partition but the first is read back from
// one bitcode image into its own LLVMContext, and goes through the whole
// pipeline and then the backend on its own thread: no barrier between the
// two steps, so the start of `flowc run` waits for the largest partition
// only.
#include <time.h>

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/IPO/GlobalDCE.h>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "engine/engine.h"
#include "engine/object_parts.h"
#include "engine/optimize.h"
#include "engine/target.h"

namespace flowc::engine {

namespace {

using FunctionSet = std::unordered_set<const llvm::Function*>;

// Which partition defines each unit, and which global variables only
// partition 0 defines (both by name: partitions are parsed copies).
struct Plan {
  unsigned parts = 0;
  std::unordered_map<std::string, unsigned> unit_part;
  std::vector<std::string> units;  // largest first
  std::unordered_set<std::string> shared;
};

// Only modules of the shapes codegen and the stdlib make are cut: no
// aliases, exported comdats, inline asm or thread-locals, whose splitting
// would need more care than this file takes. (Internalized stdlib code may
// keep the comdat of an inline C++ function: make_plan drops those.)
bool splittable(const llvm::Module& m) {
  if (!m.alias_empty() || !m.ifunc_empty() || !m.getModuleInlineAsm().empty()) return false;
  for (const llvm::Function& f : m) {
    if (f.hasComdat() && !f.hasLocalLinkage()) return false;
  }
  for (const llvm::GlobalVariable& g : m.globals()) {
    if (g.isThreadLocal() || (g.hasComdat() && !g.hasLocalLinkage())) return false;
    if (g.hasAppendingLinkage() && g.getName() != "llvm.global_ctors" &&
        g.getName() != "llvm.global_dtors") {
      return false;
    }
  }
  return true;
}

// The functions `c` refers to, through constant expressions and aggregates.
void functions_in(const llvm::Constant* c, FunctionSet& out) {
  if (auto* f = llvm::dyn_cast<llvm::Function>(c)) {
    out.insert(f);
    return;
  }
  if (llvm::isa<llvm::GlobalValue>(c)) return;
  for (const llvm::Use& op : c->operands()) {
    if (auto* k = llvm::dyn_cast<llvm::Constant>(op.get())) functions_in(k, out);
  }
}

bool refers_to_globals(const llvm::Constant* c) {
  if (llvm::isa<llvm::GlobalValue>(c)) return true;
  for (const llvm::Use& op : c->operands()) {
    if (auto* k = llvm::dyn_cast<llvm::Constant>(op.get()); k && refers_to_globals(k)) return true;
  }
  return false;
}

// Some instruction uses `v` (directly or through a constant expression).
bool used_in_code(const llvm::Value* v) {
  for (const llvm::User* u : v->users()) {
    if (llvm::isa<llvm::Instruction>(u)) return true;
    if (llvm::isa<llvm::Constant>(u) && !llvm::isa<llvm::GlobalValue>(u) && used_in_code(u)) {
      return true;
    }
  }
  return false;
}

bool is_unit(const llvm::Function& f, const FunctionSet& in_globals) {
  if (f.isDeclaration()) return false;
  if (!f.hasLocalLinkage() || f.hasFnAttribute(llvm::Attribute::NoInline)) return true;
  return in_globals.count(&f) != 0 && !used_in_code(&f);
}

bool is_shared(const llvm::GlobalVariable& g) {
  if (g.isDeclaration()) return false;
  return !(g.hasLocalLinkage() && g.isConstant() && !refers_to_globals(g.getInitializer()));
}

// The instructions a partition holding `root` compiles for it: its own and
// those of the non-unit functions it reaches (copied with it).
size_t reach(const llvm::Function& root, const FunctionSet& units) {
  FunctionSet seen{&root};
  std::vector<const llvm::Function*> todo{&root};
  size_t n = 0;
  auto visit = [&](const llvm::Value* v, auto& self) -> void {
    if (auto* f = llvm::dyn_cast<llvm::Function>(v)) {
      if (!f->isDeclaration() && !units.count(f) && seen.insert(f).second) todo.push_back(f);
    } else if (auto* c = llvm::dyn_cast<llvm::Constant>(v); c && !llvm::isa<llvm::GlobalValue>(c)) {
      for (const llvm::Use& op : c->operands()) self(op.get(), self);
    }
  };
  while (!todo.empty()) {
    const llvm::Function* f = todo.back();
    todo.pop_back();
    n += f->getInstructionCount();
    for (const llvm::BasicBlock& bb : *f) {
      for (const llvm::Instruction& i : bb) {
        for (const llvm::Use& op : i.operands()) visit(op.get(), visit);
      }
    }
  }
  return n;
}

// This thread's CPU time (the partitions' trace: steadier than wall time
// on a busy machine).
double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// Units to partitions, largest first, each to the least loaded (LPT);
// externalizes what partitions share.
Plan make_plan(llvm::Module& m, unsigned threads) {
  FunctionSet in_globals;
  for (const llvm::GlobalVariable& g : m.globals()) {
    if (g.hasInitializer()) functions_in(g.getInitializer(), in_globals);
  }
  FunctionSet units;
  for (const llvm::Function& f : m) {
    if (is_unit(f, in_globals)) units.insert(&f);
  }
  std::vector<std::pair<size_t, llvm::Function*>> by_size;
  for (llvm::Function& f : m) {
    if (units.count(&f)) by_size.emplace_back(reach(f, units), &f);
  }
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  for (llvm::Function& f : m) {
    if (f.hasLocalLinkage()) f.setComdat(nullptr);  // a copy per partition
  }
  for (llvm::GlobalVariable& g : m.globals()) {
    if (g.hasLocalLinkage()) g.setComdat(nullptr);
  }
  Plan plan;
  plan.parts = std::min<unsigned>(threads, static_cast<unsigned>(by_size.size()));
  if (plan.parts < 2) return plan;
  auto externalize = [](llvm::GlobalValue& gv) {
    if (gv.hasLocalLinkage()) {
      gv.setLinkage(llvm::GlobalValue::ExternalLinkage);
      gv.setVisibility(llvm::GlobalValue::HiddenVisibility);
    }
    if (!gv.hasName()) gv.setName("flowc.shared");
  };
  std::vector<size_t> load(plan.parts, 0);
  for (auto& [size, f] : by_size) {
    unsigned k = static_cast<unsigned>(std::min_element(load.begin(), load.end()) - load.begin());
    load[k] += size;
    externalize(*f);
    plan.unit_part[f->getName().str()] = k;
    plan.units.push_back(f->getName().str());
  }
  for (llvm::GlobalVariable& g : m.globals()) {
    if (!is_shared(g)) continue;
    externalize(g);
    plan.shared.insert(g.getName().str());
  }
  return plan;
}

// Partition k of a parsed copy: other partitions' units and (but in
// partition 0) the shared globals become declarations; globaldce, first
// in run_pipeline, drops the copies nothing here reaches.
void keep_partition(llvm::Module& m, const Plan& plan, unsigned k) {
  for (llvm::Function& f : m) {
    auto unit = plan.unit_part.find(f.getName().str());
    if (unit != plan.unit_part.end() && unit->second != k) f.deleteBody();
  }
  if (k == 0) return;
  for (llvm::GlobalVariable& g : m.globals()) {
    if (plan.shared.count(g.getName().str())) g.setInitializer(nullptr);
  }
}

std::unique_ptr<llvm::MemoryBuffer> compile_parts(llvm::Module& m, const Plan& plan, int opt_level,
                                                  std::string& error,
                                                  std::vector<std::string>& notes) {
  llvm::SmallVector<char, 0> bitcode;
  {
    llvm::raw_svector_ostream out(bitcode);
    llvm::WriteBitcodeToFile(m, out);
  }
  const llvm::StringRef image(bitcode.data(), bitcode.size());
  std::vector<std::string> objects(plan.parts), errors(plan.parts);
  notes.assign(plan.parts, "");
  // Partition k of `part` (this thread's own module), optimized and compiled.
  auto compile = [&](llvm::Module& part, unsigned k) {
    keep_partition(part, plan, k);
    std::unique_ptr<llvm::TargetMachine> tm = make_host_target_machine(
        llvm::Triple(part.getTargetTriple()), llvm::CodeGenOptLevel::Default, errors[k]);
    if (!tm) return;
    llvm::SmallVector<char, 0> bytes;
    const double t0 = thread_cpu_ms();
    run_pipeline(part, opt_level, tm.get());
    const double t1 = thread_cpu_ms();
    if (generate_object(part, *tm, bytes, errors[k])) objects[k].assign(bytes.data(), bytes.size());
    const double t2 = thread_cpu_ms();
    char line[96];
    std::snprintf(line, sizeof line, "partition %u: optimize cpu %.1f ms, object cpu %.1f ms:", k,
                  t1 - t0, t2 - t1);
    notes[k] = line;
    for (const std::string& name : plan.units) {
      if (plan.unit_part.at(name) == k) notes[k] += " " + name;
    }
  };
  auto compile_copy = [&](unsigned k) {
    llvm::LLVMContext ctx;  // a context is not shared between threads
    auto part = llvm::parseBitcodeFile(llvm::MemoryBufferRef(image, "partition"), ctx);
    if (!part) {
      errors[k] = llvm::toString(part.takeError());
      return;
    }
    compile(**part, k);
  };
  std::vector<std::thread> threads;
  for (unsigned k = 1; k < plan.parts; ++k) threads.emplace_back(compile_copy, k);
  const std::string name = m.getModuleIdentifier() + ".o";
  compile(m, 0);  // partition 0 is `m` itself, on this thread: one parse fewer
  for (std::thread& t : threads) t.join();
  for (const std::string& e : errors) {
    if (!e.empty()) {
      error = e;
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(object_set(objects), name);
}

}  // namespace

std::unique_ptr<llvm::MemoryBuffer> compile_jit_object(llvm::Module& m, int opt_level,
                                                       const std::vector<std::string>& keep,
                                                       std::string& error,
                                                       std::vector<std::string>* partitions) {
  initialize_llvm();
  std::vector<std::string> notes;
  std::unique_ptr<llvm::TargetMachine> tm = prepare_module(m, keep, /*portable=*/false, error);
  if (!tm) return nullptr;
  {
    // The stdlib functions nothing reaches, before counting and cutting.
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder builder(tm.get());
    builder.registerModuleAnalyses(mam);
    builder.registerCGSCCAnalyses(cgam);
    builder.registerFunctionAnalyses(fam);
    builder.registerLoopAnalyses(lam);
    builder.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager dce;
    dce.addPass(llvm::GlobalDCEPass());
    dce.run(m, mam);
  }
  const unsigned threads = std::min(usable_cpus(), kMaxCodegenThreads);
  if (threads < 2 || instruction_count(m) < kMinParallelInstructions || !splittable(m)) {
    run_pipeline(m, opt_level, tm.get());
    return emit_object(m, ObjectUse::Jit, error);
  }
  expose_structors(m);
  Plan plan = make_plan(m, threads);
  if (plan.parts < 2) {
    run_pipeline(m, opt_level, tm.get());
    llvm::SmallVector<char, 0> bytes;
    if (!generate_object(m, *tm, bytes, error)) return nullptr;
    return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(bytes.data(), bytes.size()),
                                                m.getModuleIdentifier() + ".o");
  }
  std::unique_ptr<llvm::MemoryBuffer> object = compile_parts(m, plan, opt_level, error, notes);
  if (partitions != nullptr) *partitions = std::move(notes);
  return object;
}

}  // namespace flowc::engine
