// compiler/codegen/codegen.h — optimized plan -> LLVM IR.
//
// A pure function of the plan: the pipeline's code is added to `module`,
// which already holds the stdlib (so stdlib calls bind to their definitions
// and inline). The module then exports `flow_pipeline` (runtime/abi.h) and,
// with emit_main, a `main` for built executables.
#pragma once

#include <llvm/IR/Module.h>

#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::codegen {

struct CodegenOptions {
  // JIT runs know every param's value at compile time and fold them; built
  // executables read params from globals the runtime sets from --param.
  bool fold_params = true;
  bool emit_main = false;
};

struct CodegenResult {
  std::vector<std::string> exported;  // symbols the optimizer must keep
  std::string error;                  // set when the plan uses a feature not lowered yet
};

CodegenResult generate_pipeline(const plan::Pipeline& pipeline, llvm::Module& module,
                                const CodegenOptions& options);

// A stable 64-bit fingerprint of what a checkpoint depends on: sources,
// schemas, stages and sinks (not params or the batch interval).
uint64_t pipeline_fingerprint(const plan::Pipeline& pipeline);
// The text the fingerprint is computed from (also stored in checkpoints).
std::string pipeline_plan_text(const plan::Pipeline& pipeline);

}  // namespace flowc::codegen
