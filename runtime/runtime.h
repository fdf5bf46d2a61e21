// runtime/runtime.h — the runtime's C++ entry points, for flow_runtime_main
// and for tests that drive a pipeline with their own file descriptors.
#ifndef FLOWC_RUNTIME_RUNTIME_H
#define FLOWC_RUNTIME_RUNTIME_H

#include "abi.h"

namespace flowrt {

// Exit statuses (LANGUAGE.md 11).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;

// Where the runtime's standard streams go. flow_runtime_main uses 0, 1, 2.
struct RuntimeIo {
  int stdin_fd = 0;
  int stdout_fd = 1;
  int stderr_fd = 2;
  int stdout_is_tty = -1;  // -1: ask isatty(stdout_fd)
};

// flow_runtime_main with explicit streams.
int run_pipeline(const FlowPipeline* pipeline, int argc, char** argv,
                 const RuntimeIo& io);

// Asks the running pipeline to stop after its current batch, as SIGINT and
// SIGTERM do. Safe from any thread and from signal handlers.
void request_stop();

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_RUNTIME_H
