// push-down-predicates: a `where` right after a `select` or an `explode`
// moves ahead of it when it only reads fields that pass through unchanged,
// so rows are dropped before work is spent on them.
//
//   select a, b = x * 2 | where a > 0   =>   where a > 0 | select a, b = x * 2
//   explode words(t) as w | where n > 1 =>   where n > 1 | explode words(t) as w
//
// Not past a stage with an expression that can make the record bad
// (`select q = 10 // n | where n != 0`): stages apply left to right, so
// that record is bad (reported, counted) whatever the where says after it.
#include "optimize/optimizer.h"
#include "plan/functions.h"

namespace flowc::optimize {

namespace {

// Rewrites field indices through `map` (output index -> input index);
// false when a field has no plain input counterpart.
bool remap(plan::Expr& e, const std::vector<int>& map) {
  if (e.kind == plan::ExprKind::Field) {
    if (e.index >= static_cast<int>(map.size()) || map[e.index] < 0) return false;
    e.index = map[e.index];
  }
  for (plan::ExprPtr& a : e.args) {
    if (!remap(*a, map)) return false;
  }
  return true;
}

// True when evaluating `e` can make a record bad: an integer `//` or `%`
// (by zero), or a function that can fail (int("x")).
bool can_fail(const plan::Expr& e) {
  if (e.kind == plan::ExprKind::Call && e.fn != nullptr && e.fn->can_fail) return true;
  if (e.kind == plan::ExprKind::Binary && (e.op == "//" || e.op == "%") &&
      e.type != plan::Type::Float) {
    return true;
  }
  for (const plan::ExprPtr& a : e.args) {
    if (a && can_fail(*a)) return true;
  }
  return false;
}

bool stage_can_fail(const plan::Stage& s) {
  bool fails = false;
  plan::for_each_expr(s, [&](const plan::Expr& e) { fails = fails || can_fail(e); });
  return fails;
}

bool try_swap(plan::Stage& before, plan::Stage& where, const plan::Schema& before_input) {
  if (stage_can_fail(before)) return false;
  std::vector<int> map;
  if (const plan::SelectStage* select = before.as<plan::SelectStage>()) {
    for (const plan::NamedExpr& item : select->items) {
      map.push_back(item.expr->kind == plan::ExprKind::Field ? item.expr->index : -1);
    }
  } else if (before.is<plan::ExplodeStage>()) {
    for (size_t i = 0; i + 1 < before.output.fields.size(); ++i) map.push_back(static_cast<int>(i));
    map.push_back(-1);  // the exploded part itself
  } else {
    return false;
  }
  plan::ExprPtr& predicate = where.as<plan::WhereStage>()->predicate;
  plan::ExprPtr moved = predicate->clone();
  if (!remap(*moved, map)) return false;
  predicate = std::move(moved);
  where.output = before_input;
  std::swap(before, where);
  return true;
}

}  // namespace

void push_down_predicates(plan::Pipeline& p, const PassOptions&) {
  for (plan::Stream& s : p.streams) {
    bool moved = true;
    while (moved) {
      moved = false;
      for (size_t k = 1; k < s.stages.size(); ++k) {
        if (!s.stages[k].is<plan::WhereStage>()) continue;
        const plan::Schema& input = k >= 2 ? s.stages[k - 2].output : p.schema_of(s.input);
        if (try_swap(s.stages[k - 1], s.stages[k], input)) moved = true;
      }
    }
  }
}

}  // namespace flowc::optimize
