// compiler/driver/commands.h — the flowc commands, one table.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "driver/frontend.h"

namespace flowc {

struct Command {
  const char* name;
  const char* summary;
  const char* help;  // the text of `flowc NAME --help`
  int (*run)(const std::vector<std::string>& args, int argc, char** argv);
};

const std::vector<Command>& commands();
std::optional<std::string> suggest_command(const std::string& name);

// Options every command shares: the file, --param, --batch. Unknown
// options are left in `rest` for the command.
struct CommonOptions {
  std::string file;
  FrontendOptions frontend;
  std::set<std::string> disabled_passes;  // --disable-pass NAME
  std::vector<std::string> rest;
  bool help = false;
};
// Returns false (after printing a usage error) when the arguments are wrong.
bool parse_common(const char* command, const std::vector<std::string>& args,
                  CommonOptions& out);

// Prints `flowc COMMAND: error: unknown option 'X'`, with a did-you-mean
// from `known` (plus the options parse_common takes) when one is close.
void report_unknown_option(const char* command, const std::string& option,
                           const std::vector<std::string>& known);

// Durations on the command line use the .flow syntax: 250ms, 2s, 1m.
std::optional<int64_t> parse_duration_arg(const std::string& text);

// Each command's entry point (commands.cpp and the files beside it).
int run_check(const std::vector<std::string>& args, int argc, char** argv);
int run_explain(const std::vector<std::string>& args, int argc, char** argv);
int run_run(const std::vector<std::string>& args, int argc, char** argv);
int run_build(const std::vector<std::string>& args, int argc, char** argv);
int run_emit_llvm(const std::vector<std::string>& args, int argc, char** argv);
const char* run_help();
const char* build_help();
const char* emit_help();
// `flowc test` (test_command.cpp): a pipeline against case folders.
int run_test(const std::vector<std::string>& args, int argc, char** argv);
const char* test_help();
// `flowc kafka-mock` (kafka_mock.cpp): librdkafka's mock cluster.
int run_kafka_mock(const std::vector<std::string>& args, int argc, char** argv);
const char* kafka_mock_help();

}  // namespace flowc
