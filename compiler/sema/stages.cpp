// Stages (LANGUAGE.md 6): the order rules between stages, time and
// update streams (13 "Chained aggregation"), and one checking function per
// stateless stage. `window` and `group by` are collected here and folded
// into the `aggregate` or `update` that follows (grouping.cpp).
#include "sema/analyzer.h"

namespace flowc {

using plan::Type;

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
    case ast::StageKind::Top: return "top";
  }
  return "?";
}

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

// The time of a stream's input rows: its source's, or what the stream it
// reads emits (a windowed aggregate's rows keep the event time of its
// input, LANGUAGE.md 13); a union's, merged from every input's.
plan::Clock Analyzer::input_clock(const plan::Stream& stream) const {
  plan::Clock clock = clock_of(stream.inputs[0]);
  for (size_t k = 1; k < stream.inputs.size(); ++k)
    clock = plan::merge_clocks(clock, clock_of(stream.inputs[k]));
  return clock;
}

// `window`, `group by` and `aggregate` cannot read an update stream: its
// rows replace earlier rows of the same key, so a second aggregate would
// count every version (LANGUAGE.md 13, as Spark refuses it).
bool Analyzer::check_not_updating(const ast::Stage& s, const plan::Stream& stream) {
  if (!stream.updating) return true;
  const plan::Stream::Updating& up = *stream.updating;
  Diagnostic& d = diags_.error(
      s.keyword_range, std::string("aggregating an updating stream: '") + stage_keyword(s.kind) +
                           "' reads the rows of the '" + up.keyword + "' of stream '" + up.stream +
                           "' (line " + std::to_string(up.range.begin.line) +
                           "), which replace each other every batch");
  if (up.keyword == "aggregate") {
    d.helps.push_back("give that 'aggregate' a 'window' (emit final), or aggregate its input here");
  } else {
    d.helps.push_back("'update' rows are a changelog; aggregate its input here instead");
  }
  return false;
}

bool Analyzer::check_stages(const ast::Decl& d, plan::Stream& stream) {
  plan::Schema current = pipeline_.schema_of(stream.input);
  stream.clock = input_clock(stream);
  if (stream.input.kind == plan::Input::Stream) {
    stream.updating = pipeline_.streams[stream.input.index].updating;
  }
  Grouping grouping;
  bool ok = true;
  std::string what = "stream '" + d.input + "'";

  for (const ast::Stage& s : d.stages) {
    Scope scope;
    scope.schema = &current;
    scope.what = what;
    const char* keyword = stage_keyword(s.kind);
    bool keyed = s.kind == ast::StageKind::Aggregate || s.kind == ast::StageKind::Update;
    if (grouping.window && s.kind != ast::StageKind::GroupBy &&
        s.kind != ast::StageKind::Aggregate && s.kind != ast::StageKind::Window) {
      diags_.error(s.keyword_range, std::string("'") + keyword + "' cannot follow 'window'")
          .helps.push_back("'window' must be followed by 'aggregate' or by 'group by' and 'aggregate'");
      return false;
    }
    if (grouping.group_by && !keyed) {
      diags_.error(s.keyword_range, std::string("'") + keyword + "' cannot follow 'group by'")
          .helps.push_back("'group by' must be followed by 'aggregate' or 'update'");
      return false;
    }
    bool groups = s.kind == ast::StageKind::Window || s.kind == ast::StageKind::GroupBy ||
                  s.kind == ast::StageKind::Aggregate;
    if (groups && !grouping.window && !grouping.group_by && !check_not_updating(s, stream)) {
      return false;
    }
    if (s.kind == ast::StageKind::Window) {
      if (grouping.window) {
        diags_.error(s.keyword_range, "'window' is given twice");
        return false;
      }
      if (!check_window(s, stream, grouping)) return false;
      continue;
    }
    if (s.kind == ast::StageKind::GroupBy) {
      ok = check_group_by(s, scope, grouping) && ok;
      continue;
    }
    plan::Stage out;
    out.range = s.range;
    out.clock = stream.clock;
    switch (s.kind) {
      case ast::StageKind::Where: ok = check_where(s, scope, out) && ok; break;
      case ast::StageKind::Select: ok = check_select(s, scope, out) && ok; break;
      case ast::StageKind::Explode: ok = check_explode(s, scope, out) && ok; break;
      case ast::StageKind::Join:
        ok =
            (s.within ? check_stream_join(s, scope, stream, out) : check_join(s, scope, out)) && ok;
        break;
      case ast::StageKind::Aggregate: ok = check_aggregate(s, scope, grouping, out) && ok; break;
      case ast::StageKind::Update: ok = check_update(s, scope, grouping, out) && ok; break;
      case ast::StageKind::Top: ok = check_top(s, scope, stream, out) && ok; break;
      case ast::StageKind::Window:
      case ast::StageKind::GroupBy: break;  // collected above
    }
    // A failed `where` leaves the schema as it was, so later stages can
    // still be checked; other failures leave no schema to check against.
    if (!ok && s.kind != ast::StageKind::Where) return false;
    if (plan::emits_updates(out)) {
      stream.updating = plan::Stream::Updating{d.name, keyword, s.keyword_range};
    }
    grouping = Grouping{};
    // A `window batch`'s rows carry processing time (LANGUAGE.md 13).
    const auto* agg = out.as<plan::AggregateStage>();
    if (agg && agg->window && agg->window->kind == plan::WindowKind::Batch)
      stream.clock = plan::Clock{};
    current = out.output;
    what = "stream '" + d.name + "' after '" + keyword + "'";
    stream.stages.push_back(std::move(out));
  }
  if (grouping.window) {
    diags_.error(grouping.window->keyword_range, "'window' must be followed by 'aggregate'")
        .helps.push_back("add 'aggregate NAME = AGG(...)', optionally after 'group by KEY'");
    return false;
  }
  if (grouping.group_by) {
    diags_.error(grouping.group_by->keyword_range,
                 "'group by' must be followed by 'aggregate' or 'update'");
    return false;
  }
  stream.output = current;
  return ok;
}

// where EXPR
bool Analyzer::check_where(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  plan::WhereStage where;
  where.predicate = check_expr(*s.expr, scope);
  if (where.predicate && where.predicate->type != Type::Bool) {
    diags_.error(s.expr->range, std::string("the condition of 'where' must be a bool, got ") +
                                    plan::type_name(where.predicate->type));
    where.predicate = nullptr;
  }
  out.output = *scope.schema;
  bool ok = where.predicate != nullptr;
  out.op = std::move(where);
  return ok;
}

// select ITEM, ...   where ITEM is `*`, `field` or `name = EXPR`
bool Analyzer::check_select(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  const plan::Schema& current = *scope.schema;
  plan::SelectStage select;
  bool ok = true;
  for (const ast::SelectItem& item : s.items) {
    if (item.star) {
      for (size_t i = 0; i < current.fields.size(); ++i) {
        auto e = std::make_unique<plan::Expr>();
        e->kind = plan::ExprKind::Field;
        e->type = current.fields[i].type;
        e->index = static_cast<int>(i);
        e->range = item.name_range;
        ok = add_field(diags_, out.output, current.fields[i], item.name_range, "select") && ok;
        select.items.push_back({current.fields[i].name, std::move(e)});
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
    select.items.push_back({item.name, std::move(e)});
  }
  out.op = std::move(select);
  return ok;
}

// explode words(s) as NAME | explode split(s, sep) as NAME
bool Analyzer::check_explode(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  plan::ExplodeStage explode;
  explode.alias = s.alias;
  const ast::Expr& call = *s.expr;
  bool words = call.kind == ast::ExprKind::Call && call.text == "words";
  bool split = call.kind == ast::ExprKind::Call && call.text == "split";
  if (!words && !split) {
    diags_.error(call.range, "'explode' takes split(s, sep) or words(s)");
    return false;
  }
  size_t arity = words ? 1 : 2;
  if (call.args.size() != arity) {
    diags_.error(call.range, std::string("'") + call.text + "' takes " + std::to_string(arity) +
                                 " argument" + (arity == 1 ? "" : "s") + ", got " +
                                 std::to_string(call.args.size()));
    return false;
  }
  bool ok = true;
  explode.text =
      check_typed(*call.args[0], scope, Type::String, "the text to " + std::string(call.text));
  if (split) {
    explode.separator = check_typed(*call.args[1], scope, Type::String, "the separator of 'split'");
    if (explode.separator) {
      plan::FoldResult r = plan::fold(*explode.separator, &pipeline_.params);
      if (r.value && r.value->s.empty()) {
        diags_.error(call.args[1]->range, "the separator of 'split' cannot be empty");
        ok = false;
      }
    }
  }
  ok = ok && explode.text && (words || explode.separator);
  out.output = *scope.schema;
  if (scope.schema->find(s.alias) >= 0) {
    diags_.error(s.alias_range, "field '" + s.alias + "' already exists in " + scope.what)
        .helps.push_back("choose another name after 'as'");
    ok = false;
  } else {
    out.output.fields.push_back({s.alias, Type::String, std::nullopt, ""});
  }
  out.op = std::move(explode);
  return ok;
}

// [left] join TABLE on FIELD
bool Analyzer::check_join(const ast::Stage& s, const Scope& scope, plan::Stage& out) {
  const plan::Schema& current = *scope.schema;
  plan::JoinStage join;
  join.left = s.left;
  auto table = table_index_.find(s.table);
  if (table == table_index_.end()) {
    auto decl = names_.find(s.table);
    if (decl != names_.end() && decl->second->kind == ast::DeclKind::Table) {
      return false;  // the table itself has errors, already reported
    }
    if (decl != names_.end() && (decl->second->kind == ast::DeclKind::Source ||
                                 decl->second->kind == ast::DeclKind::Stream)) {
      diags_.error(s.table_range, "'" + s.table + "' is not a table")
          .helps.push_back("to join with the rows of '" + s.table +
                           "', match them by event time: 'join " + s.table + " on " + s.on_field +
                           " within 10m'");
    } else if (decl != names_.end()) {
      diags_.error(s.table_range, "'" + s.table + "' is not a table")
          .helps.push_back("'join' looks rows up in a table declared with 'table'");
    } else {
      Diagnostic& diag = diags_.error(s.table_range, "unknown table '" + s.table + "'");
      std::vector<std::string> tables;
      for (auto& [n, i] : table_index_) tables.push_back(n);
      diags_.suggest(diag, s.table, tables);
    }
    return false;
  }
  join.table = table->second;
  const plan::Table& t = pipeline_.tables[join.table];
  join.on_field = current.find(s.on_field);
  if (join.on_field < 0) {
    Diagnostic& diag =
        diags_.error(s.on_range, "unknown field '" + s.on_field + "' in " + scope.what);
    diags_.suggest(diag, s.on_field, current.names());
    return false;
  }
  Type key_type = t.schema.fields[t.key].type;
  Type field_type = current.fields[join.on_field].type;
  if (key_type != field_type) {
    diags_.error(s.on_range, "join field '" + s.on_field + "' is " + plan::type_name(field_type) +
                                 " but table '" + t.name + "' is keyed by " +
                                 plan::type_name(key_type));
    return false;
  }
  bool ok = true;
  out.output = current;
  for (size_t i = 0; i < t.schema.fields.size(); ++i) {
    if (static_cast<int>(i) == t.key) continue;
    const plan::Field& f = t.schema.fields[i];
    if (current.find(f.name) >= 0) {
      diags_
          .error(s.range, "field '" + f.name + "' of table '" + t.name +
                              "' clashes with a field of " + scope.what)
          .helps.push_back("rename the stream's field with 'select' first");
      ok = false;
      continue;
    }
    if (s.left && !f.default_value) {
      diags_
          .error(s.range,
                 "'left join' needs a default for field '" + f.name + "' of table '" + t.name + "'")
          .helps.push_back("declare it with a default in the table's schema, e.g. '" + f.name +
                           ": " + plan::type_name(f.type) + " = ...'");
      ok = false;
    }
    out.output.fields.push_back(f);
  }
  out.op = join;
  return ok;
}

}  // namespace flowc
