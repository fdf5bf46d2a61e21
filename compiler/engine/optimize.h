// compiler/engine/optimize.h — optimize_module's two steps, for callers
// that run the second on parts of a module (parallel.cpp; internal to
// compiler/engine/).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace flowc::engine {

// Verifies `m`, retargets it (to the host, or with `portable` to the
// baseline CPU's data layout) and internalizes every symbol not in `keep`.
// Returns the target machine it used, or null with a message in `error`.
std::unique_ptr<llvm::TargetMachine> prepare_module(llvm::Module& m,
                                                    const std::vector<std::string>& keep,
                                                    bool portable, std::string& error);

// globaldce, then LLVM's default pipeline at `opt_level` (0..3) for `tm`.
void run_pipeline(llvm::Module& m, int opt_level, llvm::TargetMachine* tm);

}  // namespace flowc::engine
