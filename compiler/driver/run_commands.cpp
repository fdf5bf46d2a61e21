// flowc run | build | emit-llvm: the commands that generate code.
#include <llvm/Support/raw_ostream.h>

#include <iostream>

#include "driver/commands.h"
#include "driver/compile.h"
#include "engine/cache.h"
#include "engine/engine.h"

namespace flowc {

namespace {

constexpr const char* kRunHelp =
    "usage: flowc run FILE.flow [options]\n\n"
    "Compiles the pipeline in memory (LLVM JIT) and runs it until every source\n"
    "has ended, or until SIGINT/SIGTERM (the current batch is finished first).\n\n"
    "options:\n"
    "  --param NAME=VALUE       set a param (typed and checked; a duration param\n"
    "                           takes a duration such as 250ms, 10s, 5m); repeatable\n"
    "  --batch D                the batch interval (e.g. 500ms, 2s)\n"
    "  --max-batch-records N    end a batch after N records (default 1000000)\n"
    "  --max-state-keys N       fail (exit 3) when a keyed table would hold more\n"
    "                           than N keys (default: no limit)\n"
    "  --threads N              worker threads (default: every CPU this process may\n"
    "                           use); the output is the same for every N\n"
    "  --checkpoint DIR         checkpoint directory\n"
    "  --progress               a live status line on stderr\n"
    "  --metrics HOST:PORT      serve Prometheus metrics on http://HOST:PORT/metrics\n"
    "                           (127.0.0.1:9100 for this machine only; port 0: any free)\n"
    "  --quiet                  no summary line at the end\n"
    "  -O0 .. -O3               LLVM optimization level (default -O2)\n"
    "  --no-cache               compile without reading or writing the compile cache\n\n"
    "exit status: 0 done, 1 compile error, 2 usage error, 3 runtime failure\n";

constexpr const char* kBuildHelp =
    "usage: flowc build FILE.flow -o PROGRAM [-O0..-O3] [--param NAME=VALUE]... [--no-cache]\n\n"
    "Compiles the pipeline ahead of time into a standalone executable. PROGRAM\n"
    "accepts the same run options as 'flowc run' (--param, --batch, ...), and\n"
    "every param follows its --param at run time (connector and format arguments,\n"
    "durations, defaults) except one that a regex pattern reads: that one is\n"
    "compiled in, and --param given here sets it (as it sets every param's\n"
    "default value). The executable is built for this machine's CPU and needs\n"
    "no LLVM at run time.\n";

constexpr const char* kEmitHelp =
    "usage: flowc emit-llvm FILE.flow [-O0..-O3] [--param NAME=VALUE]... [--exe]\n\n"
    "Prints the optimized LLVM IR of the pipeline (what 'flowc run' executes;\n"
    "with --exe, what 'flowc build' compiles: params read at run time, main()).\n";

std::string cache_help() {
  std::string dir = compile_cache_dir();
  return "\ncompile cache: " +
         (dir.empty() ? std::string("off (neither XDG_CACHE_HOME nor HOME is set)") : dir) +
         "\n  ($XDG_CACHE_HOME/flowc, else ~/.cache/flowc; at most " +
         std::to_string(engine::kCacheMaxBytes >> 20) +
         " MiB, least recently used\n  entries removed first; safe to delete at any time)\n";
}

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

// Takes `--no-cache` out of `rest`.
bool take_no_cache(std::vector<std::string>& rest) {
  bool found = false;
  for (auto it = rest.begin(); it != rest.end();) {
    if (*it == "--no-cache") {
      found = true;
      it = rest.erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

int run_run(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("run", args, opts)) return 2;
  if (opts.help) {
    std::cout << run_help();
    return 0;
  }
  CompileOptions compile;
  compile.disabled_passes = opts.disabled_passes;
  compile.output = CompileOutput::Jit;
  std::vector<std::string> runtime_args = opts.rest;
  if (!take_opt_level(runtime_args, compile.opt_level, "run")) return 2;
  compile.use_cache = !take_no_cache(runtime_args);
  Compiled compiled = compile_file(opts.file, opts.frontend, compile, std::cerr);
  if (!compiled.object) return compiled.exit_code;
  // The runtime parses the run options itself, exactly as a built program does.
  std::vector<std::string> argv_storage = {opts.file};
  for (const std::string& a : runtime_args) argv_storage.push_back(a);
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  return engine::run_jit(std::move(compiled.object), "flow_pipeline",
                         static_cast<int>(argv_storage.size()), argv.data());
}

int run_build(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("build", args, opts)) return 2;
  if (opts.help) {
    std::cout << build_help();
    return 0;
  }
  CompileOptions compile;
  compile.disabled_passes = opts.disabled_passes;
  compile.output = CompileOutput::Executable;
  std::vector<std::string> rest = opts.rest;
  if (!take_opt_level(rest, compile.opt_level, "build")) return 2;
  compile.use_cache = !take_no_cache(rest);
  std::string output;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--param" || rest[i] == "--batch") {
      ++i;
    } else if ((rest[i] == "-o" || rest[i] == "--output") && i + 1 < rest.size()) {
      output = rest[++i];
    } else {
      report_unknown_option("build", rest[i], {"-o", "--output", "-O0", "-O1", "-O2", "-O3"});
      return 2;
    }
  }
  if (output.empty()) {
    std::cerr << "flowc build: error: no output file (use -o PROGRAM)\n";
    return 2;
  }
  Compiled compiled = compile_file(opts.file, opts.frontend, compile, std::cerr);
  if (!compiled.object) return compiled.exit_code;
  std::string error;
  if (!engine::link_executable(*compiled.object, output, error)) {
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
  compile.output = CompileOutput::Ir;
  std::vector<std::string> rest = opts.rest;
  if (!take_opt_level(rest, compile.opt_level, "emit-llvm")) return 2;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--param" || rest[i] == "--batch") {
      ++i;
    } else if (rest[i] == "--exe") {
      compile.output = CompileOutput::ExecutableIr;
    } else {
      report_unknown_option("emit-llvm", rest[i], {"--exe", "-O0", "-O1", "-O2", "-O3"});
      return 2;
    }
  }
  Compiled compiled = compile_file(opts.file, opts.frontend, compile, std::cerr);
  if (!compiled.module) return compiled.exit_code;
  engine::print_module(*compiled.module, llvm::outs());
  return 0;
}

// The help texts name the cache directory as this environment has it.
const char* run_help() {
  static const std::string text = std::string(kRunHelp) + cache_help();
  return text.c_str();
}
const char* build_help() {
  static const std::string text = std::string(kBuildHelp) + cache_help();
  return text.c_str();
}
const char* emit_help() { return kEmitHelp; }

}  // namespace flowc
