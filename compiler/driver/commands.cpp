#include "driver/commands.h"

#include <iostream>

#include "driver/functions.h"
#include "optimize/optimizer.h"
#include "parse/parser.h"
#include "plan/explain.h"
#include "support/edit_distance.h"

namespace flowc {

namespace {

constexpr const char* kCheckHelp =
    "usage: flowc check FILE.flow [--param NAME=VALUE]... [--batch D]\n\n"
    "Parses and type-checks FILE.flow and reports every error with its line\n"
    "and column. Never opens data files.\n\n"
    "options:\n"
    "  --param NAME=VALUE   override a param (typed and checked; a duration\n"
    "                       param takes a duration such as 250ms, 10s, 5m)\n"
    "  --batch D            override the batch interval (e.g. 500ms, 2s)\n";

constexpr const char* kExplainHelp =
    "usage: flowc explain FILE.flow [--graph mermaid|dot] [--param NAME=VALUE]... [--batch D]\n\n"
    "Prints the checked plan: each source, table and stream with its stages\n"
    "and their output schemas, the watermark and window settings, and the sinks.\n\n"
    "options:\n"
    "  --graph mermaid|dot  print the plan as a Mermaid or Graphviz graph instead\n"
    "  --disable-pass NAME  skip a plan pass (fold-constants, push-down-predicates,\n"
    "                       prune-columns); repeatable\n"
    "  --param NAME=VALUE   override a param (typed and checked; a duration\n"
    "                       param takes a duration such as 250ms, 10s, 5m)\n"
    "  --batch D            override the batch interval\n";

}  // namespace

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"run", "compile in memory (LLVM JIT) and run", run_help(), run_run},
      {"build", "compile to a standalone executable (-o PROGRAM)", build_help(), run_build},
      {"check", "parse and type-check; report every error", kCheckHelp, run_check},
      {"explain", "print the checked plan (or --graph mermaid|dot)", kExplainHelp, run_explain},
      {"emit-llvm", "print the optimized LLVM IR", emit_help(), run_emit_llvm},
      {"test", "run the pipeline on test case folders and compare its output", test_help(),
       run_test},
      {"kafka-mock", "serve a local mock Kafka cluster (librdkafka) for trying kafka(...)",
       kafka_mock_help(), run_kafka_mock},
  };
  return table;
}

std::optional<std::string> suggest_command(const std::string& name) {
  std::vector<std::string> names;
  for (const Command& c : commands()) names.push_back(c.name);
  return closest_match(name, names);
}

std::optional<int64_t> parse_duration_arg(const std::string& text) {
  LexError error;
  if (text.empty() || !isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  auto ms = parse_duration_literal(text, error);
  if (!ms || *ms <= 0) return std::nullopt;
  return ms;
}

// Run options (runtime/options.cpp) and command options whose value is
// the next argument.
static bool takes_value(const std::string& option) {
  static const char* const kWithValue[] = {"--max-batch-records",
                                           "--max-state-keys",
                                           "--threads",
                                           "--checkpoint",
                                           "--metrics",
                                           "-o",
                                           "--output",
                                           "--graph",
                                           "--timeout"};
  for (const char* o : kWithValue) {
    if (option == o) return true;
  }
  return false;
}

bool parse_common(const char* command, const std::vector<std::string>& args, CommonOptions& out) {
  auto usage = [&](const std::string& message) {
    std::cerr << "flowc " << command << ": error: " << message << "\n"
              << "run 'flowc " << command << " --help' for usage\n";
    return false;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      size_t eq = a.find('=');
      if (eq != std::string::npos && a.rfind("--", 0) == 0) {
        into = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      out.help = true;
    } else if (a == "--param" || a.rfind("--param=", 0) == 0) {
      std::string kv;
      if (!value(kv)) return usage("--param needs NAME=VALUE");
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) return usage("--param needs NAME=VALUE, got '" + kv + "'");
      out.frontend.params[kv.substr(0, eq)] = kv.substr(eq + 1);
      out.rest.push_back("--param");
      out.rest.push_back(kv);
    } else if (a == "--batch" || a.rfind("--batch=", 0) == 0) {
      std::string d;
      if (!value(d)) return usage("--batch needs a duration such as 500ms or 2s");
      auto ms = parse_duration_arg(d);
      if (!ms) return usage("invalid duration '" + d + "' for --batch (use e.g. 500ms, 2s, 1m)");
      out.frontend.batch_ms = ms;
      out.rest.push_back("--batch");
      out.rest.push_back(d);
    } else if (a == "--disable-pass" || a.rfind("--disable-pass=", 0) == 0) {
      std::string name;
      if (!value(name)) return usage("--disable-pass needs a pass name");
      bool known = false;
      for (const optimize::Pass& pass : optimize::passes()) known = known || name == pass.name;
      if (!known) {
        std::string names;
        for (const optimize::Pass& pass : optimize::passes()) names += std::string(" ") + pass.name;
        return usage("unknown pass '" + name + "' (passes:" + names + ")");
      }
      out.disabled_passes.insert(name);
    } else if (takes_value(a) && i + 1 < args.size()) {
      // Passed on whole, so that its value is never taken for the file.
      out.rest.push_back(a);
      out.rest.push_back(args[++i]);
    } else if (a.size() > 5 && a.compare(a.size() - 5, 5, ".flow") == 0 && out.file.empty() &&
               a[0] != '-') {
      out.file = a;
    } else if (out.file.empty() && !a.empty() && a[0] != '-') {
      out.file = a;
    } else {
      out.rest.push_back(a);
    }
  }
  if (out.help) return true;
  if (out.file.empty()) return usage("no input file");
  return true;
}

void report_unknown_option(const char* command, const std::string& option,
                           const std::vector<std::string>& known) {
  std::vector<std::string> names = {"--param", "--batch", "--disable-pass", "--help"};
  names.insert(names.end(), known.begin(), known.end());
  std::cerr << "flowc " << command << ": error: unknown option '" << option << "'";
  if (auto near = closest_match(option, names)) std::cerr << "; did you mean '" << *near << "'?";
  std::cerr << "\nrun 'flowc " << command << " --help' for usage\n";
}

static bool reject_rest(const char* command, const std::vector<std::string>& rest,
                        const std::vector<std::string>& known = {}) {
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--param" || rest[i] == "--batch") {
      ++i;
      continue;
    }
    report_unknown_option(command, rest[i], known);
    return false;
  }
  return true;
}

int run_check(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("check", args, opts)) return 2;
  if (opts.help) {
    std::cout << kCheckHelp;
    return 0;
  }
  if (!reject_rest("check", opts.rest)) return 2;
  // C++ functions are compiled and checked too (LANGUAGE.md 13), at -O2.
  opts.frontend.after_check = compile_functions_after_check(opts.file, 2);
  FrontendResult r = run_frontend(opts.file, opts.frontend, std::cerr);
  return r.exit_code;
}

int run_explain(const std::vector<std::string>& args, int, char**) {
  CommonOptions opts;
  if (!parse_common("explain", args, opts)) return 2;
  if (opts.help) {
    std::cout << kExplainHelp;
    return 0;
  }
  std::optional<plan::GraphKind> graph;
  std::vector<std::string> rest;
  for (size_t i = 0; i < opts.rest.size(); ++i) {
    const std::string& a = opts.rest[i];
    if (a == "--graph" || a.rfind("--graph=", 0) == 0) {
      std::string kind = a == "--graph" ? (i + 1 < opts.rest.size() ? opts.rest[++i] : "")
                                        : a.substr(8);
      if (kind == "mermaid") {
        graph = plan::GraphKind::Mermaid;
      } else if (kind == "dot") {
        graph = plan::GraphKind::Dot;
      } else {
        std::cerr << "flowc explain: error: --graph takes 'mermaid' or 'dot'"
                  << (kind.empty() ? "" : ", got '" + kind + "'") << "\n";
        return 2;
      }
    } else {
      rest.push_back(a);
    }
  }
  if (!reject_rest("explain", rest, {"--graph"})) return 2;
  FrontendResult r = run_frontend(opts.file, opts.frontend, std::cerr);
  if (!r.pipeline) return r.exit_code;
  // The plan as it will be compiled, with params kept by name.
  optimize::PassOptions pass_options;
  pass_options.fold_params = false;
  optimize::optimize(*r.pipeline, pass_options, opts.disabled_passes);
  if (graph) {
    plan::explain_graph(*r.pipeline, *graph, std::cout);
  } else {
    plan::explain(*r.pipeline, std::cout);
  }
  return 0;
}

}  // namespace flowc
