// Grouping stages (LANGUAGE.md 6.1–6.3): `window` and `group by`, collected
// until the `aggregate` or `update` they belong to, and the blocks of
// `update`.
#include "sema/analyzer.h"

namespace flowc {

using plan::Type;

namespace {

bool numeric(Type t) { return t == Type::Int || t == Type::Float; }

}  // namespace

// window tumbling D | sliding L every S | session G | batch
bool Analyzer::check_window(const ast::Stage& s, const plan::Stream& stream, Grouping& grouping) {
  grouping.window = &s;
  plan::Window& out = grouping.window_spec;
  out.kind = s.window == ast::WindowKind::Tumbling  ? plan::WindowKind::Tumbling
             : s.window == ast::WindowKind::Sliding ? plan::WindowKind::Sliding
             : s.window == ast::WindowKind::Batch   ? plan::WindowKind::Batch
                                                    : plan::WindowKind::Session;
  // The micro-batch is the window: no length to check.
  if (out.kind == plan::WindowKind::Batch) return true;
  bool sliding = out.kind == plan::WindowKind::Sliding;
  std::optional<plan::Duration> size = check_duration(s.size);
  std::optional<plan::Duration> slide = sliding ? check_duration(s.slide) : size;
  if (!size || !slide) return false;
  out.size = *size;
  out.slide = *slide;
  const char* noun = out.kind == plan::WindowKind::Session ? "session gap" : "window length";
  if (size->ms <= 0) {
    duration_error(s.size.range, std::string("the ") + noun + " must be longer than 0ms", {*size});
    return false;
  }
  if (sliding) {
    if (slide->ms <= 0) {
      duration_error(s.slide.range, "the slide must be longer than 0ms", {*slide});
      return false;
    }
    if (size->ms % slide->ms != 0) {
      duration_error(s.size.range,
                     "the window length " + plan::duration_text(size->ms) +
                         " is not a multiple of the slide " + plan::duration_text(slide->ms),
                     {*size, *slide});
      return false;
    }
  }
  bool event_time = stream.clock.event_time;
  // A batch interval of 0 is reported where it is declared; it divides
  // nothing here.
  if (!event_time && out.kind != plan::WindowKind::Session && pipeline_.batch.ms > 0) {
    int64_t batch = pipeline_.batch.ms;
    const ast::Duration* at = nullptr;
    plan::Duration bad;
    std::string message;
    if (size->ms % batch != 0) {
      at = &s.size;
      bad = *size;
      message = "the window length " + plan::duration_text(size->ms);
    } else if (sliding && slide->ms % batch != 0) {
      at = &s.slide;
      bad = *slide;
      message = "the slide " + plan::duration_text(slide->ms);
    }
    if (at) {
      duration_error(
          at->range,
          message + " is not a multiple of the batch interval " + plan::duration_text(batch),
          {bad, pipeline_.batch}, true)
          .helps.push_back(
              "without 'event_time' on the source, windows use processing time "
              "and must be multiples of the batch interval");
      return false;
    }
  }
  return true;
}

// group by KEY, ...   where KEY is `field` or `name = EXPR`
bool Analyzer::check_group_by(const ast::Stage& s, const Scope& scope, Grouping& grouping) {
  grouping.group_by = &s;
  bool ok = true;
  for (const ast::SelectItem& key : s.items) {
    plan::ExprPtr e = check_expr(*key.value, scope);
    if (!e) {
      ok = false;
      continue;
    }
    for (const plan::NamedExpr& k : grouping.keys) {
      if (k.name == key.name) {
        diags_.error(key.name_range, "duplicate key '" + key.name + "' in 'group by'");
        ok = false;
      }
    }
    grouping.keys.push_back({key.name, std::move(e)});
  }
  return ok;
}

// [window W] [group by KEYS] aggregate NAME = AGG(...), ... [emit final | updates]
bool Analyzer::check_aggregate(const ast::Stage& s, const Scope& scope, Grouping& grouping,
                               plan::Stage& stage) {
  bool ok = true;
  plan::AggregateStage out;
  if (grouping.window) {
    out.window = grouping.window_spec;
    if (out.window->kind == plan::WindowKind::Session && !grouping.group_by) {
      diags_.error(grouping.window->keyword_range, "'window session' needs 'group by'")
          .helps.push_back("sessions are kept per key: add 'group by KEY' before 'aggregate'");
      ok = false;
    }
  }
  out.keys = std::move(grouping.keys);
  plan::Schema& output = stage.output;
  if (out.window) {
    output.fields.push_back({"window_start", Type::Timestamp, std::nullopt, ""});
    output.fields.push_back({"window_end", Type::Timestamp, std::nullopt, ""});
  }
  for (const plan::NamedExpr& k : out.keys) {
    ok = add_field(diags_, output, {k.name, k.expr->type, std::nullopt, ""}, s.range, "group by") &&
         ok;
  }
  for (const ast::SelectItem& item : s.items) {
    const ast::Expr& call = *item.value;
    std::optional<plan::AggFn> fn;
    if (call.kind == ast::ExprKind::Call) fn = plan::find_aggregate(call.text);
    if (!fn) {
      if (call.kind == ast::ExprKind::Call && plan::overloads(call.text).empty()) {
        Diagnostic& d = diags_.error(call.name_range, "unknown aggregate '" + call.text + "'");
        diags_.suggest(d, call.text, plan::aggregate_names());
      } else {
        diags_.error(call.range, "'" + item.name + "' is not an aggregate")
            .helps.push_back(
                "write NAME = AGG(...) with count, sum, avg, min, max, "
                "count_distinct, first or last");
      }
      ok = false;
      continue;
    }
    plan::Aggregate agg;
    agg.name = item.name;
    agg.fn = *fn;
    size_t arity = *fn == plan::AggFn::Count ? 0 : 1;
    if (call.args.size() != arity) {
      diags_.error(call.range, "'" + call.text + "' takes " + std::to_string(arity) + " argument" +
                                   (arity == 1 ? "" : "s") + ", got " +
                                   std::to_string(call.args.size()));
      ok = false;
      continue;
    }
    if (arity == 1) {
      agg.arg = check_expr(*call.args[0], scope);
      if (!agg.arg) {
        ok = false;
        continue;
      }
      Type t = agg.arg->type;
      bool fits = true;
      switch (*fn) {
        case plan::AggFn::Sum:
        case plan::AggFn::Avg: fits = numeric(t); break;
        case plan::AggFn::Min:
        case plan::AggFn::Max: fits = t != Type::Bool; break;
        default: break;
      }
      if (!fits) {
        diags_.error(call.args[0]->range,
                     "'" + call.text + "' cannot be applied to " + plan::type_name(t));
        ok = false;
        continue;
      }
      agg.type = *fn == plan::AggFn::Avg             ? Type::Float
                 : *fn == plan::AggFn::CountDistinct ? Type::Int
                                                     : t;
    }
    ok = add_field(diags_, output, {agg.name, agg.type, std::nullopt, ""}, item.name_range,
                   "aggregate") &&
         ok;
    out.aggregates.push_back(std::move(agg));
  }
  bool per_batch = out.window && out.window->kind == plan::WindowKind::Batch;
  switch (s.emit) {
    case ast::EmitMode::Default:
      out.emit = out.window ? plan::EmitMode::Final : plan::EmitMode::Updates;
      break;
    case ast::EmitMode::All:
      // Spark's complete mode: a running aggregate's every group, every batch.
      if (out.window) {
        diags_.error(s.emit_range, "'emit all' is for running aggregates, not windowed ones")
            .helps.push_back(
                "a window's rows are final once it fires; 'emit updates' shows open "
                "windows every batch");
        ok = false;
      }
      out.emit = plan::EmitMode::All;
      break;
    case ast::EmitMode::Final:
      if (!out.window) {
        diags_.error(s.emit_range, "'emit final' needs a 'window'")
            .helps.push_back("an aggregate without a window emits its changed rows every batch");
        ok = false;
      }
      out.emit = plan::EmitMode::Final;
      break;
    case ast::EmitMode::Updates:
      if (per_batch) {
        diags_.error(s.emit_range, "'window batch' emits each batch's groups once, at its end")
            .helps.push_back("remove 'emit updates'");
        ok = false;
      }
      out.emit = plan::EmitMode::Updates;
      break;
    default:
      diags_.error(s.emit_range, "'aggregate' takes 'emit final', 'emit updates' or 'emit all'")
          .helps.push_back("'emit each' and 'emit updated' are for 'update'");
      ok = false;
  }
  if (s.emit_expired) {
    diags_.error(s.expired_range, "'emit expired' is for 'update'")
        .helps.push_back(
            "only the keys of 'update' expire ('expire after'); a window's row is "
            "emitted once, when it fires");
    ok = false;
  }
  if (s.expire) {
    diags_.error(s.expire_range, "'expire after' is for 'update'");
    ok = false;
  }
  stage.op = std::move(out);
  return ok;
}

// group by KEYS | update STATE { STATEMENTS } [emit ...] [expire after D]
bool Analyzer::check_update(const ast::Stage& s, const Scope& scope, Grouping& grouping,
                            plan::Stage& stage) {
  if (!grouping.group_by) {
    diags_.error(s.keyword_range, "'update' needs 'group by' before it")
        .helps.push_back("state is kept per key: add 'group by KEY' before 'update'");
    return false;
  }
  bool ok = true;
  plan::UpdateStage out;
  out.keys = std::move(grouping.keys);
  plan::Schema& output = stage.output;
  for (const ast::FieldDecl& f : s.state) {
    bool dup = false;
    for (const plan::Field& g : out.state) dup = dup || g.name == f.name;
    if (dup) {
      diags_.error(f.name_range, "state field '" + f.name + "' is declared twice");
      ok = false;
      continue;
    }
    std::optional<Type> type = check_type(f.type_name, f.type_range);
    if (!type) {
      ok = false;
      continue;
    }
    // Inside the block a state field would hide the record's field of the
    // same name: refuse the ambiguity rather than pick one silently.
    if (scope.schema->find(f.name) >= 0) {
      diags_
          .error(f.name_range,
                 "state field '" + f.name + "' has the name of a field of " + scope.what)
          .helps.push_back("rename the state field, or the record's field with 'select' first");
      ok = false;
      continue;
    }
    auto value = constant_expr(*f.default_value, *type, "the initial value of '" + f.name + "'");
    if (!value) {
      ok = false;
      continue;
    }
    out.state.push_back({f.name, *type, value->value, "", value->expr});
  }
  if (!ok) return false;
  Scope body_scope = scope;
  body_scope.state = &out.state;
  out.body = check_statements(s.body, body_scope, ok);

  switch (s.emit) {
    case ast::EmitMode::Default:
      // `emit expired` alone: only the rows of expired keys.
      out.emit = s.emit_expired ? plan::EmitMode::Expired : plan::EmitMode::Updated;
      break;
    case ast::EmitMode::Updated: out.emit = plan::EmitMode::Updated; break;
    case ast::EmitMode::All: out.emit = plan::EmitMode::All; break;
    case ast::EmitMode::Each: out.emit = plan::EmitMode::Each; break;
    default:
      diags_
          .error(s.emit_range,
                 "'update' takes 'emit each', 'emit updated', 'emit all' or "
                 "'emit expired'")
          .helps.push_back("'emit final' and 'emit updates' are for 'aggregate'");
      ok = false;
  }
  out.emit_expired = s.emit_expired;
  if (s.emit_expired && !s.expire) {
    diags_.error(s.expired_range, "'emit expired' needs 'expire after'")
        .helps.push_back(
            "add 'expire after DURATION': a key's last state is emitted when it expires");
    ok = false;
  }
  if (s.emit_expired && out.emit == plan::EmitMode::Each) {
    diags_.error(s.expired_range, "'emit expired' cannot be combined with 'emit each'")
        .helps.push_back(
            "'emit each' rows hold the record's fields, expired rows the key's; "
            "use 'emit updated, expired', or two streams");
    ok = false;
  }
  if (s.expire) {
    out.expire = check_duration(*s.expire);
    if (!out.expire) {
      ok = false;
    } else if (out.expire->ms <= 0) {
      duration_error(s.expire_range, "'expire after' must be longer than 0ms", {*out.expire});
      ok = false;
    }
  }
  if (out.emit == plan::EmitMode::Each) {
    // State names never repeat a record field's (checked above).
    output = *scope.schema;
    for (const plan::Field& f : out.state)
      output.fields.push_back({f.name, f.type, std::nullopt, ""});
  } else {
    for (const plan::NamedExpr& k : out.keys) {
      output.fields.push_back({k.name, k.expr->type, std::nullopt, ""});
    }
    for (const plan::Field& f : out.state) {
      if (output.find(f.name) >= 0) {
        diags_.error(s.keyword_range,
                     "state field '" + f.name + "' clashes with the key '" + f.name + "'");
        ok = false;
        continue;
      }
      output.fields.push_back({f.name, f.type, std::nullopt, ""});
    }
  }
  stage.op = std::move(out);
  return ok;
}

std::vector<plan::StatementPtr> Analyzer::check_statements(
    const std::vector<ast::StatementPtr>& body, const Scope& scope, bool& ok) {
  std::vector<plan::StatementPtr> out;
  for (const ast::StatementPtr& st : body) {
    auto p = std::make_unique<plan::Statement>();
    if (st->kind == ast::StatementKind::Delete) {
      p->is_delete = true;
      out.push_back(std::move(p));
      continue;
    }
    if (st->kind == ast::StatementKind::If) {
      p->is_if = true;
      p->condition = check_typed(*st->condition, scope, Type::Bool, "the condition of 'if'");
      ok = ok && p->condition;
      p->then_body = check_statements(st->then_body, scope, ok);
      p->else_body = check_statements(st->else_body, scope, ok);
      out.push_back(std::move(p));
      continue;
    }
    const std::vector<plan::Field>& state = *scope.state;
    for (size_t i = 0; i < state.size(); ++i) {
      if (state[i].name == st->target) p->target = static_cast<int>(i);
    }
    if (p->target < 0) {
      if (scope.schema->find(st->target) >= 0) {
        diags_
            .error(st->target_range,
                   "cannot assign to '" + st->target + "': only state fields can be assigned")
            .helps.push_back("'" + st->target +
                             "' is a field of the record; declare a state "
                             "field after 'update' to keep a value per key");
      } else {
        Diagnostic& d = diags_.error(st->target_range, "unknown state field '" + st->target + "'");
        std::vector<std::string> names;
        for (const plan::Field& f : state) names.push_back(f.name);
        diags_.suggest(d, st->target, names);
      }
      ok = false;
      check_expr(*st->value, scope);
      continue;
    }
    const plan::Field& target = state[p->target];
    p->op = st->op;
    plan::ExprPtr value = check_expr(*st->value, scope);
    if (!value) {
      ok = false;
      continue;
    }
    Type t = target.type, v = value->type;
    bool fits;
    if (st->op == "=") {
      fits = t == v || (t == Type::Float && v == Type::Int);
    } else if (st->op == "+=" || st->op == "-=") {
      fits = (t == Type::Float && numeric(v)) || (t == Type::Int && v == Type::Int) ||
             (t == Type::Timestamp && v == Type::Int) ||
             (st->op == "+=" && t == Type::String && v == Type::String);
    } else if (st->op == "*=") {
      fits = (t == Type::Float && numeric(v)) || (t == Type::Int && v == Type::Int);
    } else {  // "/=" always divides as floats
      fits = t == Type::Float && numeric(v);
    }
    if (!fits) {
      Diagnostic& d = diags_.error(st->value->range,
                                   "cannot apply '" + st->op + "' to the " + plan::type_name(t) +
                                       " state field '" + target.name + "' with " +
                                       (v == Type::Int ? "an " : "a ") + plan::type_name(v));
      if (st->op == "/=" && t == Type::Int) {
        d.helps.push_back("'/' yields a float; declare '" + target.name + "' as a float");
      }
      ok = false;
      continue;
    }
    p->value = t == Type::Float ? widen(std::move(value), Type::Float) : std::move(value);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace flowc
