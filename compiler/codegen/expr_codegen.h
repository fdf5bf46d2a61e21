// compiler/codegen/expr_codegen.h — expressions (LANGUAGE.md 5 and 8) to IR.
#pragma once

#include "codegen/cg_context.h"

namespace flowc::codegen {

// What an expression reads: the record's fields and, inside `update`, the
// key's state slot (state field i at `state_fields[i]`).
struct ExprEnv {
  const Row* row = nullptr;
  std::vector<llvm::Value*> state_fields;  // addresses
};

// Emits `e` at the builder's insertion point. An expression that fails at
// run time (integer division by zero, int("x")) reports a bad record and
// jumps to cg.fs().next_record; code after the call runs only on success.
CgValue emit_expr(CgContext& cg, const plan::Expr& e, const ExprEnv& env);

// Branches on `ok` (i1): true continues, false reports `message` as a bad
// record and jumps to the next record.
void require(CgContext& cg, llvm::Value* ok, const std::string& message);

// Three-way comparison of two values of the same type: <0, 0, >0 (i32).
// Floats order NaN last, strings bytewise, false before true.
llvm::Value* emit_compare(CgContext& cg, const CgValue& a, const CgValue& b);
// Equality that agrees with hashing: -0.0 == 0.0 and NaN == NaN.
llvm::Value* emit_key_equal(CgContext& cg, const CgValue& a, const CgValue& b);
// The stable 64-bit hash of a value (stdlib flow_hash_*).
llvm::Value* emit_hash(CgContext& cg, const CgValue& v);

// Parses the text (ptr, len) with a constant strptime `format` that sema
// checked (time_format.cpp): {ok (i1), epoch ms (i64)}.
std::pair<llvm::Value*, llvm::Value*> emit_time_parse(CgContext& cg, const std::string& format,
                                                      llvm::Value* ptr, llvm::Value* len);

}  // namespace flowc::codegen
