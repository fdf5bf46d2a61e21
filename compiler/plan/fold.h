// compiler/plan/fold.h — evaluating constant expressions at compile time.
//
// Used by sema (param values, defaults, connector arguments, state initial
// values) and by the constant-folding pass. Semantics are the runtime's:
// ints wrap, `//` floors, `%` takes the dividend's sign.
#pragma once

#include <optional>
#include <string>

#include "plan/plan.h"

namespace flowc::plan {

struct FoldResult {
  std::optional<Value> value;  // set when the expression is constant
  std::string error = {};      // set when it is constant but fails (1 // 0)
};

// `params` supplies the values of Param nodes (nullptr: params are not
// constant here).
FoldResult fold(const Expr& e, const std::vector<Param>* params);

// Parses a --param value (or any text) as a value of type `t`.
std::optional<Value> parse_value(Type t, std::string_view text);

}  // namespace flowc::plan
