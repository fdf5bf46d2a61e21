#include "optimize/optimizer.h"

#include <functional>
#include <stdexcept>

namespace flowc::optimize {

const std::vector<Pass>& passes() {
  static const std::vector<Pass> list = {
      {"fold-constants", "evaluate constant expressions, params included (JIT)", fold_constants},
      {"push-down-predicates", "move 'where' ahead of 'select' and 'explode'", push_down_predicates},
      {"prune-columns", "convert only the source fields some operator reads", prune_columns},
  };
  return list;
}

void optimize(plan::Pipeline& p, const PassOptions& options, const std::set<std::string>& disabled) {
  for (const Pass& pass : passes()) {
    if (disabled.count(pass.name)) continue;
    pass.run(p, options);
    std::string problem = verify(p);
    if (!problem.empty()) {
      throw std::logic_error(std::string("plan verifier after pass '") + pass.name + "': " + problem);
    }
  }
}

static void visit_statements(std::vector<plan::StatementPtr>& body,
                             const std::function<void(plan::ExprPtr&)>& fn) {
  for (plan::StatementPtr& st : body) {
    if (st->condition) fn(st->condition);
    if (st->value) fn(st->value);
    visit_statements(st->then_body, fn);
    visit_statements(st->else_body, fn);
  }
}

void for_each_expr(plan::Pipeline& p, const std::function<void(plan::ExprPtr&)>& fn) {
  for (plan::Stream& s : p.streams) {
    for (plan::Stage& st : s.stages) {
      if (st.predicate) fn(st.predicate);
      if (st.text) fn(st.text);
      if (st.separator) fn(st.separator);
      for (plan::NamedExpr& item : st.items) fn(item.expr);
      for (plan::NamedExpr& key : st.keys) fn(key.expr);
      for (plan::Aggregate& a : st.aggregates) {
        if (a.arg) fn(a.arg);
      }
      visit_statements(st.body, fn);
    }
  }
  for (plan::Sink& s : p.sinks) {
    if (s.key) fn(s.key);
  }
}

namespace {

// Every Field reference is in range of the schema it reads, with its type.
std::string check_expr(const plan::Expr& e, const plan::Schema& in, const std::string& where) {
  if (e.kind == plan::ExprKind::Field) {
    if (e.index < 0 || e.index >= static_cast<int>(in.fields.size())) {
      return where + ": field index " + std::to_string(e.index) + " out of range";
    }
    if (in.fields[e.index].type != e.type) return where + ": field '" + in.fields[e.index].name + "' type differs";
  }
  for (const plan::ExprPtr& a : e.args) {
    std::string problem = check_expr(*a, in, where);
    if (!problem.empty()) return problem;
  }
  return "";
}

}  // namespace

std::string verify(const plan::Pipeline& p) {
  for (const plan::Source& s : p.sources) {
    if (s.used.size() != s.schema.fields.size()) return "source '" + s.name + "': used mask size";
  }
  for (const plan::Stream& s : p.streams) {
    const plan::Schema* in = &p.schema_of(s.input);
    for (size_t k = 0; k < s.stages.size(); ++k) {
      const plan::Stage& st = s.stages[k];
      std::string where = "stream '" + s.name + "' stage " + std::to_string(k);
      std::vector<const plan::Expr*> exprs;
      if (st.predicate) exprs.push_back(st.predicate.get());
      if (st.text) exprs.push_back(st.text.get());
      if (st.separator) exprs.push_back(st.separator.get());
      for (const plan::NamedExpr& i : st.items) exprs.push_back(i.expr.get());
      for (const plan::NamedExpr& i : st.keys) exprs.push_back(i.expr.get());
      for (const plan::Aggregate& a : st.aggregates) {
        if (a.arg) exprs.push_back(a.arg.get());
      }
      for (const plan::Expr* e : exprs) {
        std::string problem = check_expr(*e, *in, where);
        if (!problem.empty()) return problem;
      }
      if (st.kind == plan::StageKind::Where && st.output.fields.size() != in->fields.size()) {
        return where + ": 'where' changed the schema";
      }
      in = &st.output;
    }
    if (s.output.fields.size() != in->fields.size()) return "stream '" + s.name + "': output schema";
  }
  return "";
}

}  // namespace flowc::optimize
