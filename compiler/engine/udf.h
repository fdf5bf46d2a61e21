// compiler/engine/udf.h — C++ functions (LANGUAGE.md 13): a file compiled
// by clang to LLVM bitcode, and that bitcode linked into a pipeline module
// so that the optimizer inlines it like the stdlib.
//
//   clang++-19 -x c++ -std=c++20 -O<level> -fPIC -emit-llvm -c
//              -I <udf_include_dir()> -o <temporary .bc> FILE.cpp
//
// No -march: like the stdlib, the linked code is retargeted to the host
// by optimize_module. Built programs hold the compiled code; they need
// neither clang nor LLVM to run.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace flowc::engine {

// The folder that holds flowc/udf.h, for clang's -I: `include/` beside the
// folder of the running flowc when it has the header (an installed flowc,
// PREFIX/bin/flowc, and the build tree's build/compiler/flowc alike), else
// the build tree's, compiled in.
std::string udf_include_dir();

struct CppCompileResult {
  bool compiled = false;  // `bitcode` holds the module
  bool started = false;   // clang ran (else `output` says why not)
  int exit_status = -1;
  std::string output;   // clang's diagnostics, warnings included
  std::string bitcode;
};

// Compiles the C++ file at `path` at -O`opt_level` (0..3).
CppCompileResult compile_cpp(const std::string& path, int opt_level);

// The module `bitcode` holds, in `ctx`; null with a message in `error`.
std::unique_ptr<llvm::Module> parse_bitcode(llvm::LLVMContext& ctx, const std::string& bitcode,
                                            const std::string& name, std::string& error);

// Links from `bitcode` into `m` the functions of `exports` that `m`
// declares, and what they use (llvm::Linker::LinkOnlyNeeded). Every other
// definition of the file is made internal first, so that its helpers never
// clash with the pipeline's symbols or another file's. False with a
// message in `error`.
bool link_cpp(llvm::Module& m, const std::string& bitcode, const std::vector<std::string>& exports,
              std::string& error);

}  // namespace flowc::engine
