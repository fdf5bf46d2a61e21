// runtime/sink.cpp — the sink ABI: generated code's rows to ctx->sinks.
#include "sink.h"

#include <cassert>
#include <string>

namespace flowrt {

bool Sink::choose_format(FlowContext* ctx, int32_t fallback) {
  const int32_t format = desc->format == FLOW_FORMAT_DEFAULT ? fallback : desc->format;
  if (format_.set_format(format)) return true;
  ctx->internal_error("sink '" + name() + "' was given format " + std::to_string(format) +
                      ", which no sink writes");
  return false;
}

}  // namespace flowrt

namespace {

// Codegen numbers the pipeline's sinks, so an index out of range is a flowc
// bug, not bad input: debug builds stop at the assertion, release builds
// stop the run (exit 3, "internal error: ...") rather than drop the rows.
[[gnu::cold, gnu::noinline]] void bad_sink_index(FlowContext* ctx, int32_t sink) {
  assert(false && "generated code passed a sink index out of range");
  ctx->internal_error("generated code wrote a row to sink " + std::to_string(sink) +
                      ", but the pipeline has " + std::to_string(ctx->sinks.size()) +
                      " sink(s)");
}

inline flowrt::Sink* sink_at(FlowContext* ctx, int32_t sink) {
  if (sink >= 0 && static_cast<size_t>(sink) < ctx->sinks.size()) [[likely]] {
    return ctx->sinks[static_cast<size_t>(sink)].get();
  }
  bad_sink_index(ctx, sink);
  return nullptr;
}

std::string_view view(const char* p, int64_t n) {
  return n > 0 ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

}  // namespace

extern "C" {

void flow_sink_begin_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = sink_at(ctx, sink)) s->begin_row();
}
void flow_sink_bool(FlowContext* ctx, int32_t sink, int32_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_bool(v != 0);
}
void flow_sink_int(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_int(v);
}
void flow_sink_float(FlowContext* ctx, int32_t sink, double v) {
  if (auto* s = sink_at(ctx, sink)) s->put_float(v);
}
void flow_sink_string(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = sink_at(ctx, sink)) s->put_string(view(p, n));
}
void flow_sink_timestamp(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_timestamp(v);
}
void flow_sink_key(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = sink_at(ctx, sink)) s->set_key(view(p, n));
}
void flow_sink_end_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = sink_at(ctx, sink)) s->end_row(ctx);
}

}  // extern "C"
