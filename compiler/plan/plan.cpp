#include "plan/plan.h"
#include "support/overloaded.h"

#include "flow_stdlib.h"

#include <cmath>
#include <cstdio>

namespace flowc::plan {

const char* type_name(Type t) {
  switch (t) {
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::String: return "string";
    case Type::Timestamp: return "timestamp";
  }
  return "?";
}

std::optional<Type> parse_type_name(std::string_view name) {
  for (Type t : {Type::Bool, Type::Int, Type::Float, Type::String, Type::Timestamp}) {
    if (name == type_name(t)) return t;
  }
  return std::nullopt;
}

const char* format_name(FormatKind k) {
  switch (k) {
    case FormatKind::Csv: return "csv";
    case FormatKind::Json: return "json";
    case FormatKind::Lines: return "lines";
    case FormatKind::Regex: return "regex";
    case FormatKind::Table: return "table";
    case FormatKind::Default: return "default";
  }
  return "?";
}

const char* agg_name(AggFn f) {
  switch (f) {
    case AggFn::Count: return "count";
    case AggFn::Sum: return "sum";
    case AggFn::Avg: return "avg";
    case AggFn::Min: return "min";
    case AggFn::Max: return "max";
    case AggFn::CountDistinct: return "count_distinct";
    case AggFn::First: return "first";
    case AggFn::Last: return "last";
  }
  return "?";
}

std::string duration_text(int64_t ms) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, static_cast<size_t>(flow_format_duration(ms, buf)));
}

std::string duration_text(const Duration& d, const std::vector<Param>& params) {
  return d.param >= 0 ? params[d.param].name : duration_text(d.ms);
}

const char* param_type_name(const Param& p) { return p.duration ? "duration" : type_name(p.type); }

std::string param_value_literal(const Param& p) {
  return p.duration ? duration_text(p.value.i) : value_literal(p.value);
}

const char* emit_name(EmitMode m) {
  switch (m) {
    case EmitMode::Final: return "final";
    case EmitMode::Updates: return "updates";
    case EmitMode::Each: return "each";
    case EmitMode::Updated: return "updated";
    case EmitMode::All: return "all";
    case EmitMode::Expired: return "expired";
  }
  return "?";
}

// The text forms are the stdlib's, so that explain, folded constants and
// the runtime's output always agree.
static std::string float_text(double v) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, static_cast<size_t>(flow_format_float(v, buf)));
}

static std::string timestamp_text(int64_t ms) {
  char buf[FLOW_FORMAT_BUF];
  return std::string(buf, static_cast<size_t>(flow_format_timestamp(ms, buf)));
}

std::string value_text(const Value& v) {
  switch (v.type) {
    case Type::Bool: return v.i ? "true" : "false";
    case Type::Int: return std::to_string(v.i);
    case Type::Float: return float_text(v.f);
    case Type::String: return v.s;
    case Type::Timestamp: return timestamp_text(v.i);
  }
  return "";
}

std::string value_literal(const Value& v) {
  if (v.type == Type::Timestamp) return "timestamp(\"" + timestamp_text(v.i) + "\")";
  if (v.type == Type::Float && !std::isfinite(v.f)) return "float(\"" + float_text(v.f) + "\")";
  if (v.type == Type::Float) {
    std::string text = float_text(v.f);
    // Keep a float looking like a float: `3` would read back as an int.
    if (text.find_first_of(".en") == std::string::npos) text += ".0";
    return text;
  }
  if (v.type != Type::String) return value_text(v);
  std::string out = "\"";
  for (unsigned char c : v.s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

int Schema::find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Schema::find_qualified(std::string_view qualifier, std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name && fields[i].qualifier == qualifier) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const Field& f : fields) out.push_back(f.name);
  return out;
}

namespace {

void for_each_statement_expr(std::vector<StatementPtr>& body,
                             const std::function<void(ExprPtr&)>& fn) {
  for (StatementPtr& st : body) {
    if (st->condition) fn(st->condition);
    if (st->value) fn(st->value);
    for_each_statement_expr(st->then_body, fn);
    for_each_statement_expr(st->else_body, fn);
  }
}

}  // namespace

const char* stage_keyword(const Stage& st) {
  return std::visit(Overloaded{
                        [](const WhereStage&) { return "where"; },
                        [](const SelectStage&) { return "select"; },
                        [](const ExplodeStage&) { return "explode"; },
                        [](const JoinStage&) { return "join"; },
                        [](const AggregateStage&) { return "aggregate"; },
                        [](const UpdateStage&) { return "update"; },
                        [](const IntervalJoinStage&) { return "join"; },
                        [](const TopStage&) { return "top"; },
                    },
                    st.op);
}

void for_each_expr(Stage& st, const std::function<void(ExprPtr&)>& fn) {
  std::visit(Overloaded{
                 [&](WhereStage& s) { fn(s.predicate); },
                 [&](SelectStage& s) {
                   for (NamedExpr& item : s.items) fn(item.expr);
                 },
                 [&](ExplodeStage& s) {
                   fn(s.text);
                   if (s.separator) fn(s.separator);
                 },
                 [&](JoinStage&) {},
                 [&](AggregateStage& s) {
                   for (NamedExpr& key : s.keys) fn(key.expr);
                   for (Aggregate& a : s.aggregates) {
                     if (a.arg) fn(a.arg);
                   }
                 },
                 [&](UpdateStage& s) {
                   for (NamedExpr& key : s.keys) fn(key.expr);
                   for_each_statement_expr(s.body, fn);
                 },
                 [&](IntervalJoinStage&) {},
                 [&](TopStage& s) {
                   for (TopStage::Key& key : s.order) fn(key.expr);
                 },
             },
             st.op);
}

void for_each_expr(const Stage& st, const std::function<void(const Expr&)>& fn) {
  // The rewriting visitor on a stage it is not allowed to change: every
  // callback only reads.
  for_each_expr(const_cast<Stage&>(st), [&](ExprPtr& e) { fn(*e); });
}

bool emits_updates(const Stage& st) {
  if (st.is<UpdateStage>()) return true;
  const AggregateStage* agg = st.as<AggregateStage>();
  return agg != nullptr && (!agg->window || agg->emit == EmitMode::Updates);
}

ExprPtr Expr::clone() const {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->type = type;
  e->range = range;
  e->value = value;
  e->index = index;
  e->fn = fn;
  e->op = op;
  e->negated = negated;
  for (const ExprPtr& a : args) e->args.push_back(a->clone());
  return e;
}

}  // namespace flowc::plan
