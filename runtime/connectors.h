// runtime/connectors.h — a Source or a Sink for each connector kind of the
// pipeline's descriptors. connectors.cpp is the one place that maps kinds to
// implementations: a new connector is its own file plus a row there.
#ifndef FLOWC_RUNTIME_CONNECTORS_H
#define FLOWC_RUNTIME_CONNECTORS_H

#include <memory>

#include "context.h"
#include "sink.h"

namespace flowrt {

// Not opened yet. Null after ctx->internal_error (a kind no connector has).
std::unique_ptr<Source> make_source(FlowContext* ctx, int32_t index, const FlowSourceDesc* desc);
std::unique_ptr<Sink> make_sink(FlowContext* ctx, int32_t index, const FlowSinkDesc* desc);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_CONNECTORS_H
