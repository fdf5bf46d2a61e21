// compiler/engine/udf.cpp — compiling C++ functions' files with clang and
// linking their bitcode (udf.h).
#include "engine/udf.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/IR/DiagnosticInfo.h>
#include <llvm/IR/DiagnosticPrinter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FileUtilities.h>
#include <llvm/Support/MemoryBufferRef.h>
#include <llvm/Transforms/IPO/Internalize.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/spawn.h"

namespace flowc::engine {

namespace {

// The clang that built the stdlib (compiler/engine/CMakeLists.txt); when
// that path is gone (flowc moved to another machine), clang++-19 on PATH.
constexpr const char* kClang = FLOWC_CLANGXX;
constexpr const char* kClangOnPath = "clang++-19";

bool has_header(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "flowc" / "udf.h", ec);
}

}  // namespace

std::string udf_include_dir() {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    std::filesystem::path beside = exe.parent_path().parent_path() / "include";
    if (has_header(beside)) return beside.string();
  }
  return FLOWC_UDF_INCLUDE_DIR;
}

CppCompileResult compile_cpp(const std::string& path, int opt_level) {
  CppCompileResult result;
  llvm::SmallString<128> out_path;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("flowc-udf", "bc", out_path)) {
    result.output = "cannot create a temporary file: " + ec.message();
    return result;
  }
  llvm::FileRemover remove_output(out_path);
  std::error_code ec;
  std::string clang = std::filesystem::exists(kClang, ec) ? kClang : kClangOnPath;
  ProcessResult run =
      run_process({clang, "-x", "c++", "-std=c++20", "-O" + std::to_string(opt_level), "-fPIC",
                   "-emit-llvm", "-c", "-I", udf_include_dir(), "-o", out_path.str().str(), path});
  result.started = run.started;
  result.exit_status = run.exit_status;
  result.output = std::move(run.output);
  if (!run.started || run.exit_status != 0) return result;
  std::ifstream in(out_path.str().str(), std::ios::binary);
  std::stringstream bytes;
  if (in.is_open()) bytes << in.rdbuf();
  result.bitcode = bytes.str();
  result.compiled = !result.bitcode.empty();
  if (!result.compiled)
    result.output += "cannot read clang's output '" + out_path.str().str() + "'\n";
  return result;
}

std::unique_ptr<llvm::Module> parse_bitcode(llvm::LLVMContext& ctx, const std::string& bitcode,
                                            const std::string& name, std::string& error) {
  llvm::MemoryBufferRef buffer(bitcode, name);
  llvm::Expected<std::unique_ptr<llvm::Module>> m = llvm::parseBitcodeFile(buffer, ctx);
  if (!m) {
    error = llvm::toString(m.takeError());
    return nullptr;
  }
  return std::move(*m);
}

bool link_cpp(llvm::Module& m, const std::string& bitcode, const std::vector<std::string>& exports,
              std::string& error) {
  std::unique_ptr<llvm::Module> file = parse_bitcode(m.getContext(), bitcode, "udf", error);
  if (!file) return false;
  std::set<std::string> keep(exports.begin(), exports.end());
  llvm::internalizeModule(*file, [&](const llvm::GlobalValue& gv) {
    return keep.count(gv.getName().str()) > 0 || gv.getName().starts_with("llvm.");
  });
  // The linker reports through the context's diagnostic handler.
  llvm::LLVMContext& ctx = m.getContext();
  auto old_handler = ctx.getDiagnosticHandlerCallBack();
  void* old_context = ctx.getDiagnosticContext();
  std::string messages;
  ctx.setDiagnosticHandlerCallBack(
      [](const llvm::DiagnosticInfo* info, void* out) {
        if (info->getSeverity() != llvm::DS_Error) return;
        llvm::raw_string_ostream stream(*static_cast<std::string*>(out));
        llvm::DiagnosticPrinterRawOStream printer(stream);
        info->print(printer);
        stream << "\n";
      },
      &messages);
  bool failed = llvm::Linker::linkModules(m, std::move(file), llvm::Linker::LinkOnlyNeeded);
  ctx.setDiagnosticHandlerCallBack(old_handler, old_context);
  if (failed) error = messages.empty() ? "the linker failed" : messages;
  return !failed;
}

}  // namespace flowc::engine
