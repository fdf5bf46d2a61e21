// runtime/batch_loop.h — the micro-batch loop (LANGUAGE.md 7).
#ifndef FLOWC_RUNTIME_BATCH_LOOP_H
#define FLOWC_RUNTIME_BATCH_LOOP_H

#include "abi.h"

namespace flowrt {

// Runs batches until every source has ended, a stop is requested, or the
// run fails; returns the exit status. Sources and sinks are open. `wake_fd`
// becomes readable when a stop is requested (it is polled with the inputs).
int run_batches(FlowContext* ctx, int wake_fd);

// True once SIGINT/SIGTERM or request_stop() asked the run to stop.
bool stop_requested();

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_BATCH_LOOP_H
