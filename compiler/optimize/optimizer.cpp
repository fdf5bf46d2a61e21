#include "optimize/optimizer.h"

#include <functional>
#include "support/internal_error.h"

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
      internal_error(std::string("plan verifier after pass '") + pass.name + "': " + problem);
    }
  }
}

void for_each_expr(plan::Pipeline& p, const std::function<void(plan::ExprPtr&)>& fn) {
  for (plan::Stream& s : p.streams) {
    for (plan::Stage& st : s.stages) plan::for_each_expr(st, fn);
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
    if (s.inputs.empty() || s.inputs[0].kind != s.input.kind ||
        s.inputs[0].index != s.input.index) {
      return "stream '" + s.name + "': inputs[0] is not its input";
    }
    for (const plan::Input& u : s.inputs) {
      const plan::Schema& theirs = p.schema_of(u);
      if (theirs.fields.size() != in->fields.size())
        return "stream '" + s.name + "': union input width";
      for (size_t i = 0; i < u.order.size(); ++i) {
        if (u.order.size() != in->fields.size() || u.order[i] < 0 ||
            theirs.fields[u.order[i]].type != in->fields[i].type) {
          return "stream '" + s.name + "': union input order";
        }
      }
    }
    for (size_t k = 0; k < s.stages.size(); ++k) {
      const plan::Stage& st = s.stages[k];
      std::string where = "stream '" + s.name + "' stage " + std::to_string(k);
      std::string problem;
      plan::for_each_expr(st, [&](const plan::Expr& e) {
        if (problem.empty()) problem = check_expr(e, *in, where);
      });
      if (!problem.empty()) return problem;
      if (st.is<plan::WhereStage>() && st.output.fields.size() != in->fields.size()) {
        return where + ": 'where' changed the schema";
      }
      in = &st.output;
    }
    if (s.output.fields.size() != in->fields.size()) return "stream '" + s.name + "': output schema";
  }
  return "";
}

}  // namespace flowc::optimize
