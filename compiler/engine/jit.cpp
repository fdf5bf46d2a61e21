// compiler/engine/jit.cpp — `flowc run`: ORC LLJIT over an optimized
// pipeline module or its object (from the compile cache), then the
// runtime's main loop in this process.
//
// Symbol resolution, in the order ORC searches:
//   1. the module itself (stdlib code is internalized into it);
//   2. "<Process Symbols>": exactly the runtime ABI (runtime/abi.h), from
//      the explicit table flow_abi_symbols[], and the stdlib's native-only
//      functions (FLOW_STDLIB_NATIVE_ONLY) by address, then libc/libm/libstdc++
//      (memchr, log, std::to_chars, ...) from the libraries loaded into
//      flowc. Other `flow_` names are refused there even when flowc
//      happens to export them: generated code may call only the ABI.
#include <iostream>

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "abi.h"
#include "abi_symbols.h"
#include "engine/engine.h"
#include "engine/target.h"
#include "flow_stdlib.h"

#if defined(__SANITIZE_ADDRESS__)
#define FLOWC_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FLOWC_LSAN 1
#endif
#endif
#if FLOWC_LSAN
#include <sanitizer/lsan_interface.h>
#endif

namespace flowc::engine {

namespace {

// The exit status when the JIT fails (LANGUAGE.md 11: 3 is a runtime
// failure; the pipeline was already checked, so this is flowc's fault).
constexpr int kJitFailureStatus = 3;

bool is_flow_symbol(const llvm::orc::SymbolStringPtr& name) {
  return llvm::StringRef(*name).starts_with("flow_");
}

llvm::Expected<llvm::orc::JITDylibSP> setup_process_symbols(llvm::orc::LLJIT& jit) {
  llvm::orc::JITDylib& jd = jit.getExecutionSession().createBareJITDylib("<Process Symbols>");
  llvm::orc::SymbolMap runtime;
  for (size_t i = 0; i < flow_abi_symbol_count; ++i) {
    const FlowAbiSymbol& symbol = flow_abi_symbols[i];
    runtime[jit.mangleAndIntern(symbol.name)] = {
        llvm::orc::ExecutorAddr::fromPtr(symbol.address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  // The stdlib functions that are native code only (stdlib/CMakeLists.txt,
  // FLOW_STDLIB_NATIVE_ONLY): the bitcode calls them by name.
  const std::pair<const char*, void*> native_stdlib[] = {
      {"flow_scan_index_swar", reinterpret_cast<void*>(&flow_scan_index_swar)},
      {"flow_scan_index_sse2", reinterpret_cast<void*>(&flow_scan_index_sse2)},
      {"flow_scan_index_avx2", reinterpret_cast<void*>(&flow_scan_index_avx2)},
      {"flow_scan_index_avx512", reinterpret_cast<void*>(&flow_scan_index_avx512)},
      {"flow_simd_detect", reinterpret_cast<void*>(&flow_simd_detect)},
      {"flow_simd_cpu_level", reinterpret_cast<void*>(&flow_simd_cpu_level)},
      {"flow_csv_quoted_field", reinterpret_cast<void*>(&flow_csv_quoted_field)},
      {"flow_json_scan_full", reinterpret_cast<void*>(&flow_json_scan_full)},
      {"flow_json_scan_rest", reinterpret_cast<void*>(&flow_json_scan_rest)},
  };
  for (const auto& [name, address] : native_stdlib) {
    runtime[jit.mangleAndIntern(name)] = {
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable};
  }
  if (llvm::Error err = jd.define(llvm::orc::absoluteSymbols(std::move(runtime)))) return err;
  auto libraries = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
      jit.getDataLayout().getGlobalPrefix(),
      [](const llvm::orc::SymbolStringPtr& name) { return !is_flow_symbol(name); });
  if (!libraries) return libraries.takeError();
  jd.addGenerator(std::move(*libraries));
  return llvm::orc::JITDylibSP(&jd);
}

llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> create_lljit() {
  // detectHost() takes the host CPU name and features (built programs
  // target the architecture's baseline instead: engine.h).
  auto machine = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine) return machine.takeError();
  machine->setRelocationModel(llvm::Reloc::PIC_);
  machine->setCodeModel(llvm::CodeModel::Small);
  machine->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  return llvm::orc::LLJITBuilder()
      .setJITTargetMachineBuilder(std::move(*machine))
      .setProcessSymbolsJITDylibSetup(setup_process_symbols)
      .setNumCompileThreads(0)  // compile on this thread, on demand
      .create();
}

}  // namespace

std::unique_ptr<JitSession> JitSession::make(std::string& error) {
  initialize_llvm();
  auto created = create_lljit();
  if (!created) {
    error = llvm::toString(created.takeError());
    return nullptr;
  }
  std::unique_ptr<JitSession> session(new JitSession());
  session->jit_ = std::move(*created);
  // Materialization errors (unresolved symbols) arrive here, and the
  // lookup that triggered them then fails with a summary.
  session->jit_->getExecutionSession().setErrorReporter([s = session.get()](llvm::Error err) {
    if (!s->reported_.empty()) s->reported_ += '\n';
    s->reported_ += llvm::toString(std::move(err));
  });
  return session;
}

std::unique_ptr<JitSession> JitSession::create(std::unique_ptr<llvm::Module> m,
                                               std::unique_ptr<llvm::LLVMContext> ctx,
                                               std::string& error) {
  std::unique_ptr<JitSession> session = make(error);
  if (!session) return nullptr;
  llvm::orc::ThreadSafeModule module(std::move(m), std::move(ctx));
  if (llvm::Error err = session->jit_->addIRModule(std::move(module))) {
    error = llvm::toString(std::move(err));
    return nullptr;
  }
  return session;
}

std::unique_ptr<JitSession> JitSession::create(std::unique_ptr<llvm::MemoryBuffer> object,
                                               std::string& error) {
  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects = split_object_set(*object, error);
  if (objects.empty()) return nullptr;
  std::unique_ptr<JitSession> session = make(error);
  if (!session) return nullptr;
  for (std::unique_ptr<llvm::MemoryBuffer>& o : objects) {
    if (llvm::Error err = session->jit_->addObjectFile(std::move(o))) {
      error = llvm::toString(std::move(err));
      return nullptr;
    }
  }
  session->object_structors_ = true;
  return session;
}

void* JitSession::lookup(const std::string& name, std::string& error) {
  reported_.clear();
  auto address = jit_->lookup(name);
  if (!address) {
    std::string summary = llvm::toString(address.takeError());
    error = reported_.empty() ? summary : reported_ + "\n" + summary;
    return nullptr;
  }
  // Static constructors (llvm.global_ctors) run once, after the first
  // successful lookup compiled the module; their atexit destructors are
  // the JIT's to run, in the destructor below.
  if (!initialized_) {
    if (llvm::Error err = jit_->initialize(jit_->getMainJITDylib())) {
      error = llvm::toString(std::move(err));
      return nullptr;
    }
    initialized_ = true;
    if (object_structors_) call_structors(kModuleInitSymbol);
  }
  return address->toPtr<void*>();
}

// An object's constructors and destructors, gathered by expose_structors.
void JitSession::call_structors(const char* symbol) {
  auto address = jit_->lookup(symbol);
  if (!address) {
    llvm::consumeError(address.takeError());  // an object emitted some other way
    return;
  }
  address->toPtr<void (*)()>()();
}

JitSession::~JitSession() {
  if (!jit_ || !initialized_) return;
  if (object_structors_) call_structors(kModuleFiniSymbol);
  if (llvm::Error err = jit_->deinitialize(jit_->getMainJITDylib()))
    std::cerr << "flowc: error: jit: " << llvm::toString(std::move(err)) << "\n";
}

namespace {

int run_session(std::unique_ptr<JitSession> session, std::string& error,
                const std::string& pipeline_symbol, int argc, char** argv) {
  void* pipeline = session ? session->lookup(pipeline_symbol, error) : nullptr;
  if (!pipeline) {
    std::cerr << "flowc: error: jit: " << error << "\n";
    return kJitFailureStatus;
  }
#if FLOWC_LSAN
  // A sanitizer build (make test-asan): the pipeline's state (keyed tables,
  // window panes, sessions) hangs off globals in JIT memory, which
  // LeakSanitizer does not scan for pointers, and lives until exit. Its
  // allocations would all read as leaks; built executables (globals in
  // .data) and the runtime's own tests keep leak checking.
  __lsan::ScopedDisabler no_leak_checks_for_jit_state;
#endif
  return flow_runtime_main(static_cast<const FlowPipeline*>(pipeline), argc, argv);
}

}  // namespace

int run_jit(std::unique_ptr<llvm::Module> m, std::unique_ptr<llvm::LLVMContext> ctx,
            const std::string& pipeline_symbol, int argc, char** argv) {
  std::string error;
  std::unique_ptr<JitSession> session = JitSession::create(std::move(m), std::move(ctx), error);
  return run_session(std::move(session), error, pipeline_symbol, argc, argv);
}

int run_jit(std::unique_ptr<llvm::MemoryBuffer> object, const std::string& pipeline_symbol,
            int argc, char** argv) {
  std::string error;
  std::unique_ptr<JitSession> session = JitSession::create(std::move(object), error);
  return run_session(std::move(session), error, pipeline_symbol, argc, argv);
}

}  // namespace flowc::engine
