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

// Parses a duration literal as LANGUAGE.md 2 writes it (`250ms`, `10s`,
// `5m`, `2h`, `1d`; digits may be grouped with `_`): milliseconds, or
// nullopt (no unit, another unit, too long). The runtime reads a duration
// --param by the same rule (runtime/options.cpp).
std::optional<int64_t> parse_duration(std::string_view text);

// The value of `p` as --param NAME=TEXT sets it.
std::optional<Value> parse_param_value(const Param& p, std::string_view text);

}  // namespace flowc::plan
