// Typing of expressions (LANGUAGE.md 5): names, operators, calls.
#include <re2/re2.h>

#include "plan/explain.h"
#include "sema/analyzer.h"

namespace flowc {

using plan::ExprKind;
using plan::ExprPtr;
using plan::Type;

namespace {

bool numeric(Type t) { return t == Type::Int || t == Type::Float; }

std::string quoted(Type t) { return plan::type_name(t); }

ExprPtr make(ExprKind kind, Type type, SourceRange range) {
  auto e = std::make_unique<plan::Expr>();
  e->kind = kind;
  e->type = type;
  e->range = range;
  return e;
}

}  // namespace

void Analyzer::mark_regex_params(const ast::Expr& e) {
  if (e.kind == ast::ExprKind::Field && e.qualifier.empty()) {
    auto param = param_index_.find(e.text);
    if (param != param_index_.end()) {
      pipeline_.params[param->second].fixed_reason =
          "part of a regex pattern, which was compiled when this program was built";
    }
  }
  for (const ast::ExprPtr& a : e.args) mark_regex_params(*a);
}

bool Analyzer::reads_param(const plan::Expr& e, bool overridden) const {
  if (e.kind == ExprKind::Param && (!overridden || pipeline_.params[e.index].overridden))
    return true;
  for (const ExprPtr& a : e.args) {
    if (reads_param(*a, overridden)) return true;
  }
  return false;
}

ExprPtr Analyzer::convert(ExprPtr e, Type want) {
  if (!e || e->type == want) return e;
  std::string name = want == Type::String ? "string" : plan::type_name(want);
  Type from = e->type;
  const plan::Function* fn = plan::resolve_function(name, std::span<const Type>(&from, 1));
  if (fn == nullptr) return e;  // the caller has checked the types
  ExprPtr call = make(ExprKind::Call, want, e->range);
  call->fn = fn;
  call->op = name;
  call->args.push_back(std::move(e));
  return call;
}

ExprPtr Analyzer::widen(ExprPtr e, Type want) {
  if (!e || e->type == want || want != Type::Float || e->type != Type::Int) return e;
  ExprPtr cast = make(ExprKind::Cast, Type::Float, e->range);
  cast->args.push_back(std::move(e));
  return cast;
}

ExprPtr Analyzer::check_typed(const ast::Expr& e, const Scope& scope, Type want,
                              const std::string& what) {
  return require_type(check_expr(e, scope), e, want, what);
}

ExprPtr Analyzer::require_type(ExprPtr out, const ast::Expr& e, Type want,
                               const std::string& what) {
  if (!out) return nullptr;
  if (out->type == want) return out;
  if (want == Type::Float && out->type == Type::Int) return widen(std::move(out), want);
  diags_.error(e.range, what + " must be " + (want == Type::Int ? "an " : "a ") + quoted(want) +
                            ", got " + quoted(out->type));
  return nullptr;
}

std::optional<plan::Value> Analyzer::constant(const ast::Expr& e, Type want,
                                              const std::string& what) {
  std::optional<Constant> c = constant_expr(e, want, what);
  if (!c) return std::nullopt;
  return c->value;
}

std::optional<Analyzer::Constant> Analyzer::constant_expr(const ast::Expr& e, Type want,
                                                          const std::string& what) {
  Scope scope;
  scope.constant = true;
  scope.what = what;
  ExprPtr out = check_expr(e, scope);
  if (!out) return std::nullopt;
  // A timestamp constant may be written as epoch ms or as text, the way
  // input gives timestamps (LANGUAGE.md 3): `last_seen: timestamp = 0`.
  bool as_timestamp =
      want == Type::Timestamp && (out->type == Type::Int || out->type == Type::String);
  if (!as_timestamp) out = require_type(std::move(out), e, want, what);
  if (!out) return std::nullopt;
  plan::FoldResult r = plan::fold(*out, &pipeline_.params);
  if (!r.value) {
    Diagnostic& d = diags_.error(e.range, r.error.empty() ? what + " must be a constant" : r.error);
    d.usage = !r.error.empty() && reads_param(*out, true);
    return std::nullopt;
  }
  Constant c{*r.value, nullptr};
  if (as_timestamp && r.value->type == Type::Int) c.value = plan::Value::of_timestamp(r.value->i);
  if (as_timestamp && r.value->type == Type::String) {
    std::optional<plan::Value> ts = plan::parse_value(Type::Timestamp, r.value->s);
    if (!ts) {
      diags_.error(e.range, what + " is not a timestamp: '" + r.value->s + "'").usage =
          reads_param(*out, true);
      return std::nullopt;
    }
    c.value = *ts;
  }
  if (reads_param(*out)) {
    c.written = plan::expr_text(*out, plan::ExprNames{nullptr, nullptr, &pipeline_.params});
    c.expr = convert(std::move(out), want);
  }
  return c;
}

ExprPtr Analyzer::check_expr(const ast::Expr& e, const Scope& scope) {
  switch (e.kind) {
    case ast::ExprKind::IntLit:
    case ast::ExprKind::DurationLit: {
      ExprPtr out = make(ExprKind::Const, Type::Int, e.range);
      out->value = plan::Value::of_int(e.int_value);
      return out;
    }
    case ast::ExprKind::FloatLit: {
      ExprPtr out = make(ExprKind::Const, Type::Float, e.range);
      out->value = plan::Value::of_float(e.float_value);
      return out;
    }
    case ast::ExprKind::StringLit: {
      ExprPtr out = make(ExprKind::Const, Type::String, e.range);
      out->value = plan::Value::of_string(e.text);
      return out;
    }
    case ast::ExprKind::BoolLit: {
      ExprPtr out = make(ExprKind::Const, Type::Bool, e.range);
      out->value = plan::Value::of_bool(e.int_value != 0);
      return out;
    }
    case ast::ExprKind::Field:
      return check_field(e, scope);
    case ast::ExprKind::Call:
      return check_call(e, scope);
    case ast::ExprKind::Binary:
      return check_binary(e, scope);
    case ast::ExprKind::Unary: {
      ExprPtr operand = check_expr(*e.args[0], scope);
      if (!operand) return nullptr;
      bool ok = e.text == "not" ? operand->type == Type::Bool : numeric(operand->type);
      if (!ok) {
        diags_.error(e.name_range, "operator '" + e.text + "' cannot be applied to " +
                                       quoted(operand->type));
        return nullptr;
      }
      ExprPtr out = make(ExprKind::Unary, operand->type, e.range);
      out->op = e.text;
      out->args.push_back(std::move(operand));
      return out;
    }
    case ast::ExprKind::If: {
      if (e.args.size() != 3) return nullptr;
      ExprPtr cond = check_typed(*e.args[0], scope, Type::Bool, "the condition of 'if'");
      ExprPtr a = check_expr(*e.args[1], scope);
      ExprPtr b = check_expr(*e.args[2], scope);
      if (!cond || !a || !b) return nullptr;
      Type t = a->type;
      if (a->type != b->type) {
        if (!numeric(a->type) || !numeric(b->type)) {
          diags_.error(e.range, "the branches of 'if' have different types: " +
                                    quoted(a->type) + " and " + quoted(b->type));
          return nullptr;
        }
        t = Type::Float;
      }
      ExprPtr out = make(ExprKind::If, t, e.range);
      out->args.push_back(std::move(cond));
      out->args.push_back(widen(std::move(a), t));
      out->args.push_back(widen(std::move(b), t));
      return out;
    }
    case ast::ExprKind::In: {
      std::vector<ExprPtr> items;
      bool ok = true;
      for (const ast::ExprPtr& a : e.args) {
        items.push_back(check_expr(*a, scope));
        ok = ok && items.back();
      }
      if (!ok) return nullptr;
      Type t = items[0]->type;
      for (const ExprPtr& item : items) {
        if (item->type == t) continue;
        if (numeric(item->type) && numeric(t)) {
          t = Type::Float;
          continue;
        }
        diags_.error(item->range, "cannot compare " + quoted(items[0]->type) + " with " +
                                      quoted(item->type) + " in 'in'");
        return nullptr;
      }
      ExprPtr out = make(ExprKind::In, Type::Bool, e.range);
      out->negated = e.negated;
      for (ExprPtr& item : items) out->args.push_back(widen(std::move(item), t));
      return out;
    }
  }
  return nullptr;
}

ExprPtr Analyzer::check_field(const ast::Expr& e, const Scope& scope) {
  const std::string& name = e.text;
  if (!e.qualifier.empty()) {
    int index = scope.schema ? scope.schema->find_qualified(e.qualifier, name) : -1;
    if (index >= 0) {
      ExprPtr out = make(ExprKind::Field, scope.schema->fields[index].type, e.range);
      out->index = index;
      return out;
    }
    Diagnostic& d = diags_.error(e.range, "unknown field '" + e.qualifier + "." + name + "' in " +
                                              scope.what);
    if (!table_index_.count(e.qualifier)) {
      d.helps.push_back("'" + e.qualifier + "' is not a table joined into " + scope.what);
    }
    return nullptr;
  }
  if (scope.state) {
    for (size_t i = 0; i < scope.state->size(); ++i) {
      if ((*scope.state)[i].name != name) continue;
      ExprPtr out = make(ExprKind::State, (*scope.state)[i].type, e.range);
      out->index = static_cast<int>(i);
      return out;
    }
  }
  if (scope.schema) {
    int index = scope.schema->find(name);
    if (index >= 0) {
      ExprPtr out = make(ExprKind::Field, scope.schema->fields[index].type, e.range);
      out->index = index;
      return out;
    }
  }
  auto param = param_index_.find(name);
  if (param != param_index_.end()) {
    const plan::Param& p = pipeline_.params[param->second];
    ExprPtr out = make(ExprKind::Param, p.type, e.range);
    out->index = param->second;
    return out;
  }
  // A param whose declaration failed was reported there.
  auto decl = names_.find(name);
  if (decl != names_.end() && decl->second->kind == ast::DeclKind::Param && failed_.count(name)) {
    return nullptr;
  }
  if (scope.constant) {
    Diagnostic& d = diags_.error(e.range, "unknown param '" + name + "'");
    std::vector<std::string> candidates;
    for (const plan::Param& p : pipeline_.params) candidates.push_back(p.name);
    diags_.suggest(d, name, candidates);
    if (d.helps.empty()) d.helps.push_back(scope.what + " must be a constant: a literal or a param");
    return nullptr;
  }
  Diagnostic& d = diags_.error(e.range, "unknown field '" + name + "' in " + scope.what);
  std::vector<std::string> candidates;
  if (scope.state) {
    for (const plan::Field& f : *scope.state) candidates.push_back(f.name);
  }
  if (scope.schema) {
    for (const plan::Field& f : scope.schema->fields) candidates.push_back(f.name);
  }
  for (const plan::Param& p : pipeline_.params) candidates.push_back(p.name);
  diags_.suggest(d, name, candidates);
  return nullptr;
}

ExprPtr Analyzer::check_binary(const ast::Expr& e, const Scope& scope) {
  ExprPtr a = check_expr(*e.args[0], scope);
  ExprPtr b = check_expr(*e.args[1], scope);
  if (!a || !b) return nullptr;
  const std::string& op = e.text;
  Type ta = a->type, tb = b->type;
  auto mismatch = [&]() -> ExprPtr {
    diags_.error(e.name_range, "operator '" + op + "' cannot be applied to " + quoted(ta) +
                                   " and " + quoted(tb));
    return nullptr;
  };
  Type result;
  Type operand = ta;  // the type both operands are widened to
  if (op == "and" || op == "or") {
    if (ta != Type::Bool || tb != Type::Bool) return mismatch();
    result = Type::Bool;
  } else if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if (ta != tb && !(numeric(ta) && numeric(tb))) {
      diags_.error(e.name_range, "cannot compare " + quoted(ta) + " with " + quoted(tb));
      return nullptr;
    }
    if (ta != tb) operand = Type::Float;
    result = Type::Bool;
  } else if (numeric(ta) && numeric(tb)) {
    operand = ta == Type::Float || tb == Type::Float || op == "/" ? Type::Float : Type::Int;
    result = operand;
  } else if (op == "+" && ta == Type::String && tb == Type::String) {
    result = Type::String;
  } else if ((op == "+" || op == "-") && ta == Type::Timestamp && tb == Type::Int) {
    result = Type::Timestamp;
  } else if (op == "+" && ta == Type::Int && tb == Type::Timestamp) {
    result = Type::Timestamp;
    operand = Type::Int;
  } else if (op == "-" && ta == Type::Timestamp && tb == Type::Timestamp) {
    result = Type::Int;
  } else {
    return mismatch();
  }
  ExprPtr out = make(ExprKind::Binary, result, e.range);
  out->op = op;
  if (operand == Type::Float) {
    a = widen(std::move(a), Type::Float);
    b = widen(std::move(b), Type::Float);
  }
  out->args.push_back(std::move(a));
  out->args.push_back(std::move(b));
  return out;
}

ExprPtr Analyzer::check_call(const ast::Expr& e, const Scope& scope) {
  const std::string& name = e.text;
  if (plan::find_aggregate(name)) {
    diags_.error(e.name_range, "aggregate '" + name + "' can only be used in 'aggregate'");
    return nullptr;
  }
  if (name == "split" || name == "words") {
    diags_.error(e.name_range, "'" + name + "' can only be used in 'explode'");
    return nullptr;
  }
  std::vector<const plan::Function*> candidates = plan::overloads(name);
  // A C++ function of the file (LANGUAGE.md 13); it cannot shadow a built-in.
  if (auto user = user_functions_.find(name); user != user_functions_.end()) {
    if (user->second == nullptr) return nullptr;  // its declaration was reported
    candidates = {user->second};
  }
  if (candidates.empty()) {
    Diagnostic& d = diags_.error(e.name_range, "unknown function '" + name + "'");
    std::vector<std::string> names = plan::function_names();
    for (const std::string& a : plan::aggregate_names()) names.push_back(a);
    for (const auto& [user_name, fn] : user_functions_) names.push_back(user_name);
    diags_.suggest(d, name, names);
    return nullptr;
  }
  std::vector<ExprPtr> args;
  bool ok = true;
  for (const ast::ExprPtr& a : e.args) {
    args.push_back(check_expr(*a, scope));
    ok = ok && args.back();
  }
  if (!ok) return nullptr;
  std::vector<Type> types;
  for (const ExprPtr& a : args) types.push_back(a->type);
  const plan::Function* fn = plan::resolve_function(candidates, types);
  if (fn == nullptr) {
    const plan::Function* first = candidates[0];
    bool same_arity = true;
    for (const plan::Function* c : candidates) {
      same_arity = same_arity && c->shape == plan::ArgShape::Fixed &&
                   c->args.size() == first->args.size();
    }
    Diagnostic* d;
    if (same_arity && args.size() != first->args.size()) {
      size_t n = first->args.size();
      d = &diags_.error(e.range, "'" + name + "' takes " + std::to_string(n) + " argument" +
                                     (n == 1 ? "" : "s") + ", got " + std::to_string(args.size()));
    } else {
      std::string got;
      for (size_t i = 0; i < types.size(); ++i) got += (i ? ", " : "") + quoted(types[i]);
      d = &diags_.error(e.range, "no form of '" + name + "' takes (" + got + ")");
    }
    for (const plan::Function* c : candidates) d->helps.push_back(plan::signature_text(*c));
    return nullptr;
  }
  if (fn->constant_arg >= 0) {
    plan::FoldResult r = plan::fold(*args[fn->constant_arg], &pipeline_.params);
    const ast::Expr& pattern_expr = *e.args[fn->constant_arg];
    mark_regex_params(pattern_expr);  // compiled once, when the pipeline is
    // parse_timestamp(text, format): a strptime format, else a regex pattern.
    bool time_format = name == "parse_timestamp";
    if (!r.value) {
      Diagnostic& d = diags_.error(pattern_expr.range, std::string("the ") +
                                                           (time_format ? "format" : "pattern") +
                                                           " of '" + name + "' must be a constant");
      if (time_format) {
        d.helps.push_back(
            "a format is compiled once, with the pipeline: write a string literal "
            "or a param");
      }
      return nullptr;
    }
    if (time_format) {
      if (r.value->s.empty()) {
        diags_.error(pattern_expr.range, "a timestamp format cannot be empty");
        return nullptr;
      }
      bool literal = pattern_expr.kind == ast::ExprKind::StringLit;
      if (!check_time_format(r.value->s, pattern_expr.range, literal)) return nullptr;
    } else {
      RE2 re(r.value->s, RE2::Quiet);
      if (!re.ok()) {
        diags_.error(pattern_expr.range, "invalid regular expression: " + re.error());
        return nullptr;
      }
    }
  }
  ExprPtr out = make(ExprKind::Call, fn->result, e.range);
  out->fn = fn;
  out->op = name;
  for (size_t i = 0; i < args.size(); ++i) {
    Type want = fn->shape == plan::ArgShape::Fixed ? fn->args[i]
              : fn->shape == plan::ArgShape::Variadic ? fn->args[0] : args[i]->type;
    out->args.push_back(widen(std::move(args[i]), want));
  }
  return out;
}

}  // namespace flowc
