// compiler/engine/executable.cpp — `flowc build`: the optimized module as
// a PIC object, linked by the system C++ driver with the runtime into one
// executable:
//
//   c++ pipeline.o -o OUTPUT libflowc_runtime.a libflowc_stdlib_native.a
//       libre2.a librdkafka.so libz.so -static-libstdc++ -static-libgcc -lpthread -lm
//
// An installed flowc (PREFIX/bin/flowc, `cmake --install`) links with the
// archives installed beside it, in PREFIX/lib/flowc; a flowc in its build
// tree with the archives the build made (absolute paths compiled in by
// compiler/engine/CMakeLists.txt).
#include <cstdlib>
#include <filesystem>

#include <llvm/IR/Module.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include "engine/engine.h"
#include "engine/spawn.h"

namespace flowc::engine {

namespace {

// The C++ driver that links built executables (gcc on Debian: PIE by
// default, hence PIC objects).
constexpr const char* kLinkerDriver = "c++";

// Where the install rules (CMakeLists.txt) put the archives, relative to
// the directory of the installed flowc.
constexpr const char* kInstalledArchiveDir = "../lib/flowc";

// The archive `build_path` names: in kInstalledArchiveDir when flowc runs
// from an install (that folder exists beside it), else `build_path`.
std::string flowc_archive(const char* build_path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path() / kInstalledArchiveDir;
    if (fs::is_directory(dir, ec)) {
      return (dir / fs::path(build_path).filename()).lexically_normal().string();
    }
  }
  return build_path;
}

// The libraries every executable links, in link order (each may only use
// those after it).
const std::vector<std::string>& link_libraries() {
  static const std::vector<std::string> libraries = {
      flowc_archive(FLOWC_LINK_RUNTIME),
      flowc_archive(FLOWC_LINK_STDLIB),
      FLOWC_LINK_RE2,
      FLOWC_LINK_RDKAFKA,
      FLOWC_LINK_ZLIB,  // .gz input
      "-static-libstdc++",
      "-static-libgcc",
      "-lpthread",
      "-lm",
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

bool write_file(const std::string& path, llvm::StringRef bytes, std::string& error) {
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  out << bytes;
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
  std::unique_ptr<llvm::MemoryBuffer> object = emit_object(m, ObjectUse::Executable, error);
  return object && link_executable(*object, output, error);
}

bool link_executable(const llvm::MemoryBuffer& object, const std::string& output,
                     std::string& error) {
  TempDir dir;
  if (!dir.create(error)) return false;
  std::string path = dir.file("pipeline.o");
  if (!write_file(path, object.getBuffer(), error)) return false;

  std::vector<std::string> argv = {kLinkerDriver, path, "-o", output};
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
