// prune-columns: backward liveness from sinks and stateful stages to the
// sources, so that a source converts only the fields something reads. An
// unused field is not parsed at all: a bad value there does not make the
// record bad (as in Spark's column pruning). The event-time field is
// always read, since every parsed record advances the watermark.
#include "optimize/optimizer.h"

namespace flowc::optimize {

namespace {

using Needed = std::vector<bool>;

void mark(const plan::Expr& e, Needed& needed) {
  if (e.kind == plan::ExprKind::Field) needed[e.index] = true;
  for (const plan::ExprPtr& a : e.args) mark(*a, needed);
}

// What a stage needs of its input, given what is needed of its output.
Needed needed_input(const plan::Stage& st, const Needed& out, size_t input_size) {
  Needed in(input_size, false);
  auto pass_through = [&] {
    for (size_t i = 0; i < input_size; ++i) in[i] = out[i];
  };
  if (const auto* where = st.as<plan::WhereStage>()) {
    pass_through();
    mark(*where->predicate, in);
  } else if (const auto* select = st.as<plan::SelectStage>()) {
    for (size_t j = 0; j < select->items.size(); ++j) {
      if (out[j]) mark(*select->items[j].expr, in);
    }
  } else if (const auto* join = st.as<plan::JoinStage>()) {
    pass_through();
    in[join->on_field] = true;
  } else if (const auto* join = st.as<plan::IntervalJoinStage>()) {
    pass_through();  // the input's fields come first (S's: needed_other)
    in[join->on_field] = true;
  } else if (const auto* top = st.as<plan::TopStage>()) {
    // Its rows pass whole; it ranks by its expressions, then the keys,
    // per window.
    pass_through();
    for (const plan::TopStage::Key& key : top->order) mark(*key.expr, in);
    for (int k : top->keys) in[k] = true;
    if (top->windowed) in[0] = in[1] = true;
  } else {
    // explode, aggregate, update: every expression they hold, and what
    // they pass through (explode's input fields, `emit each`'s record).
    plan::for_each_expr(st, [&](const plan::Expr& e) { mark(e, in); });
    const auto* update = st.as<plan::UpdateStage>();
    if (st.is<plan::ExplodeStage>() || (update && update->emit == plan::EmitMode::Each)) {
      for (size_t i = 0; i < input_size; ++i) in[i] = in[i] || out[i];
    }
  }
  return in;
}

// What a stream join needs of S, given what is needed of its output.
Needed needed_other(const plan::IntervalJoinStage& join, const Needed& out, size_t input_size,
                    size_t other_size) {
  Needed in(other_size, false);
  in[join.other_on_field] = true;
  for (size_t j = 0; j < join.other_fields.size(); ++j) {
    if (out[input_size + j]) in[join.other_fields[j]] = true;
  }
  return in;
}

}  // namespace

void prune_columns(plan::Pipeline& p, const PassOptions&) {
  std::vector<Needed> stream_out(p.streams.size());
  std::vector<Needed> source_used(p.sources.size());
  for (size_t i = 0; i < p.sources.size(); ++i) {
    source_used[i].assign(p.sources[i].schema.fields.size(), false);
    if (p.sources[i].event_time >= 0) source_used[i][p.sources[i].event_time] = true;
  }
  for (size_t i = 0; i < p.streams.size(); ++i) stream_out[i].assign(p.streams[i].output.fields.size(), false);
  auto need = [&](const plan::Input& in, const Needed& n) {
    Needed& into = in.kind == plan::Input::Source ? source_used[in.index] : stream_out[in.index];
    // A union's input in another field order: field i is its order[i].
    for (size_t i = 0; i < n.size(); ++i) {
      size_t at = in.order.empty() ? i : static_cast<size_t>(in.order[i]);
      into[at] = into[at] || n[i];
    }
  };
  for (const plan::Sink& s : p.sinks) {
    Needed all(s.columns.fields.size(), true);
    need(s.input, all);
  }
  // Streams are in dependency order: readers come after what they read.
  for (size_t s = p.streams.size(); s-- > 0;) {
    const plan::Stream& stream = p.streams[s];
    Needed n = stream_out[s];
    for (size_t k = stream.stages.size(); k-- > 0;) {
      const plan::Schema& input = k > 0 ? stream.stages[k - 1].output : p.schema_of(stream.input);
      if (const auto* join = stream.stages[k].as<plan::IntervalJoinStage>()) {
        need(join->other,
             needed_other(*join, n, input.fields.size(), p.schema_of(join->other).fields.size()));
      }
      n = needed_input(stream.stages[k], n, input.fields.size());
    }
    for (const plan::Input& in : stream.inputs) need(in, n);
  }
  for (size_t i = 0; i < p.sources.size(); ++i) p.sources[i].used = source_used[i];
}

}  // namespace flowc::optimize
