// compiler/plan/functions.h — the standard library's signatures, one table.
//
// Each row is one overload: name, argument types, result type, the stdlib
// symbol that implements it, and whether it can fail (a failure makes the
// record a bad record). Sema picks the row whose arguments match (with int
// widened to float where no exact row exists); codegen calls `symbol`.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::plan {

enum class ArgShape {
  Fixed,     // exactly `args`
  Variadic,  // one or more of the same type as args[0]
  AnyTypes,  // one or more of any types (hash)
};

struct Function {
  const char* name;
  std::vector<Type> args;
  Type result;
  const char* symbol;  // stdlib (or runtime ABI) function
  bool can_fail = false;
  ArgShape shape = ArgShape::Fixed;
  int constant_arg = -1;  // an argument that must be a constant (regex patterns, time formats)
  // Codegen emits these inline instead of calling `symbol` (casts, now()).
  bool inline_op = false;
};

const std::vector<Function>& functions();
std::vector<std::string> function_names();
// All overloads named `name` (empty when there is none).
std::vector<const Function*> overloads(std::string_view name);
// The overload for these argument types, widening int to float when needed.
const Function* resolve_function(std::string_view name, std::span<const Type> args);
// `lower(s: string) -> string`, for help lines.
std::string signature_text(const Function& f);

struct AggregateInfo {
  const char* name;
  AggFn fn;
  int arg_count;
};
const std::vector<AggregateInfo>& aggregates();
std::optional<AggFn> find_aggregate(std::string_view name);
std::vector<std::string> aggregate_names();

}  // namespace flowc::plan
