// compiler/driver/main.cpp — the flowc command line (LANGUAGE.md 11).
//
// Exit status: 0 done, 1 compile errors, 2 usage errors, 3 runtime failure.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "driver/commands.h"
#include "support/internal_error.h"

namespace {

using flowc::Command;

void print_help(std::ostream& out) {
  out << "flowc — compiles .flow streaming pipelines to native code\n\n"
         "usage: flowc COMMAND FILE.flow [options]\n\n"
         "commands:\n";
  for (const Command& c : flowc::commands()) {
    out << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
  }
  out << "\n'flowc COMMAND --help' shows a command's options.\n"
         "exit status: 0 done, 1 compile error, 2 usage error, 3 runtime failure\n";
}

int run_command(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "flowc " << FLOWC_VERSION << "\n";
    return 0;
  }
  for (const Command& c : flowc::commands()) {
    if (args[0] == c.name) {
      std::vector<std::string> rest(args.begin() + 1, args.end());
      return c.run(rest, argc, argv);
    }
  }
  std::cerr << "flowc: error: unknown command '" << args[0] << "'\n";
  std::vector<std::string> names;
  for (const Command& c : flowc::commands()) names.push_back(c.name);
  if (auto match = flowc::suggest_command(args[0])) {
    std::cerr << "  = help: did you mean '" << *match << "'?\n";
  }
  std::cerr << "run 'flowc --help' for the list of commands\n";
  return 2;
}

}  // namespace

// The one exit path for a broken invariant of flowc (support/internal_error.h).
int main(int argc, char** argv) {
  try {
    return run_command(argc, argv);
  } catch (const flowc::InternalError& e) {
    std::cerr << flowc::internal_error_report(e, FLOWC_VERSION);
    return 3;
  }
}
