// compiler/engine/optimize.cpp — verify, internalize, drop unused stdlib
// code, then LLVM's default pipeline.
#include <algorithm>
#include <unordered_set>

#include <llvm/Analysis/CGSCCPassManager.h>
#include <llvm/Analysis/LoopAnalysisManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/PassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Passes/OptimizationLevel.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/IPO/GlobalDCE.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include "engine/engine.h"
#include "engine/optimize.h"
#include "engine/target.h"

namespace flowc::engine {

namespace {

// Highest -O level LLVM's PassBuilder knows.
constexpr int kMaxOptLevel = 3;

llvm::OptimizationLevel pass_level(int opt_level) {
  switch (opt_level) {
    case 0: return llvm::OptimizationLevel::O0;
    case 1: return llvm::OptimizationLevel::O1;
    case 2: return llvm::OptimizationLevel::O2;
    default: return llvm::OptimizationLevel::O3;
  }
}

}  // namespace

// Internalize + globaldce come first so that the default pipeline (whose
// cost grows with the module) only sees the stdlib functions the pipeline
// reaches: ~100 stdlib functions shrink to the handful a pipeline calls.
std::unique_ptr<llvm::TargetMachine> prepare_module(llvm::Module& m,
                                                    const std::vector<std::string>& keep,
                                                    bool portable, std::string& error) {
  std::string verifier_message;
  llvm::raw_string_ostream verifier_out(verifier_message);
  if (llvm::verifyModule(m, &verifier_out)) {
    error = "generated module does not verify:\n" + verifier_message;
    return nullptr;
  }

  llvm::Triple triple(m.getTargetTriple().empty() ? llvm::sys::getProcessTriple()
                                                  : m.getTargetTriple());
  std::unique_ptr<llvm::TargetMachine> tm =
      portable ? make_portable_target_machine(triple, llvm::CodeGenOptLevel::Default, error)
               : make_host_target_machine(triple, llvm::CodeGenOptLevel::Default, error);
  if (!tm) return nullptr;
  if (portable) {
    m.setDataLayout(tm->createDataLayout());
    if (m.getTargetTriple().empty()) m.setTargetTriple(tm->getTargetTriple().str());
  } else {
    retarget_to_host(m, *tm);
  }

  std::unordered_set<std::string> kept(keep.begin(), keep.end());
  llvm::internalizeModule(m, [&](const llvm::GlobalValue& gv) {
    return kept.count(gv.getName().str()) != 0;
  });
  return tm;
}

void run_pipeline(llvm::Module& m, int opt_level, llvm::TargetMachine* tm) {
  opt_level = std::clamp(opt_level, 0, kMaxOptLevel);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder builder(tm);
  builder.registerModuleAnalyses(mam);
  builder.registerCGSCCAnalyses(cgam);
  builder.registerFunctionAnalyses(fam);
  builder.registerLoopAnalyses(lam);
  builder.crossRegisterProxies(lam, fam, cgam, mam);

  llvm::ModulePassManager passes;
  passes.addPass(llvm::GlobalDCEPass());
  if (opt_level == 0) {
    passes.addPass(builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0));
    passes.addPass(llvm::GlobalDCEPass());  // what always-inline made dead
  } else {
    passes.addPass(builder.buildPerModuleDefaultPipeline(pass_level(opt_level)));
  }
  passes.run(m, mam);
}

bool optimize_module(llvm::Module& m, int opt_level, const std::vector<std::string>& keep,
                     std::string& error, bool portable) {
  std::unique_ptr<llvm::TargetMachine> tm = prepare_module(m, keep, portable, error);
  if (!tm) return false;
  run_pipeline(m, opt_level, tm.get());
  return true;
}

}  // namespace flowc::engine
