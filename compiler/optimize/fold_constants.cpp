// fold-constants: any subexpression whose value is known at compile time
// becomes a constant (with --param values under the JIT). A `where` that
// folds to true disappears.
#include "optimize/optimizer.h"
#include "plan/fold.h"

namespace flowc::optimize {

static void fold_expr(plan::ExprPtr& e, const std::vector<plan::Param>* params) {
  if (e->kind == plan::ExprKind::Const) return;
  for (plan::ExprPtr& a : e->args) fold_expr(a, params);
  // now() and regex patterns must stay as they are; everything else folds.
  if (e->kind == plan::ExprKind::Call && e->op == "now") return;
  plan::FoldResult r = plan::fold(*e, params);
  if (!r.value) return;  // not constant, or fails: a bad record at run time
  auto c = std::make_unique<plan::Expr>();
  c->kind = plan::ExprKind::Const;
  c->type = e->type;
  c->range = e->range;
  c->value = *r.value;
  c->value.type = e->type;
  e = std::move(c);
}

void fold_constants(plan::Pipeline& p, const PassOptions& options) {
  const std::vector<plan::Param>* params = options.fold_params ? &p.params : nullptr;
  for_each_expr(p, [&](plan::ExprPtr& e) { fold_expr(e, params); });
  for (plan::Stream& s : p.streams) {
    std::erase_if(s.stages, [](const plan::Stage& st) {
      const plan::WhereStage* where = st.as<plan::WhereStage>();
      return where && where->predicate->kind == plan::ExprKind::Const &&
             where->predicate->value.i != 0;
    });
  }
}

}  // namespace flowc::optimize
