// compiler/engine/target.h — the host target, shared by the optimizer, the
// JIT and the object emitter (internal to compiler/engine/).
#pragma once

#include <memory>
#include <string>

#include <llvm/Support/CodeGen.h>

namespace llvm {
class Module;
class TargetMachine;
class Triple;
}  // namespace llvm

namespace flowc::engine {

// What initialize_llvm() read about the machine flowc runs on.
struct HostCpu {
  std::string name;      // e.g. "znver3", from sys::getHostCPUName()
  std::string features;  // e.g. "+avx2,+bmi2,-avx512f,...", sorted
};
const HostCpu& host_cpu();

// A target machine for `triple` with the host's CPU and features,
// position-independent code (Debian links PIE by default) and the small
// code model. Returns null with a message when LLVM lacks the target.
std::unique_ptr<llvm::TargetMachine> make_host_target_machine(const llvm::Triple& triple,
                                                              llvm::CodeGenOptLevel level,
                                                              std::string& error);

// The same for built executables: the architecture's baseline CPU
// ("x86-64": SSE2, no AVX), so that a program runs on any CPU of its
// architecture. Functions that ask for more (the stdlib's AVX2 and AVX-512
// kernels, stamped by their own compile flags) keep their features and are
// reached only through run-time CPU dispatch.
std::unique_ptr<llvm::TargetMachine> make_portable_target_machine(const llvm::Triple& triple,
                                                                  llvm::CodeGenOptLevel level,
                                                                  std::string& error);

// Gives `m` the data layout of `tm` and every defined function the host's
// CPU and features (clang stamped the stdlib's functions "x86-64" with SSE2
// only; left alone they would be compiled for that baseline, and a caller
// built for more features could still inline them, but never the reverse).
// Idempotent.
void retarget_to_host(llvm::Module& m, const llvm::TargetMachine& tm);

}  // namespace flowc::engine
