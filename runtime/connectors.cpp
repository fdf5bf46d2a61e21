// runtime/connectors.cpp — connector kinds to their implementations.
#include "connectors.h"

#include <cassert>
#include <string>

#include "sources.h"

namespace flowrt {
namespace {

struct SourceKind {
  int32_t kind;  // FlowSourceDesc::kind without FLOW_SOURCE_TABLE_BIT
  std::unique_ptr<Source> (*make)(int32_t index, const FlowSourceDesc* desc);
};

constexpr SourceKind kSourceKinds[] = {
    {FLOW_SOURCE_FILE, make_text_source},          // source_text.cpp
    {FLOW_SOURCE_STDIN, make_text_source},        {FLOW_SOURCE_SOCKET, make_text_source},
    {FLOW_SOURCE_GENERATE, make_generate_source},  // source_generate.cpp
    {FLOW_SOURCE_KAFKA, make_kafka_source},        // source_kafka.cpp
    {FLOW_SOURCE_DIR, make_dir_source},            // source_dir.cpp
};

struct SinkKind {
  int32_t kind;
  std::unique_ptr<Sink> (*make)(int32_t index, const FlowSinkDesc* desc);
};

constexpr SinkKind kSinkKinds[] = {
    {FLOW_SINK_STDOUT, make_stdout_sink},  // sink_file.cpp
    {FLOW_SINK_FILE, make_file_sink},      // sink_file.cpp
    {FLOW_SINK_KAFKA, make_kafka_sink},    // sink_kafka.cpp
};

std::string quoted_name(const char* name) {
  std::string out = "'";
  out += name ? name : "?";
  out += '\'';
  return out;
}

}  // namespace

std::unique_ptr<Source> make_source(FlowContext* ctx, int32_t index, const FlowSourceDesc* desc) {
  const int32_t kind = desc->kind & ~FLOW_SOURCE_TABLE_BIT;
  for (const SourceKind& k : kSourceKinds) {
    if (k.kind != kind) continue;
    std::unique_ptr<Source> s = k.make(index, desc);
    s->is_table = (desc->kind & FLOW_SOURCE_TABLE_BIT) != 0;
    return s;
  }
  ctx->internal_error("source " + quoted_name(desc->name) + " has the unknown kind " +
                      std::to_string(desc->kind));
  return nullptr;
}

std::unique_ptr<Sink> make_sink(FlowContext* ctx, int32_t index, const FlowSinkDesc* desc) {
  for (const SinkKind& k : kSinkKinds) {
    if (k.kind == desc->kind) return k.make(index, desc);
  }
  ctx->internal_error("sink " + quoted_name(desc->name) + " has the unknown kind " +
                      std::to_string(desc->kind));
  return nullptr;
}

void bad_index(FlowContext* ctx, const char* what, int32_t index, size_t count) {
  assert(false && "generated code passed a source or sink index out of range");
  ctx->internal_error("generated code passed " + std::string(what) + " index " +
                      std::to_string(index) + ", but the pipeline has " + std::to_string(count) +
                      " " + what + "(s)");
}

}  // namespace flowrt
