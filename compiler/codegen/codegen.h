// compiler/codegen/codegen.h — optimized plan -> LLVM IR.
//
// A pure function of the plan: the pipeline's code is added to `module`,
// which already holds the stdlib (so stdlib calls bind to their definitions
// and inline). The module then exports `flow_pipeline` (runtime/abi.h) and,
// with emit_main, a `main` for built executables.
#pragma once

#include <llvm/IR/Module.h>

#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.h"

namespace flowc::codegen {

struct CodegenOptions {
  // JIT runs know every param's value at compile time and fold them; built
  // executables read params from globals the runtime sets from --param.
  bool fold_params = true;
  bool emit_main = false;
  // The text checkpoints are fingerprinted by: pipeline_plan_text of the
  // plan before --param values were folded in (driver/compile.cpp); empty:
  // this plan's own.
  std::string plan_text;
};

struct CodegenResult {
  std::vector<std::string> exported;  // symbols the optimizer must keep
};

CodegenResult generate_pipeline(const plan::Pipeline& pipeline, llvm::Module& module,
                                const CodegenOptions& options);

// What a checkpoint depends on — sources, schemas, stages and sinks, not
// the params' values or the batch interval — as text (stored in
// checkpoints, to say what changed) and as a stable 64-bit fingerprint.
// It is explain's text without its header, nor the lines that say how
// sources run (threads, reading ahead), which a newer flowc may decide
// differently; a constant that reads a param prints as written, so the
// text holds no --param value.
std::string pipeline_plan_text(const plan::Pipeline& pipeline);
uint64_t plan_text_fingerprint(std::string_view plan_text);

}  // namespace flowc::codegen
