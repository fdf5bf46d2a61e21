// compiler/engine/module.cpp — the stdlib module every pipeline starts
// from, and printing modules.
#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/ErrorHandling.h>
#include <llvm/Support/MemoryBufferRef.h>
#include <llvm/Support/raw_ostream.h>

#include "engine/engine.h"
#include "stdlib_bitcode.h"

namespace flowc::engine {

// The whole stdlib is parsed eagerly: it is ~70 KB of bitcode and parses
// in a few milliseconds, and the unused part is dropped right after
// internalization (optimize_module), before any expensive pass sees it.
std::unique_ptr<llvm::Module> load_stdlib(llvm::LLVMContext& ctx) {
  llvm::StringRef bytes(reinterpret_cast<const char*>(flow_stdlib_bc), flow_stdlib_bc_size);
  llvm::MemoryBufferRef buffer(bytes, "flow_stdlib.bc");
  llvm::Expected<std::unique_ptr<llvm::Module>> m = llvm::parseBitcodeFile(buffer, ctx);
  if (!m) {
    std::string message = llvm::toString(m.takeError());
    llvm::report_fatal_error(llvm::Twine("flowc: the embedded stdlib bitcode is unreadable: ") +
                             message);
  }
  // The stdlib's names ("llvm-link") would show in linker messages and
  // IR dumps; codegen may rename the module after the .flow file.
  (*m)->setModuleIdentifier("pipeline");
  (*m)->setSourceFileName("pipeline");
  return std::move(*m);
}

void print_module(const llvm::Module& m, llvm::raw_ostream& out) { m.print(out, nullptr); }

}  // namespace flowc::engine
