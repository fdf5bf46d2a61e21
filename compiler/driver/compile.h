// compiler/driver/compile.h — checked plan -> optimized LLVM module, shared
// by `flowc run`, `flowc build` and `flowc emit-llvm`.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "driver/frontend.h"
#include "plan/plan.h"

namespace flowc {

struct CompileOptions {
  int opt_level = 2;           // -O0 .. -O3
  bool for_executable = false;  // adds main(); params read at run time
  std::set<std::string> disabled_passes;
};

struct Compiled {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
};

// Runs the plan passes, generates code on top of the stdlib and optimizes
// it. On failure prints `flowc: error: ...` to `err` and returns nullopt.
std::optional<Compiled> compile_pipeline(plan::Pipeline pipeline, const CompileOptions& options,
                                         std::ostream& err);

}  // namespace flowc
