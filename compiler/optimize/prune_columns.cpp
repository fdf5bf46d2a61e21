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

void mark_statements(const std::vector<plan::StatementPtr>& body, Needed& needed) {
  for (const plan::StatementPtr& st : body) {
    if (st->condition) mark(*st->condition, needed);
    if (st->value) mark(*st->value, needed);
    mark_statements(st->then_body, needed);
    mark_statements(st->else_body, needed);
  }
}

// What a stage needs of its input, given what is needed of its output.
Needed needed_input(const plan::Stage& st, const Needed& out, size_t input_size) {
  Needed in(input_size, false);
  switch (st.kind) {
    case plan::StageKind::Where:
      in = out;
      mark(*st.predicate, in);
      break;
    case plan::StageKind::Select:
      for (size_t j = 0; j < st.items.size(); ++j) {
        if (out[j]) mark(*st.items[j].expr, in);
      }
      break;
    case plan::StageKind::Explode:
      for (size_t i = 0; i < input_size; ++i) in[i] = out[i];
      mark(*st.text, in);
      if (st.separator) mark(*st.separator, in);
      break;
    case plan::StageKind::Join:
      for (size_t i = 0; i < input_size; ++i) in[i] = out[i];
      in[st.on_field] = true;
      break;
    case plan::StageKind::Aggregate:
    case plan::StageKind::Update:
      for (const plan::NamedExpr& k : st.keys) mark(*k.expr, in);
      for (const plan::Aggregate& a : st.aggregates) {
        if (a.arg) mark(*a.arg, in);
      }
      mark_statements(st.body, in);
      if (st.emit == plan::EmitMode::Each) {
        for (size_t i = 0; i < input_size; ++i) in[i] = in[i] || out[i];
      }
      break;
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
    for (size_t i = 0; i < n.size(); ++i) into[i] = into[i] || n[i];
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
      n = needed_input(stream.stages[k], n, input.fields.size());
    }
    need(stream.input, n);
  }
  for (size_t i = 0; i < p.sources.size(); ++i) p.sources[i].used = source_used[i];
}

}  // namespace flowc::optimize
