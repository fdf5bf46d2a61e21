// runtime/sink.cpp — the sink ABI: generated code's rows to ctx->sinks (a
// bad sink index is an internal error: connectors.h).
#include "sink.h"

#include <string>

#include "connectors.h"

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

std::string_view view(const char* p, int64_t n) {
  return n > 0 ? std::string_view(p, static_cast<size_t>(n)) : std::string_view();
}

}  // namespace

extern "C" {

void flow_sink_begin_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->begin_row();
}
void flow_sink_bool(FlowContext* ctx, int32_t sink, int32_t v) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->put_bool(v != 0);
}
void flow_sink_int(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->put_int(v);
}
void flow_sink_float(FlowContext* ctx, int32_t sink, double v) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->put_float(v);
}
void flow_sink_string(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->put_string(view(p, n));
}
void flow_sink_timestamp(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->put_timestamp(v);
}
void flow_sink_key(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->set_key(view(p, n));
}
void flow_sink_end_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = flowrt::sink_at(ctx, sink)) s->end_row(ctx);
}

}  // extern "C"
