// compiler/plan/read_ahead.cpp — see read_ahead.h.
#include "plan/read_ahead.h"

namespace flowc::plan {

std::optional<ReadAhead> read_ahead(const Pipeline& p, int source) {
  const Source& src = p.sources[source];
  if (src.format.kind != FormatKind::Json) return std::nullopt;
  auto reads = [&](const Input& in) { return in.kind == Input::Source && in.index == source; };
  for (const Sink& sink : p.sinks) {
    if (reads(sink.input)) return std::nullopt;
  }
  const Stream* only = nullptr;
  for (const Stream& stream : p.streams) {
    for (const Input& in : stream.inputs) {
      if (!reads(in)) continue;
      if (only != nullptr) return std::nullopt;
      only = &stream;
    }
  }
  if (only == nullptr || only->inputs.size() != 1 || !only->inputs[0].order.empty()) {
    return std::nullopt;
  }
  for (const Stage& st : only->stages) {
    if (st.is<WhereStage>()) continue;
    const auto* join = st.as<JoinStage>();
    if (join == nullptr || join->on_field < 0 ||
        join->on_field >= static_cast<int>(src.schema.fields.size()) ||
        src.schema.fields[join->on_field].type != Type::String || join->table < 0) {
      return std::nullopt;
    }
    const Table& t = p.tables[join->table];
    if (t.schema.fields[t.key].type != Type::String) return std::nullopt;
    return ReadAhead{join->on_field, join->table};
  }
  return std::nullopt;
}

std::string read_ahead_text(const Pipeline& p, int source, const ReadAhead& r) {
  return "read ahead: the probe of `join " + p.tables[r.table].name + " on " +
         p.sources[source].schema.fields.at(r.field).name + "` is prefetched";
}

}  // namespace flowc::plan
