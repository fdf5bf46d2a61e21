// runtime/sink.cpp — the sink ABI: generated code's rows to ctx->sinks (a
// bad sink index is an internal error: connectors.h).
#include "sink.h"

#include <string>

#include "connectors.h"
#include "worker.h"

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

// A row written while a morsel runs on a worker goes to the morsel's own
// formatter (committed in morsel order, worker.h); otherwise to the sink.
template <typename Put>
void put(FlowContext* ctx, int32_t sink, Put put_value) {
  flowrt::Worker* w = flowrt::current_worker();
  if (w != nullptr && w->out != nullptr) {
    if (flowrt::sink_at(ctx, sink) != nullptr) put_value(w->out->rows[static_cast<size_t>(sink)]);
    return;
  }
  if (auto* s = flowrt::sink_at(ctx, sink)) put_value(s->format());
}

extern "C" {

void flow_sink_begin_row(FlowContext* ctx, int32_t sink) {
  put(ctx, sink, [](flowrt::RowFormat& f) { f.begin_row(); });
}
void flow_sink_bool(FlowContext* ctx, int32_t sink, int32_t v) {
  put(ctx, sink, [v](flowrt::RowFormat& f) { f.put_bool(v != 0); });
}
void flow_sink_int(FlowContext* ctx, int32_t sink, int64_t v) {
  put(ctx, sink, [v](flowrt::RowFormat& f) { f.put_int(v); });
}
void flow_sink_float(FlowContext* ctx, int32_t sink, double v) {
  put(ctx, sink, [v](flowrt::RowFormat& f) { f.put_float(v); });
}
void flow_sink_string(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  put(ctx, sink, [p, n](flowrt::RowFormat& f) { f.put_string(view(p, n)); });
}
void flow_sink_timestamp(FlowContext* ctx, int32_t sink, int64_t v) {
  put(ctx, sink, [v](flowrt::RowFormat& f) { f.put_timestamp(v); });
}
void flow_sink_key(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  put(ctx, sink, [p, n](flowrt::RowFormat& f) { f.set_key(view(p, n)); });
}
void flow_sink_end_row(FlowContext* ctx, int32_t sink) {
  flowrt::Worker* w = flowrt::current_worker();
  if (w != nullptr && w->out != nullptr) {
    if (flowrt::sink_at(ctx, sink) == nullptr) return;
    w->out->rows[static_cast<size_t>(sink)].end_row();
    ++w->out->row_counts[static_cast<size_t>(sink)];
    return;
  }
  if (auto* s = flowrt::sink_at(ctx, sink)) s->end_row(ctx);
}

}  // extern "C"
