// Which sources run on every thread (plan/threads.h).
#include "plan/threads.h"

#include <optional>

#include "plan/functions.h"
#include "plan/partitioning.h"

namespace flowc::plan {
namespace {

// Whether evaluating `e` can make a record bad: a function that can fail
// (a C++ function of the .flow file may too), an int // or % whose divisor
// is not a constant other than 0.
bool can_fail(const Expr& e) {
  if (e.kind == ExprKind::Call && e.fn != nullptr && (e.fn->can_fail || e.fn->user != nullptr))
    return true;
  if (e.kind == ExprKind::Binary && (e.op == "//" || e.op == "%") && e.type == Type::Int) {
    const Expr& divisor = *e.args[1];
    if (divisor.kind != ExprKind::Const || divisor.value.i == 0) return true;
  }
  for (const ExprPtr& a : e.args) {
    if (a && can_fail(*a)) return true;
  }
  return false;
}

bool can_fail(const std::vector<StatementPtr>& body) {
  for (const StatementPtr& st : body) {
    if (st->value && can_fail(*st->value)) return true;
    if (st->condition && can_fail(*st->condition)) return true;
    if (can_fail(st->then_body) || can_fail(st->else_body)) return true;
  }
  return false;
}

// The one source whose records reach `stream` (through streams of one
// input each), or -1 (a union on the way).
int sole_source(const Pipeline& p, int stream) {
  for (;;) {
    const Stream& s = p.streams[static_cast<size_t>(stream)];
    if (s.inputs.size() != 1) return -1;
    if (s.inputs[0].kind == Input::Source) return s.inputs[0].index;
    stream = s.inputs[0].index;
  }
}

// Why an `update` must see its records on one thread, in arrival order;
// nullopt when its state may be partitioned by key hash (runtime/
// exchange.cpp): each part's records are then applied in arrival order at
// the batch's end, which needs a block that cannot fail (a bad record
// must leave no effect, and other stages saw it already) and emits
// nothing per record.
std::optional<std::string> update_order(const Pipeline& p, int stream, const UpdateStage& u) {
  if (u.emit == EmitMode::Each) return "update with emit each";
  if (can_fail(u.body)) return "update whose block can fail";
  if (sole_source(p, stream) < 0) return "update of a union";
  return std::nullopt;
}

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
      if (agg->window && agg->window->kind == WindowKind::Session) {
        // Split by key hash as an update is (its expressions run, and may
        // fail, before the exchange); what it emits, at the batch end.
        if (sole_source(p, stream) < 0) return in_stream("a session window of a union");
        return std::nullopt;
      }
      for (const Aggregate& a : agg->aggregates) {
        if (combines_exactly(a) || combines_by_arrival(a)) continue;
        // Float sums through the exchange, in arrival order, from one source.
        if (adds_in_arrival_order(*agg) && sole_source(p, stream) >= 0) continue;
        return in_stream(a.name + " = " + agg_name(a.fn) + " of floats");
      }
      return std::nullopt;  // its rows are emitted at the batch end
    }
    if (const auto* u = std::get_if<UpdateStage>(&op)) {
      if (auto why = update_order(p, stream, *u)) return in_stream(*why);
      return std::nullopt;  // applied, and its rows emitted, at the batch end
    }
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

bool combines_by_arrival(const Aggregate& a) { return a.fn == AggFn::First || a.fn == AggFn::Last; }

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

bool adds_in_arrival_order(const AggregateStage& agg) {
  if (agg.window && agg.window->kind != WindowKind::Tumbling &&
      agg.window->kind != WindowKind::Sliding)
    return false;
  for (const Aggregate& a : agg.aggregates) {
    if (!combines_exactly(a) && !combines_by_arrival(a)) return true;
  }
  return false;
}

bool aggregate_exchanged(const Pipeline& p, int stream, const AggregateStage& agg) {
  return adds_in_arrival_order(agg) && update_partitioned(p, stream);
}

bool update_partitioned(const Pipeline& p, int stream) {
  const int source = sole_source(p, stream);
  return source >= 0 && source_threads(p, source).parallel;
}

}  // namespace flowc::plan
