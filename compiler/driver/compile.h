// compiler/driver/compile.h — the one compile sequence of `flowc run`,
// `flowc build` and `flowc emit-llvm`:
//
//   .flow file -> checked plan (frontend) -> plan passes -> LLVM module on
//   top of the stdlib (codegen) -> [cache lookup] -> optimize -> object
//   [-> cache store]
//
// `run` and `build` want an object, which the compile cache (engine/
// cache.h) may already hold: a hit skips LLVM's optimizer and backend,
// almost all of a cold start. `emit-llvm` wants the optimized module.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>

#include <memory>
#include <ostream>
#include <set>
#include <string>

#include "driver/frontend.h"
#include "plan/plan.h"

namespace flowc {

enum class CompileOutput {
  Jit,         // an object for the JIT (params folded into the code)
  Executable,  // an object defining main() (params read at run time)
  Ir,          // the optimized module, for emit-llvm (folded params)
  ExecutableIr,  // emit-llvm --exe: the optimized module of an executable
};

struct CompileOptions {
  int opt_level = 2;  // -O0 .. -O3
  CompileOutput output = CompileOutput::Jit;
  std::set<std::string> disabled_passes;
  bool use_cache = true;  // --no-cache: neither read nor write the cache
};

struct Compiled {
  int exit_code = 0;  // 0, or 1 compile errors, 2 usage errors, 3 flowc failed
  // Ir and ExecutableIr: the optimized module.
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  // Jit and Executable: the object (from the cache or just compiled).
  std::unique_ptr<llvm::MemoryBuffer> object;
};

// Runs the sequence above on the file at `path`. Diagnostics and failures
// go to `err`; with FLOWC_COMPILE_TRACE=1 in the environment, also the
// time of each step and what the cache did (`flowc: compile: ...` lines).
Compiled compile_file(const std::string& path, const FrontendOptions& frontend,
                      const CompileOptions& options, std::ostream& err);

// Where the cache lives (engine::ObjectCache::default_dir), for --help.
std::string compile_cache_dir();

}  // namespace flowc
