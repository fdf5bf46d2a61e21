// compiler/engine/spawn.h — running the system linker without a shell
// (internal to compiler/engine/).
#pragma once

#include <string>
#include <vector>

namespace flowc::engine {

struct ProcessResult {
  bool started = false;  // false: could not run argv[0] (see `output`)
  int exit_status = -1;  // the exit code, or 128 + signal number
  std::string output;    // stdout and stderr, interleaved
};

// Runs argv[0] (looked up on PATH) with `argv`, no shell, this process's
// environment, and waits for it.
ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace flowc::engine
