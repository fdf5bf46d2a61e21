#include "driver/functions.h"

#include <llvm/Demangle/Demangle.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/TargetParser/Triple.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "codegen/user_function.h"
#include "engine/engine.h"
#include "engine/udf.h"
#include "plan/functions.h"

namespace flowc {

namespace {

using Declared = std::vector<const plan::UserFunction*>;

// The functions of each file, by path as written, in declaration order.
std::map<std::string, Declared> by_file(const plan::Pipeline& pipeline) {
  std::map<std::string, Declared> files;
  for (const auto& fn : pipeline.functions) files[fn->path].push_back(fn.get());
  return files;
}

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

// A C++ (mangled) definition of `name`: `is_view(FlowStr)`, or "".
std::string cplusplus_definition(const llvm::Module& m, const std::string& name) {
  for (const llvm::Function& f : m) {
    if (f.isDeclaration() || !f.getName().starts_with("_Z")) continue;
    std::string text = llvm::demangle(f.getName().str());
    if (text.rfind(name + "(", 0) == 0) return text;
  }
  return "";
}

void check_definition(const plan::UserFunction& fn, const llvm::Module& m, const std::string& path,
                      DiagnosticEngine& diags) {
  const llvm::Function* f = m.getFunction(fn.name);
  std::string needs = codegen::c_declaration(fn);
  if (f == nullptr || f->isDeclaration() || f->hasLocalLinkage()) {
    bool is_static = f != nullptr && !f->isDeclaration();
    Diagnostic& d =
        diags.error(fn.name_range, "C++ function " + in_quotes(fn.name) +
                                       (is_static ? " is static in " : " is not defined in ") +
                                       in_quotes(path));
    std::string mangled = cplusplus_definition(m, fn.name);
    if (is_static) {
      d.helps.push_back("remove 'static' so that flowc can call it");
    } else if (!mangled.empty()) {
      d.helps.push_back(in_quotes(path) + " defines " + in_quotes(mangled) +
                        " with a C++ name: declare it extern \"C\"");
    }
    d.helps.push_back("define it as: " + needs + " { ... }");
    return;
  }
  std::string found = codegen::check_user_function(fn, *f);
  if (found.empty()) return;
  Diagnostic& d =
      diags.error(fn.name_range, "C++ function " + in_quotes(fn.name) + " in " + in_quotes(path) +
                                     " does not have the declared signature");
  d.helps.push_back("the declaration needs: " + needs);
  d.helps.push_back(in_quotes(path) + " defines: " + found + " (as clang passes it)");
}

// Compiles one file and checks its functions; the bitcode, or "" on errors.
std::string compile_file(const std::string& written, const Declared& functions,
                         const std::string& flow_path, int opt_level, DiagnosticEngine& diags,
                         std::ostream& err) {
  SourceRange at = functions.front()->path_range;
  std::filesystem::path path(written);
  if (path.is_relative()) path = std::filesystem::path(flow_path).parent_path() / path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    bool missing = !std::filesystem::exists(path, ec);
    Diagnostic& d = diags.error(at, "cannot read C++ file " + in_quotes(path.string()) + ": " +
                                        (missing ? std::strerror(ENOENT) : "not a regular file"));
    if (std::filesystem::path(written).is_relative()) {
      d.helps.push_back("the path of a C++ file is relative to the folder of the .flow file");
    }
    return "";
  }
  engine::CppCompileResult compiled = engine::compile_cpp(path.string(), opt_level);
  if (!compiled.started) {
    Diagnostic& d =
        diags.error(at, "cannot compile " + in_quotes(path.string()) + ": " + compiled.output);
    d.helps.push_back("C++ functions need clang++-19 (Debian package clang-19)");
    return "";
  }
  err << compiled.output;  // clang's diagnostics as clang wrote them, warnings too
  if (!compiled.compiled) {
    Diagnostic& d = diags.error(at, in_quotes(path.string()) + " does not compile");
    d.helps.push_back("clang's messages are above (clang++-19 exited with status " +
                      std::to_string(compiled.exit_status) + ")");
    return "";
  }
  llvm::LLVMContext ctx;
  std::string error;
  std::unique_ptr<llvm::Module> m =
      engine::parse_bitcode(ctx, compiled.bitcode, path.string(), error);
  if (!m) {
    diags.error(
        at, "clang's output for " + in_quotes(path.string()) + " is not LLVM bitcode: " + error);
    return "";
  }
  if (llvm::Triple(m->getTargetTriple()).getArch() != llvm::Triple::x86_64) {
    diags.error(at,
                "C++ functions are supported on x86-64 only, not '" + m->getTargetTriple() + "'");
    return "";
  }
  size_t before = diags.error_count();
  for (const plan::UserFunction* fn : functions) check_definition(*fn, *m, path.string(), diags);
  return diags.error_count() == before ? std::move(compiled.bitcode) : "";
}

}  // namespace

void compile_functions(plan::Pipeline& pipeline, const std::string& flow_path, int opt_level,
                       DiagnosticEngine& diags, std::ostream& err) {
  if (pipeline.functions.empty()) return;
  // A function may not take a name the pipeline module already has: the
  // stdlib's and the runtime ABI's (and through them libc's, memchr...).
  engine::initialize_llvm();
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> stdlib = engine::load_stdlib(ctx);
  bool clash = false;
  for (const auto& fn : pipeline.functions) {
    if (stdlib->getNamedValue(fn->name) == nullptr) continue;
    Diagnostic& d = diags.error(
        fn->name_range, "the name " + in_quotes(fn->name) + " is a symbol flowc's runtime uses");
    d.helps.push_back("give the C++ function another name");
    clash = true;
  }
  if (clash) return;
  for (const auto& [written, functions] : by_file(pipeline)) {
    std::string bitcode = compile_file(written, functions, flow_path, opt_level, diags, err);
    if (!bitcode.empty()) pipeline.function_bitcode[written] = std::move(bitcode);
  }
}

FrontendOptions::AfterCheck compile_functions_after_check(const std::string& flow_path,
                                                          int opt_level) {
  return
      [flow_path, opt_level](plan::Pipeline& pipeline, DiagnosticEngine& diags, std::ostream& err) {
        compile_functions(pipeline, flow_path, opt_level, diags, err);
      };
}

bool link_functions(const plan::Pipeline& pipeline, llvm::Module& m, std::string& error) {
  for (const auto& [written, functions] : by_file(pipeline)) {
    std::vector<std::string> exports;
    bool called = false;
    for (const plan::UserFunction* fn : functions) {
      exports.push_back(fn->name);
      const llvm::Function* f = m.getFunction(fn->name);
      called = called || (f != nullptr && f->isDeclaration());
    }
    if (!called) continue;  // nothing of the file is needed (or it was not compiled)
    auto bitcode = pipeline.function_bitcode.find(written);
    if (bitcode == pipeline.function_bitcode.end()) {
      error = "the C++ file '" + written + "' was not compiled";
      return false;
    }
    if (!engine::link_cpp(m, bitcode->second, exports, error)) {
      error = "cannot link the C++ functions of '" + written + "': " + error;
      return false;
    }
  }
  return true;
}

}  // namespace flowc
