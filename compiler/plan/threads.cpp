// Which sources run on every thread (plan/threads.h).
#include "plan/threads.h"

#include <optional>

#include "plan/partitioning.h"

namespace flowc::plan {
namespace {

std::optional<std::string> order_needed(const Pipeline& p, int stream, size_t from);

// Why the rows of a source or stream (`kind`, `index`) must keep arrival
// order in some stream that reads them: as its input (a union's too), or
// as the other side of its stream join.
std::optional<std::string> readers_need_order(const Pipeline& p, Input::Kind kind, int index) {
  for (size_t r = 0; r < p.streams.size(); ++r) {
    const Stream& reader = p.streams[r];
    for (const Input& in : reader.inputs) {
      if (in.kind != kind || in.index != index) continue;
      if (auto why = order_needed(p, static_cast<int>(r), 0)) return why;
    }
    for (const Stage& st : reader.stages) {
      const auto* join = st.as<IntervalJoinStage>();
      if (join && join->other.kind == kind && join->other.index == index) {
        return "a join within in stream '" + reader.name + "'";
      }
    }
  }
  return std::nullopt;
}

// Why records entering `stream` at stage `from` must keep arrival order;
// nullopt when they need not (up to where the stream's rows leave the
// fused loop, or through its end into the streams that read it).
std::optional<std::string> order_needed(const Pipeline& p, int stream, size_t from) {
  const Stream& s = p.streams[static_cast<size_t>(stream)];
  auto in_stream = [&](const std::string& what) { return what + " in stream '" + s.name + "'"; };
  for (size_t i = from; i < s.stages.size(); ++i) {
    const Stage& st = s.stages[i];
    const StageOp& op = st.op;
    // Its state moves with kafka partitions (plan/partitioning.h), at
    // rebalances, on the thread that reads kafka.
    if (state_follows_partitions(p, stream, st)) return in_stream("state per kafka partition");
    if (const auto* agg = std::get_if<AggregateStage>(&op)) {
      if (agg->window && agg->window->kind == WindowKind::Session)
        return in_stream("a session window");
      for (const Aggregate& a : agg->aggregates) {
        if (combines_exactly(a)) continue;
        const bool by_order = a.fn == AggFn::First || a.fn == AggFn::Last;
        return in_stream(a.name + " = " + agg_name(a.fn) + (by_order ? "" : " of floats"));
      }
      return std::nullopt;  // its rows are emitted at the batch end
    }
    if (std::holds_alternative<UpdateStage>(op)) return in_stream("update");
    if (std::holds_alternative<IntervalJoinStage>(op)) return in_stream("a join within");
  }
  // Through the end: into every stream that reads this one.
  return readers_need_order(p, Input::Stream, stream);
}

}  // namespace

bool combines_exactly(const Aggregate& a) {
  switch (a.fn) {
    case AggFn::Count:
    case AggFn::Min:
    case AggFn::Max:
    case AggFn::CountDistinct: return true;
    case AggFn::Sum:
    case AggFn::Avg:
      // Ints add exactly in any order (avg keeps an int's sum as a double:
      // exact up to 2^53).
      return a.arg != nullptr && a.arg->type == Type::Int;
    case AggFn::First:
    case AggFn::Last: return false;
  }
  return false;
}

bool combines_exactly(const std::vector<Aggregate>& aggregates) {
  for (const Aggregate& a : aggregates) {
    if (!combines_exactly(a)) return false;
  }
  return true;
}

bool rows_keep_no_state(const Pipeline& p, int stream, size_t from) {
  const Stream& s = p.streams[static_cast<size_t>(stream)];
  for (size_t i = from; i < s.stages.size(); ++i) {
    const StageOp& op = s.stages[i].op;
    const bool stateless =
        std::holds_alternative<WhereStage>(op) || std::holds_alternative<SelectStage>(op) ||
        std::holds_alternative<ExplodeStage>(op) || std::holds_alternative<JoinStage>(op);
    if (!stateless) return false;
  }
  for (size_t r = 0; r < p.streams.size(); ++r) {
    const Stream& reader = p.streams[r];
    for (const Input& in : reader.inputs) {
      if (in.kind != Input::Stream || in.index != stream) continue;
      if (!rows_keep_no_state(p, static_cast<int>(r), 0)) return false;
    }
    for (const Stage& st : reader.stages) {  // the other side of a join within
      const auto* join = st.as<IntervalJoinStage>();
      if (join && join->other.kind == Input::Stream && join->other.index == stream) return false;
    }
  }
  return true;
}

SourceThreads source_threads(const Pipeline& p, int source) {
  const Source& src = p.sources[static_cast<size_t>(source)];
  // Its event time is tracked per partition, in the source itself.
  if (src.connector.kind == ConnectorKind::Kafka) return {false, "a kafka source"};
  if (auto why = readers_need_order(p, Input::Source, source)) return {false, *why};
  return {};
}

}  // namespace flowc::plan
