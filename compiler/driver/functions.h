// compiler/driver/functions.h — C++ functions (LANGUAGE.md 13) between
// sema and codegen: each file compiled by clang, each function's
// definition checked against its declaration, and after codegen the
// bitcode linked into the pipeline module.
#pragma once

#include <ostream>
#include <string>

#include "driver/frontend.h"
#include "plan/plan.h"
#include "support/diagnostics.h"

namespace llvm {
class Module;
}  // namespace llvm

namespace flowc {

// Compiles every C++ file the pipeline's functions come from (a relative
// path is relative to the folder of the .flow file at `flow_path`) at
// -O`opt_level`, checks that each function is defined there with the C
// signature its declaration implies, and keeps each file's bitcode in
// pipeline.function_bitcode. clang's own messages go to `err` as clang
// wrote them; flowc's errors go to `diags`, at the declaration.
void compile_functions(plan::Pipeline& pipeline, const std::string& flow_path, int opt_level,
                       DiagnosticEngine& diags, std::ostream& err);

// The FrontendOptions::after_check of the commands that compile C++
// functions (check, run, build, emit-llvm).
FrontendOptions::AfterCheck compile_functions_after_check(const std::string& flow_path,
                                                          int opt_level);

// Links the bitcode of the files whose functions `m` calls into `m` (after
// codegen, before the module is optimized or hashed). False with a message.
bool link_functions(const plan::Pipeline& pipeline, llvm::Module& m, std::string& error);

}  // namespace flowc
