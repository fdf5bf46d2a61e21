// compiler/engine/executable.cpp — `flowc build`: the optimized module as
// a PIC object, linked by the system C++ driver with the runtime into one
// executable:
//
//   c++ pipeline.o -o OUTPUT libflowc_runtime.a libflowc_stdlib_native.a
//       libre2.a librdkafka.so -static-libstdc++ -static-libgcc -lpthread -lm
//
// The archives' absolute paths are compiled in (compiler/engine/
// CMakeLists.txt), so flowc must run from its build tree or be installed
// together with them.
#include <cstdlib>
#include <filesystem>

#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>
#include <llvm/TargetParser/Triple.h>

#include "engine/engine.h"
#include "engine/spawn.h"
#include "engine/target.h"

namespace flowc::engine {

namespace {

// The C++ driver that links built executables (gcc on Debian: PIE by
// default, hence PIC objects).
constexpr const char* kLinkerDriver = "c++";

// The libraries every executable links, in link order (each may only use
// those after it).
const std::vector<std::string>& link_libraries() {
  static const std::vector<std::string> libraries = {
      FLOWC_LINK_RUNTIME, FLOWC_LINK_STDLIB, FLOWC_LINK_RE2, FLOWC_LINK_RDKAFKA,
      "-static-libstdc++", "-static-libgcc", "-lpthread", "-lm",
#ifdef FLOWC_LINK_SANITIZE
      FLOWC_LINK_SANITIZE,  // a sanitizer build (FLOWC_SANITIZE, make test-asan)
#endif
  };
  return libraries;
}

// A private directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  bool create(std::string& error) {
    std::error_code ec;
    std::string pattern =
        (std::filesystem::temp_directory_path(ec) / "flowc-build-XXXXXX").string();
    if (ec || !::mkdtemp(pattern.data())) {
      error = "cannot create a temporary directory in '" +
              std::filesystem::temp_directory_path(ec).string() + "'";
      return false;
    }
    path_ = pattern;
    return true;
  }
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const char* name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool emit_object(llvm::Module& m, const std::string& path, std::string& error) {
  llvm::Triple triple(m.getTargetTriple().empty() ? llvm::sys::getProcessTriple()
                                                  : m.getTargetTriple());
  std::unique_ptr<llvm::TargetMachine> tm =
      make_portable_target_machine(triple, llvm::CodeGenOptLevel::Default, error);
  if (!tm) return false;
  if (m.getDataLayout() != tm->createDataLayout()) {
    // optimize_module gave the module this layout; a different one means
    // it was skipped, and codegen for the wrong layout would be wrong.
    error = "the module's data layout is not the target's (was optimize_module called?)";
    return false;
  }
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  llvm::legacy::PassManager passes;
  if (tm->addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return false;
  }
  passes.run(m);
  out.close();
  if (out.has_error()) {
    error = "cannot write '" + path + "': " + out.error().message();
    out.clear_error();
    return false;
  }
  return true;
}

}  // namespace

bool build_executable(llvm::Module& m, const std::string& output, std::string& error) {
  initialize_llvm();
  const llvm::Function* main_fn = m.getFunction("main");
  if (!main_fn || main_fn->isDeclaration()) {
    error = "the module does not define 'main'";
    return false;
  }
  TempDir dir;
  if (!dir.create(error)) return false;
  std::string object = dir.file("pipeline.o");
  if (!emit_object(m, object, error)) return false;

  std::vector<std::string> argv = {kLinkerDriver, object, "-o", output};
  for (const std::string& lib : link_libraries()) argv.push_back(lib);
  ProcessResult link = run_process(argv);
  if (!link.started) {
    error = "cannot link '" + output + "': " + link.output;
    return false;
  }
  if (link.exit_status != 0) {
    error = "linking '" + output + "' failed (" + kLinkerDriver + " exited with status " +
            std::to_string(link.exit_status) + ")";
    if (!link.output.empty()) error += ":\n" + link.output;
    return false;
  }
  return true;
}

}  // namespace flowc::engine
