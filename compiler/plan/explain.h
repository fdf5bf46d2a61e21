// compiler/plan/explain.h — the plan as text (`flowc explain`) and as a
// graph (`--graph mermaid|dot`).
#pragma once

#include <ostream>
#include <string>

#include "plan/plan.h"

namespace flowc::plan {

// What names an expression's field, state and param indices refer to.
struct ExprNames {
  const Schema* schema = nullptr;
  const std::vector<Field>* state = nullptr;
  const std::vector<Param>* params = nullptr;
};

// Source-like text with the fewest parentheses the precedence needs.
std::string expr_text(const Expr& e, const ExprNames& names);
// `{ a: int, b: float }`; with `params`, defaults too (`b: float = 0.0`,
// as written when they read a param): they only matter where records are read.
std::string schema_text(const Schema& s, const std::vector<Param>* params = nullptr);

void explain(const Pipeline& p, std::ostream& out);

enum class GraphKind { Mermaid, Dot };
void explain_graph(const Pipeline& p, GraphKind kind, std::ostream& out);

}  // namespace flowc::plan
