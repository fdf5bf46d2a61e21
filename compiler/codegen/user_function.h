// compiler/codegen/user_function.h — C++ functions (LANGUAGE.md 13): the
// C ABI their calls use, checked against the compiled file and emitted.
//
// A C++ function is an extern "C" function over flowc/udf.h's types, which
// clang lowers for x86-64 System V like this:
//
//   .flow         C          LLVM parameter             LLVM result
//   int           int64_t    i64                        i64
//   timestamp     int64_t    i64                        i64
//   float         double     double                     double
//   bool          bool       i1 zeroext                 i1 zeroext
//   string        FlowStr    ptr, i64 (two registers)   { ptr, i64 } (rax:rdx)
//                            or ptr byval(FlowStr) once fewer than two of
//                            the six integer registers are left
//
// The driver compiles the file and checks each function's definition with
// check_user_function before codegen; codegen declares the function with
// the same lowering and the engine links the definition in (engine/udf.h).
#pragma once

#include <llvm/IR/Function.h>

#include <string>

#include "codegen/cg_context.h"
#include "plan/functions.h"

namespace flowc::codegen {

// The C declaration the function needs, for messages:
// `extern "C" bool is_view(FlowStr event_type)`.
std::string c_declaration(const plan::UserFunction& fn);

// Empty when `defined` (the function as the C++ file defines it) has the
// lowering above for `fn`'s declared signature; otherwise what clang made
// of it, for a help line.
std::string check_user_function(const plan::UserFunction& fn, const llvm::Function& defined);

// Calls the C++ function `fn` with `args` (already of its argument types).
CgValue emit_user_call(CgContext& cg, const plan::Function& fn, const std::vector<CgValue>& args);

}  // namespace flowc::codegen
