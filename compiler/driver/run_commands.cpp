// flowc run | build | emit-llvm: the commands that generate code.
#include <llvm/Support/raw_ostream.h>

#include <iostream>

#include "driver/commands.h"
#include "driver/compile.h"
#include "driver/functions.h"
#include "engine/engine.h"

namespace flowc {

namespace {

constexpr const char* kRunHelp =
    "usage: flowc run FILE.flow [options]\n\n"
    "Compiles the pipeline in memory (LLVM JIT) and runs it until every source\n"
    "has ended, or until SIGINT/SIGTERM (the current batch is finished first).\n\n"
    "options:\n"
    "  --param NAME=VALUE       set a param (typed and checked); repeatable\n"
    "  --batch D                the batch interval (e.g. 500ms, 2s)\n"
    "  --max-batch-records N    end a batch after N records (default 1000000)\n"
    "  --max-state-keys N       fail (exit 3) when a keyed table would hold more\n"
    "                           than N keys (default: no limit)\n"
    "  --checkpoint DIR         checkpoint directory\n"
    "  --progress               a live status line on stderr\n"
    "  --quiet                  no summary line at the end\n"
    "  -O0 .. -O3               LLVM optimization level (default -O2)\n\n"
    "exit status: 0 done, 1 compile error, 2 usage error, 3 runtime failure\n";

constexpr const char* kBuildHelp =
    "usage: flowc build FILE.flow -o PROGRAM [-O0..-O3] [--param NAME=VALUE]...\n\n"
    "Compiles the pipeline ahead of time into a standalone executable. PROGRAM\n"
    "accepts the same run options as 'flowc run' (--param, --batch, ...);\n"
    "--param given here sets the params' default values. The executable is built\n"
    "for this machine's CPU and needs no LLVM at run time.\n";

constexpr const char* kEmitHelp =
    "usage: flowc emit-llvm FILE.flow [-O0..-O3] [--param NAME=VALUE]... [--exe]\n\n"
    "Prints the optimized LLVM IR of the pipeline (what 'flowc run' executes;\n"
    "with --exe, what 'flowc build' compiles: params read at run time, main()).\n";

// Takes -O0..-O3 out of `rest`; false on a bad level.
bool take_opt_level(std::vector<std::string>& rest, int& level, const char* command) {
  for (auto it = rest.begin(); it != rest.end();) {
    if (it->size() == 3 && it->rfind("-O", 0) == 0 && (*it)[2] >= '0' && (*it)[2] <= '3') {
      level = (*it)[2] - '0';
      it = rest.erase(it);
    } else if (it->rfind("-O", 0) == 0) {
      std::cerr << "flowc " << command << ": error: unknown optimization level '" << *it
                << "' (use -O0, -O1, -O2 or -O3)\n";
      return false;
    } else {
      ++it;
    }
  }
  return true;
}

}  // namespace

int run_run(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("run", args, opts)) return 2;
  if (opts.help) {
    std::cout << kRunHelp;
    return 0;
  }
  CompileOptions compile;
  compile.disabled_passes = opts.disabled_passes;
  std::vector<std::string> runtime_args = opts.rest;
  if (!take_opt_level(runtime_args, compile.opt_level, "run")) return 2;
  opts.frontend.after_check = compile_functions_after_check(opts.file, compile.opt_level);
  FrontendResult r = run_frontend(opts.file, opts.frontend, std::cerr);
  if (!r.pipeline) return r.exit_code;
  compile.plan_text = checkpoint_plan_text(opts.file, opts.frontend, compile.disabled_passes);
  std::optional<Compiled> compiled = compile_pipeline(std::move(*r.pipeline), compile, std::cerr);
  if (!compiled) return 3;
  // The runtime parses the run options itself, exactly as a built program does.
  std::vector<std::string> argv_storage = {opts.file};
  for (const std::string& a : runtime_args) argv_storage.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  return engine::run_jit(std::move(compiled->module), std::move(compiled->context), "flow_pipeline",
                         static_cast<int>(argv_storage.size()), argv.data());
}

int run_build(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("build", args, opts)) return 2;
  if (opts.help) {
    std::cout << kBuildHelp;
    return 0;
  }
  CompileOptions compile;
  compile.disabled_passes = opts.disabled_passes;
  compile.for_executable = true;
  std::vector<std::string> rest = opts.rest;
  if (!take_opt_level(rest, compile.opt_level, "build")) return 2;
  std::string output;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--param" || rest[i] == "--batch") {
      ++i;
    } else if ((rest[i] == "-o" || rest[i] == "--output") && i + 1 < rest.size()) {
      output = rest[++i];
    } else {
      std::cerr << "flowc build: error: unknown option '" << rest[i] << "'\n"
                << "run 'flowc build --help' for usage\n";
      return 2;
    }
  }
  if (output.empty()) {
    std::cerr << "flowc build: error: no output file (use -o PROGRAM)\n";
    return 2;
  }
  opts.frontend.after_check = compile_functions_after_check(opts.file, compile.opt_level);
  FrontendResult r = run_frontend(opts.file, opts.frontend, std::cerr);
  if (!r.pipeline) return r.exit_code;
  compile.plan_text = checkpoint_plan_text(opts.file, opts.frontend, compile.disabled_passes);
  std::optional<Compiled> compiled = compile_pipeline(std::move(*r.pipeline), compile, std::cerr);
  if (!compiled) return 3;
  std::string error;
  if (!engine::build_executable(*compiled->module, output, error)) {
    std::cerr << "flowc build: error: " << error << "\n";
    return 3;
  }
  return 0;
}

int run_emit_llvm(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("emit-llvm", args, opts)) return 2;
  if (opts.help) {
    std::cout << kEmitHelp;
    return 0;
  }
  CompileOptions compile;
  compile.disabled_passes = opts.disabled_passes;
  std::vector<std::string> rest = opts.rest;
  if (!take_opt_level(rest, compile.opt_level, "emit-llvm")) return 2;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--param" || rest[i] == "--batch") {
      ++i;
    } else if (rest[i] == "--exe") {
      compile.for_executable = true;
    } else {
      std::cerr << "flowc emit-llvm: error: unknown option '" << rest[i] << "'\n";
      return 2;
    }
  }
  opts.frontend.after_check = compile_functions_after_check(opts.file, compile.opt_level);
  FrontendResult r = run_frontend(opts.file, opts.frontend, std::cerr);
  if (!r.pipeline) return r.exit_code;
  compile.plan_text = checkpoint_plan_text(opts.file, opts.frontend, compile.disabled_passes);
  std::optional<Compiled> compiled = compile_pipeline(std::move(*r.pipeline), compile, std::cerr);
  if (!compiled) return 3;
  engine::print_module(*compiled->module, llvm::outs());
  return 0;
}

const char* run_help() { return kRunHelp; }
const char* build_help() { return kBuildHelp; }
const char* emit_help() { return kEmitHelp; }

}  // namespace flowc
