// [left] join S on FIELD within D   (LANGUAGE.md 13 "Stream–stream join")
//
// Flink's interval join of the stream with another stream or source S: a
// pair matches when FIELD is equal on both sides and their event times
// differ by at most D. Both sides need event time and must not be update
// streams (Flink's interval join takes append-only inputs). The output is
// the stream's fields, then S's other than FIELD (qualified by S's name);
// its rows keep the left row's event time and trail the watermark of both
// sides by D, which sets the clock of every stage after the join.
#include "sema/analyzer.h"

namespace flowc {

using plan::Type;

namespace {

// A left-join miss gives S's fields their zero when S is a stream.
plan::Value zero_of(Type t) {
  plan::Value v;
  v.type = t;
  return v;
}

}  // namespace

bool Analyzer::check_stream_join(const ast::Stage& s, const Scope& scope, plan::Stream& stream,
                                 plan::Stage& out) {
  const plan::Schema& current = *scope.schema;
  const std::string join = s.left ? "left join" : "join";
  auto decl = names_.find(s.table);
  if (decl != names_.end() && decl->second->kind == ast::DeclKind::Table) {
    diags_.error(s.within_range, "'" + s.table + "' is a table: a table join takes no 'within'")
        .helps.push_back("look rows up in it with '" + join + " " + s.table + " on " + s.on_field +
                         "'");
    return false;
  }
  std::optional<plan::Input> other = resolve_input(s.table, s.table_range);
  if (!other) return false;

  plan::IntervalJoinStage stage;
  stage.other = *other;
  stage.other_name = s.table;
  stage.left = s.left;
  // A join's `within` lags the watermark of everything downstream (the
  // clocks sema decides); a param there is folded when the pipeline is
  // compiled, so a built program fixes it (Param::fixed_reason).
  std::optional<plan::Duration> within = check_duration(*s.within);
  if (!within) return false;
  if (within->param >= 0) {
    pipeline_.params[within->param].fixed_reason =
        "the 'within' of a stream join, which sets how far its watermark trails its inputs";
  }
  stage.within_ms = within->ms;
  const plan::Schema& theirs = pipeline_.schema_of(*other);
  const plan::Clock their_clock = clock_of(*other);
  bool ok = true;

  // Both sides in event time, neither an update stream.
  auto updating = [&](const std::optional<plan::Stream::Updating>& up, const std::string& who,
                      SourceRange at) {
    if (!up) return;
    diags_
        .error(at, "joining an updating stream: " + who + " carries the rows of the '" +
                       up->keyword + "' of stream '" + up->stream + "' (line " +
                       std::to_string(up->range.begin.line) +
                       "), which replace each other every batch")
        .helps.push_back(
            "a join 'within' matches rows that are each final; join the input of that '" +
            up->keyword + "' instead");
    ok = false;
  };
  updating(stream.updating, scope.what, s.keyword_range);
  if (other->kind == plan::Input::Stream) {
    updating(pipeline_.streams[other->index].updating, "'" + s.table + "'", s.table_range);
  }
  if (ok && !stream.clock.event_time) {
    diags_
        .error(s.within_range, "a join 'within' needs event time, but " + scope.what + " has none")
        .helps.push_back(
            "declare 'event_time FIELD' on its source; 'within' compares the event times "
            "of both sides");
    ok = false;
  }
  if (ok && !their_clock.event_time) {
    diags_.error(s.table_range, "a join 'within' needs event time, but '" + s.table + "' has none")
        .helps.push_back("declare 'event_time FIELD' on the source of '" + s.table +
                         "'; 'within' compares the event times of both sides");
    ok = false;
  }

  stage.on_field = current.find(s.on_field);
  stage.other_on_field = theirs.find(s.on_field);
  if (stage.on_field < 0) {
    Diagnostic& diag =
        diags_.error(s.on_range, "unknown field '" + s.on_field + "' in " + scope.what);
    diags_.suggest(diag, s.on_field, current.names());
    return false;
  }
  if (stage.other_on_field < 0) {
    Diagnostic& diag =
        diags_.error(s.on_range, "'" + s.table + "' has no field '" + s.on_field + "'");
    diags_.suggest(diag, s.on_field, theirs.names());
    diag.helps.push_back(
        "both sides are matched on a field of the same name; rename it in a stream "
        "first: 'stream x = " +
        s.table + " | select " + s.on_field + " = ..., *'");
    return false;
  }
  Type ours = current.fields[stage.on_field].type;
  Type key = theirs.fields[stage.other_on_field].type;
  if (ours != key) {
    diags_.error(s.on_range, "join field '" + s.on_field + "' is " + plan::type_name(ours) +
                                 " but " + plan::type_name(key) + " in '" + s.table + "'");
    return false;
  }

  out.output = current;
  bool self = false;
  for (const plan::Input& in : stream.inputs) {
    self = self || (in.kind == other->kind && in.index == other->index);
  }
  for (size_t i = 0; i < theirs.fields.size(); ++i) {
    if (static_cast<int>(i) == stage.other_on_field) continue;
    plan::Field f = theirs.fields[i];
    if (current.find(f.name) >= 0) {
      Diagnostic& diag = diags_.error(s.table_range, "field '" + f.name + "' of '" + s.table +
                                                         "' clashes with a field of " + scope.what);
      if (self) {
        diag.helps.push_back("to join '" + s.table +
                             "' with itself, rename its fields in a stream "
                             "first: 'stream other = " +
                             s.table + " | select " + s.on_field + ", " + f.name + "2 = " + f.name +
                             ", ...'");
      } else {
        diag.helps.push_back("rename the field with 'select' first, on either side");
      }
      ok = false;
      continue;
    }
    f.qualifier = s.table;
    stage.other_fields.push_back(static_cast<int>(i));
    const bool defaults = other->kind == plan::Input::Source && f.default_value;
    stage.miss_values.push_back(defaults ? *f.default_value : zero_of(f.type));
    out.output.fields.push_back(std::move(f));
  }
  if (!ok) return false;
  stage.both = plan::merge_clocks(stream.clock, their_clock);
  // Rows after the join trail the watermark of both sides by D: a pair is
  // emitted as soon as both are seen, a miss once the watermark passes its
  // time + D, so a left row's time is never below that.
  stream.clock = plan::lag_clock(stage.both, stage.within_ms);
  out.op = std::move(stage);
  return true;
}

}  // namespace flowc
