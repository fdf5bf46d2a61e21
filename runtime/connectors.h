// runtime/connectors.h — a Source or a Sink for each connector kind of the
// pipeline's descriptors (connectors.cpp is the one place that maps kinds to
// implementations: a new connector is its own file plus a row there), and
// the source or sink that generated code names by index.
#ifndef FLOWC_RUNTIME_CONNECTORS_H
#define FLOWC_RUNTIME_CONNECTORS_H

#include <memory>

#include "context.h"
#include "sink.h"

namespace flowrt {

// Not opened yet. Null after ctx->internal_error (a kind no connector has).
std::unique_ptr<Source> make_source(FlowContext* ctx, int32_t index, const FlowSourceDesc* desc);
std::unique_ptr<Sink> make_sink(FlowContext* ctx, int32_t index, const FlowSinkDesc* desc);

// Codegen numbers the pipeline's sources and sinks, so an index out of
// range from generated code is a flowc bug, not bad input: debug builds
// stop at an assertion, release builds stop the run with an internal error
// (exit 3) rather than drop or misread records silently.
[[gnu::cold, gnu::noinline]] void bad_index(FlowContext* ctx, const char* what, int32_t index,
                                            size_t count);

// Null after bad_index.
inline Source* source_at(FlowContext* ctx, int32_t index) {
  if (index >= 0 && static_cast<size_t>(index) < ctx->sources.size()) [[likely]] {
    return ctx->sources[static_cast<size_t>(index)].get();
  }
  bad_index(ctx, "source", index, ctx->sources.size());
  return nullptr;
}

inline Sink* sink_at(FlowContext* ctx, int32_t index) {
  if (index >= 0 && static_cast<size_t>(index) < ctx->sinks.size()) [[likely]] {
    return ctx->sinks[static_cast<size_t>(index)].get();
  }
  bad_index(ctx, "sink", index, ctx->sinks.size());
  return nullptr;
}

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_CONNECTORS_H
