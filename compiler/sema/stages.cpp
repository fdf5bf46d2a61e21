// Stages (LANGUAGE.md 6): each stage's rules and output schema. `window`
// and `group by` are folded into the `aggregate` or `update` that follows.
#include "sema/analyzer.h"

namespace flowc {

using plan::Type;

namespace {

const char* stage_keyword(ast::StageKind k) {
  switch (k) {
    case ast::StageKind::Where: return "where";
    case ast::StageKind::Select: return "select";
    case ast::StageKind::Explode: return "explode";
    case ast::StageKind::Join: return "join";
    case ast::StageKind::Window: return "window";
    case ast::StageKind::GroupBy: return "group by";
    case ast::StageKind::Aggregate: return "aggregate";
    case ast::StageKind::Update: return "update";
  }
  return "?";
}

bool numeric(Type t) { return t == Type::Int || t == Type::Float; }

// Adds `f` to `schema` unless the name is taken; reports the clash.
bool add_field(DiagnosticEngine& diags, plan::Schema& schema, plan::Field f, SourceRange at,
               const std::string& stage) {
  if (schema.find(f.name) >= 0) {
    diags.error(at, "duplicate field '" + f.name + "' in '" + stage + "'")
        .helps.push_back("rename one of them with 'name = ...'");
    return false;
  }
  schema.fields.push_back(std::move(f));
  return true;
}

}  // namespace

// Whether records of `stream`'s input still carry their source's event
// time: an aggregate or update upstream replaces records by result rows.
static bool carries_event_time(const plan::Pipeline& p, const plan::Stream& stream) {
  if (stream.root_source < 0 || p.sources[stream.root_source].event_time < 0) return false;
  for (plan::Input in = stream.input; in.kind == plan::Input::Stream;
       in = p.streams[in.index].input) {
    for (const plan::Stage& s : p.streams[in.index].stages) {
      if (s.kind == plan::StageKind::Aggregate || s.kind == plan::StageKind::Update) return false;
    }
  }
  return true;
}

bool Analyzer::check_stages(const ast::Decl& d, plan::Stream& stream) {
  plan::Schema current = pipeline_.schema_of(stream.input);
  bool event_time = carries_event_time(pipeline_, stream);
  const ast::Stage* window_stage = nullptr;
  const ast::Stage* group_stage = nullptr;
  plan::Window window;
  std::vector<plan::NamedExpr> keys;
  bool ok = true;
  std::string what = "stream '" + d.input + "'";

  for (const ast::Stage& s : d.stages) {
    Scope scope;
    scope.schema = &current;
    scope.what = what;
    const char* keyword = stage_keyword(s.kind);
    bool keyed = s.kind == ast::StageKind::Aggregate || s.kind == ast::StageKind::Update;
    if (window_stage && s.kind != ast::StageKind::GroupBy && s.kind != ast::StageKind::Aggregate &&
        s.kind != ast::StageKind::Window) {
      diags_.error(s.keyword_range, std::string("'") + keyword + "' cannot follow 'window'")
          .helps.push_back("'window' must be followed by 'aggregate' or by 'group by' and 'aggregate'");
      return false;
    }
    if (group_stage && !keyed) {
      diags_.error(s.keyword_range, std::string("'") + keyword + "' cannot follow 'group by'")
          .helps.push_back("'group by' must be followed by 'aggregate' or 'update'");
      return false;
    }
    plan::Stage out;
    out.range = s.range;
    switch (s.kind) {
      case ast::StageKind::Where: {
        out.kind = plan::StageKind::Where;
        out.predicate = check_expr(*s.expr, scope);
        if (out.predicate && out.predicate->type != Type::Bool) {
          diags_.error(s.expr->range, std::string("the condition of 'where' must be a bool, got ") +
                                          plan::type_name(out.predicate->type));
          out.predicate = nullptr;
        }
        ok = ok && out.predicate;
        out.output = current;
        break;
      }
      case ast::StageKind::Select: {
        out.kind = plan::StageKind::Select;
        for (const ast::SelectItem& item : s.items) {
          if (item.star) {
            for (size_t i = 0; i < current.fields.size(); ++i) {
              auto e = std::make_unique<plan::Expr>();
              e->kind = plan::ExprKind::Field;
              e->type = current.fields[i].type;
              e->index = static_cast<int>(i);
              e->range = item.name_range;
              ok = add_field(diags_, out.output, current.fields[i], item.name_range, "select") && ok;
              out.items.push_back({current.fields[i].name, std::move(e)});
            }
            continue;
          }
          plan::ExprPtr e = check_expr(*item.value, scope);
          if (!e) {
            ok = false;
            continue;
          }
          plan::Field f{item.name, e->type, std::nullopt, ""};
          if (e->kind == plan::ExprKind::Field && item.value->kind == ast::ExprKind::Field &&
              item.name == item.value->text) {
            f = current.fields[e->index];
          }
          ok = add_field(diags_, out.output, f, item.name_range, "select") && ok;
          out.items.push_back({item.name, std::move(e)});
        }
        break;
      }
      case ast::StageKind::Explode: {
        out.kind = plan::StageKind::Explode;
        out.alias = s.alias;
        const ast::Expr& call = *s.expr;
        bool words = call.kind == ast::ExprKind::Call && call.text == "words";
        bool split = call.kind == ast::ExprKind::Call && call.text == "split";
        if (!words && !split) {
          diags_.error(call.range, "'explode' takes split(s, sep) or words(s)");
          ok = false;
          break;
        }
        size_t arity = words ? 1 : 2;
        if (call.args.size() != arity) {
          diags_.error(call.range, std::string("'") + call.text + "' takes " +
                                       std::to_string(arity) + " argument" +
                                       (arity == 1 ? "" : "s") + ", got " +
                                       std::to_string(call.args.size()));
          ok = false;
          break;
        }
        out.text = check_typed(*call.args[0], scope, Type::String,
                               "the text to " + std::string(call.text));
        if (split) {
          out.separator = check_typed(*call.args[1], scope, Type::String, "the separator of 'split'");
          if (out.separator) {
            plan::FoldResult r = plan::fold(*out.separator, &pipeline_.params);
            if (r.value && r.value->s.empty()) {
              diags_.error(call.args[1]->range, "the separator of 'split' cannot be empty");
              ok = false;
            }
          }
        }
        ok = ok && out.text && (words || out.separator);
        out.output = current;
        if (current.find(s.alias) >= 0) {
          diags_.error(s.alias_range, "field '" + s.alias + "' already exists in " + what)
              .helps.push_back("choose another name after 'as'");
          ok = false;
        } else {
          out.output.fields.push_back({s.alias, Type::String, std::nullopt, ""});
        }
        break;
      }
      case ast::StageKind::Join: {
        out.kind = plan::StageKind::Join;
        out.left = s.left;
        auto table = table_index_.find(s.table);
        if (table == table_index_.end()) {
          auto decl = names_.find(s.table);
          if (decl != names_.end() && decl->second->kind == ast::DeclKind::Table) {
            ok = false;  // the table itself has errors, already reported
            break;
          }
          if (decl != names_.end()) {
            diags_.error(s.table_range, "'" + s.table + "' is not a table")
                .helps.push_back("'join' looks rows up in a table declared with 'table'");
          } else {
            Diagnostic& diag = diags_.error(s.table_range, "unknown table '" + s.table + "'");
            std::vector<std::string> tables;
            for (auto& [n, i] : table_index_) tables.push_back(n);
            diags_.suggest(diag, s.table, tables);
          }
          ok = false;
          break;
        }
        out.table = table->second;
        const plan::Table& t = pipeline_.tables[out.table];
        out.on_field = current.find(s.on_field);
        if (out.on_field < 0) {
          Diagnostic& diag = diags_.error(s.on_range, "unknown field '" + s.on_field + "' in " + what);
          diags_.suggest(diag, s.on_field, current.names());
          ok = false;
          break;
        }
        Type key_type = t.schema.fields[t.key].type;
        Type field_type = current.fields[out.on_field].type;
        if (key_type != field_type) {
          diags_.error(s.on_range, "join field '" + s.on_field + "' is " +
                                       plan::type_name(field_type) + " but table '" + t.name +
                                       "' is keyed by " + plan::type_name(key_type));
          ok = false;
          break;
        }
        out.output = current;
        for (size_t i = 0; i < t.schema.fields.size(); ++i) {
          if (static_cast<int>(i) == t.key) continue;
          const plan::Field& f = t.schema.fields[i];
          if (current.find(f.name) >= 0) {
            diags_.error(s.range, "field '" + f.name + "' of table '" + t.name +
                                      "' clashes with a field of " + what)
                .helps.push_back("rename the stream's field with 'select' first");
            ok = false;
            continue;
          }
          if (s.left && !f.default_value) {
            diags_.error(s.range, "'left join' needs a default for field '" + f.name +
                                      "' of table '" + t.name + "'")
                .helps.push_back("declare it with a default in the table's schema, e.g. '" +
                                 f.name + ": " + plan::type_name(f.type) + " = ...'");
            ok = false;
          }
          out.output.fields.push_back(f);
        }
        break;
      }
      case ast::StageKind::Window: {
        if (window_stage) {
          diags_.error(s.keyword_range, "'window' is given twice");
          return false;
        }
        window_stage = &s;
        if (!check_window(s, stream, window)) return false;
        window.event_time = event_time;
        continue;
      }
      case ast::StageKind::GroupBy: {
        group_stage = &s;
        for (const ast::SelectItem& key : s.items) {
          plan::ExprPtr e = check_expr(*key.value, scope);
          if (!e) {
            ok = false;
            continue;
          }
          for (const plan::NamedExpr& k : keys) {
            if (k.name == key.name) {
              diags_.error(key.name_range, "duplicate key '" + key.name + "' in 'group by'");
              ok = false;
            }
          }
          keys.push_back({key.name, std::move(e)});
        }
        continue;
      }
      case ast::StageKind::Aggregate: {
        out.kind = plan::StageKind::Aggregate;
        if (window_stage) {
          out.window = window;
          if (window.kind == plan::WindowKind::Session && !group_stage) {
            diags_.error(window_stage->keyword_range, "'window session' needs 'group by'")
                .helps.push_back("sessions are kept per key: add 'group by KEY' before 'aggregate'");
            ok = false;
          }
        }
        out.keys = std::move(keys);
        ok = check_aggregates(s, scope, out) && ok;
        break;
      }
      case ast::StageKind::Update: {
        out.kind = plan::StageKind::Update;
        if (!group_stage) {
          diags_.error(s.keyword_range, "'update' needs 'group by' before it")
              .helps.push_back("state is kept per key: add 'group by KEY' before 'update'");
          return false;
        }
        out.keys = std::move(keys);
        ok = check_update(s, scope, out) && ok;
        break;
      }
    }
    // A failed `where` leaves the schema as it was, so later stages can
    // still be checked; other failures leave no schema to check against.
    if (!ok && s.kind != ast::StageKind::Where) return false;
    window_stage = nullptr;
    group_stage = nullptr;
    keys.clear();
    current = out.output;
    what = "stream '" + d.name + "' after '" + keyword + "'";
    stream.stages.push_back(std::move(out));
  }
  if (window_stage) {
    diags_.error(window_stage->keyword_range, "'window' must be followed by 'aggregate'")
        .helps.push_back("add 'aggregate NAME = AGG(...)', optionally after 'group by KEY'");
    return false;
  }
  if (group_stage) {
    diags_.error(group_stage->keyword_range, "'group by' must be followed by 'aggregate' or 'update'");
    return false;
  }
  stream.output = current;
  return ok;
}

bool Analyzer::check_window(const ast::Stage& s, const plan::Stream& stream, plan::Window& out) {
  out.kind = s.window == ast::WindowKind::Tumbling  ? plan::WindowKind::Tumbling
           : s.window == ast::WindowKind::Sliding   ? plan::WindowKind::Sliding
                                                    : plan::WindowKind::Session;
  out.size_ms = s.size_ms;
  out.slide_ms = s.window == ast::WindowKind::Sliding ? s.slide_ms : s.size_ms;
  const char* noun = out.kind == plan::WindowKind::Session ? "session gap" : "window length";
  if (s.size_ms <= 0) {
    diags_.error(s.size_range, std::string("the ") + noun + " must be longer than 0ms");
    return false;
  }
  if (out.kind == plan::WindowKind::Sliding) {
    if (s.slide_ms <= 0) {
      diags_.error(s.slide_range, "the slide must be longer than 0ms");
      return false;
    }
    if (s.size_ms % s.slide_ms != 0) {
      diags_.error(s.size_range, "the window length " + plan::duration_text(s.size_ms) +
                                     " is not a multiple of the slide " +
                                     plan::duration_text(s.slide_ms));
      return false;
    }
  }
  bool event_time = carries_event_time(pipeline_, stream);
  // A batch interval of 0 is reported where it is declared; it divides
  // nothing here.
  if (!event_time && out.kind != plan::WindowKind::Session && pipeline_.batch_ms > 0) {
    int64_t batch = pipeline_.batch_ms;
    const SourceRange* at = nullptr;
    std::string message;
    if (s.size_ms % batch != 0) {
      at = &s.size_range;
      message = "the window length " + plan::duration_text(s.size_ms);
    } else if (out.kind == plan::WindowKind::Sliding && s.slide_ms % batch != 0) {
      at = &s.slide_range;
      message = "the slide " + plan::duration_text(s.slide_ms);
    }
    if (at) {
      diags_.error(*at, message + " is not a multiple of the batch interval " +
                            plan::duration_text(batch))
          .helps.push_back("without 'event_time' on the source, windows use processing time "
                           "and must be multiples of the batch interval");
      return false;
    }
  }
  return true;
}

bool Analyzer::check_aggregates(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  bool ok = true;
  if (out.window) {
    out.output.fields.push_back({"window_start", Type::Timestamp, std::nullopt, ""});
    out.output.fields.push_back({"window_end", Type::Timestamp, std::nullopt, ""});
  }
  for (const plan::NamedExpr& k : out.keys) {
    ok = add_field(diags_, out.output, {k.name, k.expr->type, std::nullopt, ""}, s.range,
                   "group by") && ok;
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
            .helps.push_back("write NAME = AGG(...) with count, sum, avg, min, max, "
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
      diags_.error(call.range, "'" + call.text + "' takes " + std::to_string(arity) +
                                   " argument" + (arity == 1 ? "" : "s") + ", got " +
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
        case plan::AggFn::Avg:
          fits = numeric(t);
          break;
        case plan::AggFn::Min:
        case plan::AggFn::Max:
          fits = t != Type::Bool;
          break;
        default:
          break;
      }
      if (!fits) {
        diags_.error(call.args[0]->range, "'" + call.text + "' cannot be applied to " +
                                              plan::type_name(t));
        ok = false;
        continue;
      }
      agg.type = *fn == plan::AggFn::Avg ? Type::Float
               : *fn == plan::AggFn::CountDistinct ? Type::Int : t;
    }
    ok = add_field(diags_, out.output, {agg.name, agg.type, std::nullopt, ""}, item.name_range,
                   "aggregate") && ok;
    out.aggregates.push_back(std::move(agg));
  }
  switch (s.emit) {
    case ast::EmitMode::Default:
      out.emit = out.window ? plan::EmitMode::Final : plan::EmitMode::Updates;
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
      out.emit = plan::EmitMode::Updates;
      break;
    default:
      diags_.error(s.emit_range, "'aggregate' takes 'emit final' or 'emit updates'")
          .helps.push_back("'emit each', 'emit updated' and 'emit all' are for 'update'");
      ok = false;
  }
  if (s.expire_ms) {
    diags_.error(s.expire_range, "'expire after' is for 'update'");
    ok = false;
  }
  return ok;
}

bool Analyzer::check_update(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  bool ok = true;
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
      diags_.error(f.name_range, "state field '" + f.name + "' has the name of a field of " + scope.what)
          .helps.push_back("rename the state field, or the record's field with 'select' first");
      ok = false;
      continue;
    }
    auto value = constant(*f.default_value, *type, "the initial value of '" + f.name + "'");
    if (!value) {
      ok = false;
      continue;
    }
    out.state.push_back({f.name, *type, value, ""});
  }
  if (!ok) return false;
  Scope body_scope = scope;
  body_scope.state = &out.state;
  out.body = check_statements(s.body, body_scope, ok);

  switch (s.emit) {
    case ast::EmitMode::Default:
    case ast::EmitMode::Updated: out.emit = plan::EmitMode::Updated; break;
    case ast::EmitMode::All: out.emit = plan::EmitMode::All; break;
    case ast::EmitMode::Each: out.emit = plan::EmitMode::Each; break;
    default:
      diags_.error(s.emit_range, "'update' takes 'emit each', 'emit updated' or 'emit all'")
          .helps.push_back("'emit final' and 'emit updates' are for 'aggregate'");
      ok = false;
  }
  if (s.expire_ms) {
    if (*s.expire_ms <= 0) {
      diags_.error(s.expire_range, "'expire after' must be longer than 0ms");
      ok = false;
    }
    out.expire_ms = s.expire_ms;
  }
  if (out.emit == plan::EmitMode::Each) {
    // State names never repeat a record field's (checked above).
    out.output = *scope.schema;
    for (const plan::Field& f : out.state) out.output.fields.push_back({f.name, f.type, std::nullopt, ""});
  } else {
    for (const plan::NamedExpr& k : out.keys) {
      out.output.fields.push_back({k.name, k.expr->type, std::nullopt, ""});
    }
    for (const plan::Field& f : out.state) {
      if (out.output.find(f.name) >= 0) {
        diags_.error(s.keyword_range, "state field '" + f.name + "' clashes with the key '" +
                                          f.name + "'");
        ok = false;
        continue;
      }
      out.output.fields.push_back({f.name, f.type, std::nullopt, ""});
    }
  }
  return ok;
}

std::vector<plan::StatementPtr> Analyzer::check_statements(
    const std::vector<ast::StatementPtr>& body, const Scope& scope, bool& ok) {
  std::vector<plan::StatementPtr> out;
  for (const ast::StatementPtr& st : body) {
    auto p = std::make_unique<plan::Statement>();
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
        diags_.error(st->target_range, "cannot assign to '" + st->target +
                                           "': only state fields can be assigned")
            .helps.push_back("'" + st->target + "' is a field of the record; declare a state "
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
      Diagnostic& d = diags_.error(st->value->range, "cannot apply '" + st->op + "' to the " +
                                                         plan::type_name(t) + " state field '" +
                                                         target.name + "' with " +
                                                         (v == Type::Int ? "an " : "a ") +
                                                         plan::type_name(v));
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
