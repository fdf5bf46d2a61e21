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

struct UserFunction;

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
  // A C++ function of the .flow file (LANGUAGE.md 13): `symbol` is its
  // extern "C" name, called with the C ABI of flowc/udf.h, not the stdlib's.
  const UserFunction* user = nullptr;
};

// `function NAME(ARG: TYPE, ...): TYPE from "FILE.cpp"` (LANGUAGE.md 13):
// one row of the table above that lives with its pipeline. Calls point at
// `fn`, whose name and symbol point into `name`: a UserFunction stays where
// it was made (Pipeline::functions holds it by pointer).
struct UserFunction {
  std::string name;
  std::vector<std::string> arg_names;  // for the C signature in messages
  std::string path;  // as written; relative to the .flow file's folder
  SourceRange name_range, path_range;
  Function fn;

  UserFunction(std::string name_, std::vector<Type> args, Type result)
      : name(std::move(name_)), fn{name.c_str(), std::move(args), result, name.c_str()} {
    fn.user = this;
  }
  UserFunction(const UserFunction&) = delete;
  UserFunction& operator=(const UserFunction&) = delete;
};

const std::vector<Function>& functions();
std::vector<std::string> function_names();
// All overloads named `name` (empty when there is none).
std::vector<const Function*> overloads(std::string_view name);
// The overload for these argument types, widening int to float when needed.
const Function* resolve_function(std::string_view name, std::span<const Type> args);
// The same among `candidates` (a C++ function's one row).
const Function* resolve_function(std::span<const Function* const> candidates,
                                 std::span<const Type> args);
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
