// Durations where the language writes one (LANGUAGE.md 2, 13 "Params of
// every kind"): a literal such as `10s`, or a param declared `duration`.
// The checks on a duration's value (positive, a multiple of the slide or
// of the batch interval) are the callers'; they report through
// duration_error, which says where a param's value came from.
#include "sema/analyzer.h"

namespace flowc {

namespace {

const char* article(plan::Type t) { return t == plan::Type::Int ? "an" : "a"; }

}  // namespace

// duration : DURATION | ident
std::optional<plan::Duration> Analyzer::check_duration(const ast::Duration& d) {
  if (d.param.empty()) return plan::Duration{d.ms, -1};
  auto param = param_index_.find(d.param);
  if (param == param_index_.end()) {
    auto decl = names_.find(d.param);
    bool failed_param = decl != names_.end() && decl->second->kind == ast::DeclKind::Param;
    if (failed_param) return std::nullopt;  // its declaration's error was reported there
    Diagnostic& diag =
        diags_.error(d.range, decl != names_.end() ? "'" + d.param + "' is not a duration"
                                                   : "unknown param '" + d.param + "'");
    std::vector<std::string> durations;
    for (const plan::Param& p : pipeline_.params) {
      if (p.duration) durations.push_back(p.name);
    }
    diags_.suggest(diag, d.param, durations);
    diag.helps.push_back(
        "a duration is a literal such as 10s or 250ms, or a param declared "
        "'param " +
        d.param + ": duration = 10s'");
    return std::nullopt;
  }
  const plan::Param& p = pipeline_.params[param->second];
  if (!p.duration) {
    diags_
        .error(d.range, "param '" + p.name + "' is " + article(p.type) + " " +
                            plan::type_name(p.type) + ", not a duration")
        .helps.push_back("declare it 'param " + p.name +
                         ": duration = 10s' to write it where a "
                         "duration goes; in expressions it is then an int of milliseconds");
    return std::nullopt;
  }
  return plan::Duration{p.value.i, param->second};
}

Diagnostic& Analyzer::duration_error(SourceRange at, const std::string& message,
                                     std::initializer_list<plan::Duration> durations, bool batch) {
  Diagnostic& diag = diags_.error(at, message);
  diag.usage = batch && batch_from_option_;
  if (diag.usage) diag.helps.push_back("the batch interval is set by --batch");
  std::set<int> seen;
  for (const plan::Duration& d : durations) {
    if (d.param < 0 || !seen.insert(d.param).second) continue;
    const plan::Param& p = pipeline_.params[d.param];
    std::string value = plan::duration_text(p.value.i);
    auto given = options_.params.find(p.name);
    if (p.overridden && given != options_.params.end()) {
      diag.usage = true;
      diag.helps.push_back("'" + p.name + "' is " + value + ", set by --param " + p.name + "=" +
                           given->second);
    } else {
      diag.helps.push_back("'" + p.name + "' is " + value + ", declared on line " +
                           std::to_string(names_.at(p.name)->range.begin.line));
    }
  }
  return diag;
}

// param NAME: duration = D — a duration literal, or a duration param
// declared before it. Zero is allowed here; where a duration must be
// positive, its use says so.
std::optional<plan::Value> Analyzer::check_duration_value(const ast::Decl& d) {
  const ast::Expr& e = *d.value;
  if (e.kind == ast::ExprKind::DurationLit) return plan::Value::of_int(e.int_value);
  if (e.kind == ast::ExprKind::Field && e.qualifier.empty()) {
    auto param = param_index_.find(e.text);
    if (param != param_index_.end() && pipeline_.params[param->second].duration) {
      return pipeline_.params[param->second].value;
    }
  }
  Diagnostic& diag = diags_.error(
      e.range, "the value of param '" + d.name + "' must be a duration such as 10s or 250ms");
  if (e.kind == ast::ExprKind::IntLit) {
    std::string n = std::to_string(e.int_value);
    diag.helps.push_back("write its unit: " + n + "ms, " + n + "s, " + n + "m, " + n + "h or " + n +
                         "d");
  }
  return std::nullopt;
}

}  // namespace flowc
