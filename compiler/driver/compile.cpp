// compiler/driver/compile.cpp — the one compile sequence (compile.h).
#include "driver/compile.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "codegen/codegen.h"
#include "driver/functions.h"
#include "engine/cache.h"
#include "engine/engine.h"
#include "optimize/optimizer.h"

namespace flowc {

namespace {

// The exit status when flowc itself fails after the file checked clean
// (LANGUAGE.md 11: 3 is a runtime failure).
constexpr int kInternalFailure = 3;

// FLOWC_COMPILE_TRACE=1: one line per step on stderr, for bench/startup.sh
// and for finding out why a run was slow to start.
class Trace {
 public:
  explicit Trace(std::ostream& err) : err_(err) {
    const char* env = std::getenv("FLOWC_COMPILE_TRACE");
    on_ = env != nullptr && env[0] != '\0' && env[0] != '0';
    last_ = std::chrono::steady_clock::now();
    last_cpu_ = std::clock();
  }
  // Reports the time (wall, and CPU of the whole process: on a busy
  // machine the steadier figure) since the previous step.
  void step(const char* name, const std::string& note = "") {
    auto now = std::chrono::steady_clock::now();
    std::clock_t cpu = std::clock();
    if (on_) {
      char times[64];
      std::snprintf(times, sizeof times, "%.1f ms (cpu %.1f ms)",
                    std::chrono::duration<double, std::milli>(now - last_).count(),
                    1000.0 * static_cast<double>(cpu - last_cpu_) / CLOCKS_PER_SEC);
      err_ << "flowc: compile: " << name << " " << times << (note.empty() ? "" : ": ") << note
           << "\n";
    }
    last_ = now;
    last_cpu_ = cpu;
  }
  // A line under the last step.
  void detail(const std::string& note) {
    if (on_) err_ << "flowc: compile:   " << note << "\n";
  }

 private:
  std::ostream& err_;
  bool on_ = false;
  std::chrono::steady_clock::time_point last_;
  std::clock_t last_cpu_;
};

bool wants_object(CompileOutput output) {
  return output == CompileOutput::Jit || output == CompileOutput::Executable;
}

bool for_executable(CompileOutput output) {
  return output == CompileOutput::Executable || output == CompileOutput::ExecutableIr;
}

// Plan passes, then code on top of the stdlib; false after a message.
bool generate(plan::Pipeline& pipeline, const CompileOptions& options, Compiled& out,
              std::vector<std::string>& exported, std::ostream& err) {
  const bool executable = for_executable(options.output);
  // The checkpoint fingerprint's text is taken with params kept by name:
  // every constant that reads a param prints as written, so the text is the
  // same whatever --param says, and `flowc run` and a built program of the
  // same file read each other's checkpoints (LANGUAGE.md 12).
  optimize::PassOptions by_name;
  by_name.fold_params = false;
  optimize::optimize(pipeline, by_name, options.disabled_passes);
  const std::string plan_text = codegen::pipeline_plan_text(pipeline);
  if (!executable) {
    // JIT: the --param values are known; fold them in as constants.
    optimize::optimize(pipeline, optimize::PassOptions{}, options.disabled_passes);
  }

  engine::initialize_llvm();
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module = engine::load_stdlib(*out.context);
  if (!out.module) {
    err << "flowc: error: cannot load the embedded standard library\n";
    return false;
  }
  out.module->setModuleIdentifier(pipeline.name);
  out.module->setSourceFileName(pipeline.name + ".flow");
  codegen::CodegenOptions cg_options;
  cg_options.fold_params = !executable;
  cg_options.emit_main = executable;
  cg_options.plan_text = plan_text;
  codegen::CodegenResult result = codegen::generate_pipeline(pipeline, *out.module, cg_options);
  exported = result.exported;
  std::string error;
  if (!link_functions(pipeline, *out.module, error)) {  // C++ functions, before the cache hashes
    err << "flowc: error: " << error << "\n";
    return false;
  }
  return true;
}

}  // namespace

std::string compile_cache_dir() { return engine::ObjectCache::default_dir(); }

Compiled compile_file(const std::string& path, const FrontendOptions& frontend,
                      const CompileOptions& options, std::ostream& err) {
  Trace trace(err);
  Compiled out;
  FrontendOptions checking = frontend;
  checking.after_check = compile_functions_after_check(path, options.opt_level);  // C++ functions
  FrontendResult checked = run_frontend(path, checking, err);
  if (!checked.pipeline) {
    out.exit_code = checked.exit_code;
    return out;
  }
  trace.step("frontend");

  std::vector<std::string> exported;
  if (!generate(*checked.pipeline, options, out, exported, err)) {
    out.exit_code = kInternalFailure;
    return out;
  }
  trace.step("codegen");

  const engine::ObjectUse use =
      options.output == CompileOutput::Jit ? engine::ObjectUse::Jit : engine::ObjectUse::Executable;
  std::optional<engine::ObjectCache> cache;
  engine::CacheKey key{};
  if (wants_object(options.output) && options.use_cache) {
    std::string dir = engine::ObjectCache::default_dir();
    if (!dir.empty()) {
      cache.emplace(dir);
      key = engine::cache_key(*out.module, {FLOWC_VERSION, options.opt_level, use});
      std::string why;
      out.object = cache->lookup(key, &why);
      trace.step("cache", out.object ? "hit " + dir + "/" + engine::to_hex(key) + ".o"
                                     : "miss (" + why + ")");
      if (out.object) {
        out.module.reset();
        out.context.reset();
        return out;
      }
    }
  }

  std::string error;
  if (options.output == CompileOutput::Jit) {
    // Optimizer and backend in one step, on several threads when the
    // module is large (engine/parallel.cpp).
    std::vector<std::string> parts;
    out.object =
        engine::compile_jit_object(*out.module, options.opt_level, exported, error, &parts);
    trace.step("optimize+object",
               parts.empty() ? "whole" : std::to_string(parts.size()) + " partitions");
    for (const std::string& part : parts) trace.detail(part);
  } else {
    if (!engine::optimize_module(*out.module, options.opt_level, exported, error,
                                 /*portable=*/for_executable(options.output))) {
      err << "flowc: internal error: " << error << "\n";
      out.exit_code = kInternalFailure;
      return out;
    }
    trace.step("optimize");
    if (!wants_object(options.output)) return out;
    out.object = engine::emit_object(*out.module, use, error);
    trace.step("object");
  }
  out.module.reset();
  out.context.reset();
  if (!out.object) {
    err << "flowc: internal error: " << error << "\n";
    out.exit_code = kInternalFailure;
    return out;
  }
  if (cache) {
    std::string why;
    bool stored = cache->store(key, out.object->getBuffer(), &why);
    trace.step("cache", stored ? "stored" : "not stored (" + why + ")");
  }
  return out;
}

}  // namespace flowc
