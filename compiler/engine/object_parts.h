// compiler/engine/object_parts.h — what object.cpp and parallel.cpp share:
// objects generated on several threads, gathered into one object set
// (internal to compiler/engine/).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <llvm/ADT/SmallVector.h>

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace flowc::engine {

// A JIT module with more instructions than this is compiled on several
// threads (when the process may use several CPUs): below it the split and
// the bitcode round trips cost more than they save.
inline constexpr size_t kMinParallelInstructions = 1500;
// Threads (and partitions) at most: one per CPU, but the gain flattens
// quickly (a large source function is a partition of its own).
inline constexpr unsigned kMaxCodegenThreads = 4;

size_t instruction_count(const llvm::Module& m);
// The CPUs this process may run on (its affinity mask: `taskset -c 0` is 1).
unsigned usable_cpus();

// `m`'s machine code for `tm`, appended to `bytes`; false with `error`.
bool generate_object(llvm::Module& m, llvm::TargetMachine& tm, llvm::SmallVectorImpl<char>& bytes,
                     std::string& error);

// Turns `m`'s static constructors and destructors into the two exported
// functions JitSession calls (kModuleInitSymbol, kModuleFiniSymbol).
void expose_structors(llvm::Module& m);

// Several objects in one buffer, which split_object_set (engine.h) takes apart.
std::string object_set(const std::vector<std::string>& objects);

}  // namespace flowc::engine
