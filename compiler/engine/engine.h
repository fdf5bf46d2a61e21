// compiler/engine/engine.h — LLVM behind flowc: load the stdlib bitcode,
// optimize a pipeline module, then either JIT-run it (`flowc run`) or emit
// an object and link a standalone executable (`flowc build`).
//
// The usual sequence, one fresh LLVMContext per pipeline (no global LLVM
// state besides the registered native target, so several pipelines may
// live in one process):
//
//   auto ctx = std::make_unique<llvm::LLVMContext>();
//   auto m = engine::load_stdlib(*ctx);           // codegen adds to this
//   ... codegen defines flow_pipeline (and main) in *m ...
//   key = engine::cache_key(*m, ...);             // cache.h: a hit skips the next two
//   engine::optimize_module(*m, 2, {"flow_pipeline"}, error);
//   auto object = engine::emit_object(*m, ObjectUse::Jit, error);
//   engine::run_jit(std::move(object), "flow_pipeline", argc, argv);
//
// or, for an executable, keep {"flow_pipeline", "main"}, emit the object
// with ObjectUse::Executable and call link_executable(*object, "out", error).
// compiler/driver/compile.cpp is that sequence.
//
// The JIT generates code for the machine flowc runs on (its CPU name and
// features: AVX2 and so on). Built executables are generated for the
// architecture's baseline (x86-64: SSE2) so that they run on any CPU of it;
// the stdlib's structure-finding kernels pick AVX2 or AVX-512 at run time
// (stdlib/scan_level.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace llvm {
class LLVMContext;
class MemoryBuffer;
class Module;
class raw_ostream;
namespace orc {
class LLJIT;
}  // namespace orc
}  // namespace llvm

namespace flowc::engine {

// Registers the native target, its asm printer and parser, and reads the
// host CPU's name and features. Thread-safe and idempotent; every other
// function here calls it, so callers need not.
void initialize_llvm();

// Parses the embedded stdlib bitcode (stdlib/stdlib_bitcode.h) into `ctx`:
// a fresh module per call, whose triple and data layout are the stdlib's.
// The bitcode is built with flowc, so a parse failure is a broken build and
// aborts with llvm::report_fatal_error.
std::unique_ptr<llvm::Module> load_stdlib(llvm::LLVMContext& ctx);

// Verifies `m`; retargets it to the host (data layout, and the CPU and
// features of every function, so stdlib code is compiled for the host
// rather than baseline x86-64); internalizes every defined symbol whose
// name is not in `keep`; drops what is then unused (globaldce); then runs
// LLVM's default pipeline at `opt_level` (0..3; 0 runs only the
// always-inliner and globaldce). Returns false, with the verifier's
// message in `error`, when `m` does not verify.
// With `portable` (built executables), the module is instead given the
// baseline CPU's data layout and left with the features clang stamped on
// each stdlib function.
bool optimize_module(llvm::Module& m, int opt_level, const std::vector<std::string>& keep,
                     std::string& error, bool portable = false);

// Prints `m` as textual IR (what `flowc emit-llvm` shows).
void print_module(const llvm::Module& m, llvm::raw_ostream& out);

// What an object is emitted for. A JIT object has its static constructors
// and destructors as two exported functions (kModuleInitSymbol,
// kModuleFiniSymbol) that JitSession calls, since no loader runs its
// .init_array; an executable keeps them for the loader.
enum class ObjectUse { Jit, Executable };
inline constexpr const char* kModuleInitSymbol = "flow_module_init";
inline constexpr const char* kModuleFiniSymbol = "flow_module_fini";

// Compiles `m` (already optimized: its data layout must be the host's) to
// a relocatable PIC object for the host CPU (ObjectUse::Executable: its
// architecture's baseline). Null with a message in
// `error` on failure. `m` is consumed by the backend's IR passes: do not
// reuse it. A large JIT module is generated on several threads, one per
// partition; the result is then an object set (several objects in one
// buffer: split_object_set), which JitSession loads like one object.
std::unique_ptr<llvm::MemoryBuffer> emit_object(llvm::Module& m, ObjectUse use, std::string& error);
// optimize_module(m, opt_level, keep) and emit_object(m, ObjectUse::Jit)
// in one, for `flowc run`: when the process may use several CPUs and `m` is
// large, it is cut into partitions (one per CPU, at most 4) before LLVM's
// pipeline, and each is optimized and compiled on its own thread
// (parallel.cpp); the result is then an object set. `*partitions` (when
// not null) gets a line per partition (its times and functions), none when
// the module was compiled whole. Null with a message in `error` on failure.
std::unique_ptr<llvm::MemoryBuffer> compile_jit_object(
    llvm::Module& m, int opt_level, const std::vector<std::string>& keep, std::string& error,
    std::vector<std::string>* partitions = nullptr);
// The objects of an object set, or the buffer itself when it is one
// object. Empty with a message when the set is damaged.
std::vector<std::unique_ptr<llvm::MemoryBuffer>> split_object_set(const llvm::MemoryBuffer& buffer,
                                                                  std::string& error);

// JIT-compiles `m` (already optimized) with ORC LLJIT, runs its static
// constructors, and calls the runtime's
// `flow_runtime_main(&<pipeline_symbol>, argc, argv)` in this process.
// Returns that exit status, or 3 after a message on stderr when the JIT
// fails (for instance a call to a symbol that is neither in the runtime's
// ABI table nor in a library loaded into this process).
int run_jit(std::unique_ptr<llvm::Module> m, std::unique_ptr<llvm::LLVMContext> ctx,
            const std::string& pipeline_symbol, int argc, char** argv);
// The same for an object from emit_object(..., ObjectUse::Jit).
int run_jit(std::unique_ptr<llvm::MemoryBuffer> object, const std::string& pipeline_symbol,
            int argc, char** argv);

// One JIT-compiled module whose symbols can be looked up and called
// directly: run_jit uses it, and tests use it to call generated functions
// without the runtime. Code is compiled lazily, at the first lookup.
class JitSession {
 public:
  // Null, with a message in `error`, when the JIT cannot be created or
  // `m` cannot be added (e.g. its data layout is not the host's).
  static std::unique_ptr<JitSession> create(std::unique_ptr<llvm::Module> m,
                                            std::unique_ptr<llvm::LLVMContext> ctx,
                                            std::string& error);
  // An object from emit_object(..., ObjectUse::Jit): linked at the first
  // lookup, which then also runs its static constructors.
  static std::unique_ptr<JitSession> create(std::unique_ptr<llvm::MemoryBuffer> object,
                                            std::string& error);
  // The address of `name`, compiling the module and running its static
  // constructors on first use; null with a message (e.g. the symbols that
  // could not be resolved) when compilation or linking fails.
  void* lookup(const std::string& name, std::string& error);
  // Runs the module's static destructors, then frees its code.
  ~JitSession();

  JitSession(const JitSession&) = delete;
  JitSession& operator=(const JitSession&) = delete;

 private:
  JitSession() = default;
  static std::unique_ptr<JitSession> make(std::string& error);
  void call_structors(const char* symbol);
  std::string reported_;  // ORC's asynchronous errors; outlives jit_
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  bool initialized_ = false;
  bool object_structors_ = false;  // an object: call kModuleInit/FiniSymbol
};

// Emits `m` (already optimized, defining `main`) as a PIC object for the
// baseline CPU of the host's architecture and links it with the system C++ driver (`c++` on PATH)
// into a standalone executable at `output`: the flowc runtime, stdlib and RE2 archives and
// libstdc++/libgcc linked statically, librdkafka dynamically. Returns false with a message (the
// linker's stderr, if it ran) in `error`. `m` is consumed by the backend's IR passes: do not reuse
// it.
bool build_executable(llvm::Module& m, const std::string& output, std::string& error);
// The link step alone, for an object from emit_object(..., Executable).
bool link_executable(const llvm::MemoryBuffer& object, const std::string& output,
                     std::string& error);

}  // namespace flowc::engine
