#include "codegen/expr_codegen.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/MDBuilder.h>

#include "abi.h"
#include "codegen/user_function.h"
#include "plan/fold.h"
#include "plan/functions.h"

namespace flowc::codegen {

using plan::ExprKind;
using plan::Type;

namespace {

CgValue emit_binary(CgContext& cg, const plan::Expr& e, const ExprEnv& env);
CgValue emit_call(CgContext& cg, const plan::Expr& e, const ExprEnv& env);

}  // namespace

void require(CgContext& cg, llvm::Value* ok, const std::string& message) {
  auto& b = cg.b();
  llvm::BasicBlock* fail = llvm::BasicBlock::Create(cg.llvm(), "bad", cg.fs().fn);
  llvm::BasicBlock* cont = llvm::BasicBlock::Create(cg.llvm(), "ok", cg.fs().fn);
  b.CreateCondBr(ok, cont, fail, llvm::MDBuilder(cg.llvm()).createLikelyBranchWeights());
  b.SetInsertPoint(fail);
  cg.fail_record(message);
  b.SetInsertPoint(cont);
}

llvm::Value* emit_compare(CgContext& cg, const CgValue& a, const CgValue& c) {
  auto& b = cg.b();
  switch (a.type) {
    case Type::String:
      return b.CreateCall(cg.stdlib("flow_str_cmp"), {a.v, a.len, c.v, c.len});
    case Type::Float: {
      // NaN sorts after every number and equal to itself.
      llvm::Value* a_nan = b.CreateZExt(b.CreateFCmpUNO(a.v, a.v), cg.i32());
      llvm::Value* c_nan = b.CreateZExt(b.CreateFCmpUNO(c.v, c.v), cg.i32());
      llvm::Value* lt = b.CreateZExt(b.CreateFCmpOLT(a.v, c.v), cg.i32());
      llvm::Value* gt = b.CreateZExt(b.CreateFCmpOGT(a.v, c.v), cg.i32());
      llvm::Value* ordered = b.CreateSub(gt, lt);
      llvm::Value* any_nan = b.CreateOr(a_nan, c_nan);
      return b.CreateSelect(b.CreateICmpNE(any_nan, cg.i32c(0)), b.CreateSub(a_nan, c_nan),
                            ordered);
    }
    case Type::Bool:
      return b.CreateSub(b.CreateZExt(a.v, cg.i32()), b.CreateZExt(c.v, cg.i32()));
    default: {
      llvm::Value* lt = b.CreateZExt(b.CreateICmpSLT(a.v, c.v), cg.i32());
      llvm::Value* gt = b.CreateZExt(b.CreateICmpSGT(a.v, c.v), cg.i32());
      return b.CreateSub(gt, lt);
    }
  }
}

llvm::Value* emit_key_equal(CgContext& cg, const CgValue& a, const CgValue& c) {
  auto& b = cg.b();
  switch (a.type) {
    case Type::String:
      return b.CreateICmpNE(b.CreateCall(cg.stdlib("flow_str_eq"), {a.v, a.len, c.v, c.len}),
                            cg.i32c(0));
    case Type::Float:
      return b.CreateOr(b.CreateFCmpOEQ(a.v, c.v),
                        b.CreateAnd(b.CreateFCmpUNO(a.v, a.v), b.CreateFCmpUNO(c.v, c.v)));
    default:
      return b.CreateICmpEQ(a.v, c.v);
  }
}

llvm::Value* emit_hash(CgContext& cg, const CgValue& v) {
  auto& b = cg.b();
  switch (v.type) {
    case Type::String:
      for (const FunctionState::KnownHash& k : cg.fs().known_hashes) {
        if (k.ptr == v.v && k.len == v.len) return k.hash;
      }
      return b.CreateCall(cg.stdlib("flow_hash_str"), {v.v, v.len});
    case Type::Float: return b.CreateCall(cg.stdlib("flow_hash_f64"), {v.v});
    case Type::Bool: return b.CreateCall(cg.stdlib("flow_hash_bool"), {cg.to_c_bool(v.v)});
    case Type::Timestamp: return b.CreateCall(cg.stdlib("flow_hash_ts"), {v.v});
    default: return b.CreateCall(cg.stdlib("flow_hash_i64"), {v.v});
  }
}

CgValue emit_expr(CgContext& cg, const plan::Expr& e, const ExprEnv& env) {
  auto& b = cg.b();
  switch (e.kind) {
    case ExprKind::Const:
      return cg.const_value(e.value);
    case ExprKind::Field:
      return (*env.row)[e.index];
    case ExprKind::State:
      return cg.load_value(e.type, env.state_fields[e.index]);
    case ExprKind::Param:
      if (cg.fold_params()) return cg.const_value(cg.pipeline().params[e.index].value);
      return cg.load_value(e.type, cg.param_slot(e.index));
    case ExprKind::Cast: {
      CgValue v = emit_expr(cg, *e.args[0], env);
      return {Type::Float, b.CreateSIToFP(v.v, cg.f64()), nullptr};
    }
    case ExprKind::Unary: {
      CgValue v = emit_expr(cg, *e.args[0], env);
      if (e.op == "not") return {Type::Bool, b.CreateNot(v.v), nullptr};
      if (v.type == Type::Float) return {Type::Float, b.CreateFNeg(v.v), nullptr};
      return {v.type, b.CreateSub(cg.i64c(0), v.v), nullptr};  // wraps
    }
    case ExprKind::Binary:
      return emit_binary(cg, e, env);
    case ExprKind::If: {
      // if(c, a, b): only the chosen branch is evaluated (it may fail).
      CgValue cond = emit_expr(cg, *e.args[0], env);
      llvm::BasicBlock* then_bb = llvm::BasicBlock::Create(cg.llvm(), "if.then", cg.fs().fn);
      llvm::BasicBlock* else_bb = llvm::BasicBlock::Create(cg.llvm(), "if.else", cg.fs().fn);
      llvm::BasicBlock* merge = llvm::BasicBlock::Create(cg.llvm(), "if.end", cg.fs().fn);
      b.CreateCondBr(cond.v, then_bb, else_bb);
      b.SetInsertPoint(then_bb);
      CgValue x = emit_expr(cg, *e.args[1], env);
      llvm::BasicBlock* then_end = b.GetInsertBlock();
      b.CreateBr(merge);
      b.SetInsertPoint(else_bb);
      CgValue y = emit_expr(cg, *e.args[2], env);
      llvm::BasicBlock* else_end = b.GetInsertBlock();
      b.CreateBr(merge);
      b.SetInsertPoint(merge);
      CgValue out{e.type, nullptr, nullptr};
      llvm::PHINode* v = b.CreatePHI(x.v->getType(), 2);
      v->addIncoming(x.v, then_end);
      v->addIncoming(y.v, else_end);
      out.v = v;
      if (e.type == Type::String) {
        llvm::PHINode* n = b.CreatePHI(cg.i64(), 2);
        n->addIncoming(x.len, then_end);
        n->addIncoming(y.len, else_end);
        out.len = n;
      }
      return out;
    }
    case ExprKind::In: {
      CgValue x = emit_expr(cg, *e.args[0], env);
      llvm::Value* found = b.getFalse();
      for (size_t i = 1; i < e.args.size(); ++i) {
        CgValue item = emit_expr(cg, *e.args[i], env);
        llvm::Value* eq = x.type == Type::Float ? b.CreateFCmpOEQ(x.v, item.v)
                                                : emit_key_equal(cg, x, item);
        found = b.CreateOr(found, eq);
      }
      return {Type::Bool, e.negated ? b.CreateNot(found) : found, nullptr};
    }
    case ExprKind::Call:
      return emit_call(cg, e, env);
  }
  return {};
}

namespace {

// and / or: the right side runs only when it decides the result.
CgValue emit_logic(CgContext& cg, const plan::Expr& e, const ExprEnv& env) {
  auto& b = cg.b();
  bool is_and = e.op == "and";
  CgValue left = emit_expr(cg, *e.args[0], env);
  llvm::BasicBlock* left_end = b.GetInsertBlock();
  llvm::BasicBlock* rhs = llvm::BasicBlock::Create(cg.llvm(), is_and ? "and.rhs" : "or.rhs", cg.fs().fn);
  llvm::BasicBlock* merge = llvm::BasicBlock::Create(cg.llvm(), is_and ? "and.end" : "or.end", cg.fs().fn);
  if (is_and) {
    b.CreateCondBr(left.v, rhs, merge);
  } else {
    b.CreateCondBr(left.v, merge, rhs);
  }
  b.SetInsertPoint(rhs);
  CgValue right = emit_expr(cg, *e.args[1], env);
  llvm::BasicBlock* right_end = b.GetInsertBlock();
  b.CreateBr(merge);
  b.SetInsertPoint(merge);
  llvm::PHINode* phi = b.CreatePHI(cg.i1(), 2);
  phi->addIncoming(is_and ? b.getFalse() : b.getTrue(), left_end);
  phi->addIncoming(right.v, right_end);
  return {Type::Bool, phi, nullptr};
}

CgValue emit_comparison(CgContext& cg, const std::string& op, const CgValue& l, const CgValue& r) {
  auto& b = cg.b();
  llvm::Value* v = nullptr;
  if (l.type == Type::Float) {
    if (op == "==") v = b.CreateFCmpOEQ(l.v, r.v);
    if (op == "!=") v = b.CreateFCmpUNE(l.v, r.v);
    if (op == "<") v = b.CreateFCmpOLT(l.v, r.v);
    if (op == "<=") v = b.CreateFCmpOLE(l.v, r.v);
    if (op == ">") v = b.CreateFCmpOGT(l.v, r.v);
    if (op == ">=") v = b.CreateFCmpOGE(l.v, r.v);
    return {Type::Bool, v, nullptr};
  }
  if (l.type == Type::String && (op == "==" || op == "!=")) {
    llvm::Value* eq = emit_key_equal(cg, l, r);
    return {Type::Bool, op == "==" ? eq : b.CreateNot(eq), nullptr};
  }
  llvm::Value* x = l.v;
  llvm::Value* y = r.v;
  if (l.type == Type::String) {
    x = emit_compare(cg, l, r);
    y = cg.i32c(0);
  } else if (l.type == Type::Bool) {
    x = b.CreateZExt(l.v, cg.i32());
    y = b.CreateZExt(r.v, cg.i32());
  }
  if (op == "==") v = b.CreateICmpEQ(x, y);
  if (op == "!=") v = b.CreateICmpNE(x, y);
  if (op == "<") v = b.CreateICmpSLT(x, y);
  if (op == "<=") v = b.CreateICmpSLE(x, y);
  if (op == ">") v = b.CreateICmpSGT(x, y);
  if (op == ">=") v = b.CreateICmpSGE(x, y);
  return {Type::Bool, v, nullptr};
}

//   int:   a + b, a - b, a * b wrap (no nsw); a // b and a % b call the
//          stdlib, which fails on b == 0 (a bad record);
//   float: fadd/fsub/fmul/fdiv; `//` floors the quotient; `%` is fmod.
CgValue emit_binary(CgContext& cg, const plan::Expr& e, const ExprEnv& env) {
  auto& b = cg.b();
  const std::string& op = e.op;
  if (op == "and" || op == "or") return emit_logic(cg, e, env);
  CgValue l = emit_expr(cg, *e.args[0], env);
  CgValue r = emit_expr(cg, *e.args[1], env);
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    return emit_comparison(cg, op, l, r);
  }
  if (e.type == Type::String) {
    llvm::Value* out = cg.entry_alloca(cg.str_type(), "concat");
    b.CreateCall(cg.stdlib("flow_str_concat"), {cg.fs().arena, l.v, l.len, r.v, r.len, out});
    return cg.load_value(Type::String, out);
  }
  if (l.type == Type::Float || r.type == Type::Float) {
    llvm::Value* v = nullptr;
    if (op == "+") v = b.CreateFAdd(l.v, r.v);
    if (op == "-") v = b.CreateFSub(l.v, r.v);
    if (op == "*") v = b.CreateFMul(l.v, r.v);
    if (op == "/") v = b.CreateFDiv(l.v, r.v);
    if (op == "%") v = b.CreateFRem(l.v, r.v);
    if (op == "//") v = b.CreateCall(cg.stdlib("flow_num_floor_f64"), {b.CreateFDiv(l.v, r.v)});
    return {Type::Float, v, nullptr};
  }
  if (op == "//" || op == "%") {
    llvm::Value* out = cg.entry_alloca(cg.i64(), "divmod");
    llvm::Value* ok = b.CreateCall(cg.stdlib(op == "//" ? "flow_int_floordiv" : "flow_int_mod"),
                                   {l.v, r.v, out});
    require(cg, b.CreateICmpNE(ok, cg.i32c(0)),
            op == "//" ? "integer division by zero" : "integer modulo by zero");
    return {e.type, b.CreateLoad(cg.i64(), out), nullptr};
  }
  llvm::Value* v = nullptr;
  if (op == "+") v = b.CreateAdd(l.v, r.v);
  if (op == "-") v = b.CreateSub(l.v, r.v);
  if (op == "*") v = b.CreateMul(l.v, r.v);
  return {e.type, v, nullptr};
}

// A compiled RE2 pattern, made on first use and kept for the process: one
// per worker thread (runtime/worker.h), so that none races to make it.
llvm::Value* regex_handle(CgContext& cg, const std::string& pattern) {
  auto& b = cg.b();
  llvm::Value* g = cg.worker_slot(cg.worker_global(cg.ptr(), nullptr, cg.unique("regex")));
  llvm::Value* cached = b.CreateLoad(cg.ptr(), g);
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* compile = llvm::BasicBlock::Create(cg.llvm(), "regex.compile", cg.fs().fn);
  llvm::BasicBlock* ready = llvm::BasicBlock::Create(cg.llvm(), "regex.ready", cg.fs().fn);
  b.CreateCondBr(b.CreateIsNull(cached), compile, ready,
                 llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
  b.SetInsertPoint(compile);
  llvm::Value* made = b.CreateCall(cg.runtime("flow_regex_compile"),
                                   {cg.cstring(pattern), cg.i64c(static_cast<int64_t>(pattern.size()))});
  b.CreateStore(made, g);
  b.CreateBr(ready);
  b.SetInsertPoint(ready);
  llvm::PHINode* re = b.CreatePHI(cg.ptr(), 2);
  re->addIncoming(cached, before);
  re->addIncoming(made, compile);
  return re;
}

// Functions the table marks inline: casts that are no-ops or one instruction.
CgValue emit_inline_call(CgContext& cg, const plan::Expr& e, std::vector<CgValue>& args) {
  auto& b = cg.b();
  std::string_view name = e.fn->name;
  if (name == "now") {
    llvm::Value* start = cg.abi_gep(cg.batch_type(), cg.fs().batch, offsetof(FlowBatch, start_ms));
    return {Type::Timestamp, b.CreateLoad(cg.i64(), start), nullptr};
  }
  if (name == "least" || name == "greatest") {
    CgValue best = args[0];
    for (size_t i = 1; i < args.size(); ++i) {
      llvm::Value* c = emit_compare(cg, args[i], best);
      llvm::Value* better = name == "least" ? b.CreateICmpSLT(c, cg.i32c(0))
                                            : b.CreateICmpSGT(c, cg.i32c(0));
      best.v = b.CreateSelect(better, args[i].v, best.v);
      if (best.len) best.len = b.CreateSelect(better, args[i].len, best.len);
    }
    return best;
  }
  CgValue a = args[0];
  if (e.type == Type::Float && a.type != Type::Float) {
    return {Type::Float,
            a.type == Type::Bool ? b.CreateUIToFP(a.v, cg.f64()) : b.CreateSIToFP(a.v, cg.f64()),
            nullptr};
  }
  if (a.type == Type::Bool && e.type != Type::Bool) {
    return {e.type, b.CreateZExt(a.v, cg.i64()), nullptr};
  }
  a.type = e.type;  // int <-> timestamp, identities, floor/ceil/round of an int
  return a;
}

CgValue emit_call(CgContext& cg, const plan::Expr& e, const ExprEnv& env) {
  auto& b = cg.b();
  const plan::Function& fn = *e.fn;
  std::vector<CgValue> args;
  for (const plan::ExprPtr& a : e.args) args.push_back(emit_expr(cg, *a, env));
  if (fn.inline_op) return emit_inline_call(cg, e, args);
  if (fn.user) return emit_user_call(cg, fn, args);  // C++, LANGUAGE.md 13

  std::string_view name = fn.name;
  if (name == "hash") {
    llvm::Value* h = emit_hash(cg, args[0]);
    for (size_t i = 1; i < args.size(); ++i) {
      h = b.CreateCall(cg.stdlib("flow_hash_combine"), {h, emit_hash(cg, args[i])});
    }
    return {Type::Int, h, nullptr};
  }
  if (name == "parse_timestamp") {
    // The format is a constant (params included, fixed at compile time).
    plan::FoldResult format = plan::fold(*e.args[1], &cg.pipeline().params);
    const std::string text = format.value ? format.value->s : "";
    auto [ok, ms] = emit_time_parse(cg, text, args[0].v, args[0].len);
    require(cg, ok, "parse_timestamp() of text not in the format \"" + text + "\"");
    return {Type::Timestamp, ms, nullptr};
  }
  if (name == "regex_match" || name == "regex_extract") {
    // Patterns are constants (params included, fixed at compile time).
    plan::FoldResult pattern = plan::fold(*e.args[1], &cg.pipeline().params);
    llvm::Value* re = regex_handle(cg, pattern.value ? pattern.value->s : "");
    if (name == "regex_match") {
      llvm::Value* r = b.CreateCall(cg.runtime("flow_regex_match"), {re, args[0].v, args[0].len});
      return {Type::Bool, b.CreateICmpNE(r, cg.i32c(0)), nullptr};
    }
    llvm::Value* out = cg.entry_alloca(cg.str_type(), "extract");
    b.CreateCall(cg.runtime("flow_regex_extract"),
                 {cg.fs().ctx, re, args[0].v, args[0].len, args[2].v, out});
    return cg.load_value(Type::String, out);
  }

  // The stdlib's convention (stdlib/flow_stdlib.h): an arena first when the
  // function builds bytes; results that are strings, or that can fail, come
  // back through a last out-parameter.
  llvm::Function* f = cg.stdlib(fn.symbol);
  std::vector<llvm::Value*> ir_args;
  size_t expected = 0;
  for (const CgValue& a : args) expected += a.type == Type::String ? 2 : 1;
  bool out_param = fn.result == Type::String || fn.can_fail;
  if (out_param) ++expected;
  if (f->arg_size() == expected + 1) ir_args.push_back(cg.fs().arena);
  for (const CgValue& a : args) {
    if (a.type == Type::String) {
      ir_args.push_back(a.v);
      ir_args.push_back(a.len);
    } else if (a.type == Type::Bool) {
      ir_args.push_back(cg.to_c_bool(a.v));
    } else {
      ir_args.push_back(a.v);
    }
  }
  llvm::Value* out = nullptr;
  if (out_param) {
    out = cg.entry_alloca(cg.storage_type(fn.result), std::string(name) + ".out");
    ir_args.push_back(out);
  }
  llvm::Value* r = b.CreateCall(f, ir_args);
  if (fn.can_fail) {
    std::string what = name == "int" ? "not an integer" : name == "float" ? "not a number"
                                                                          : "not a timestamp";
    if (name == "int" && args[0].type == Type::Float) what = "a float out of the int range";
    require(cg, b.CreateICmpNE(r, cg.i32c(0)), std::string(name) + "() of " + what);
  }
  if (out_param) return cg.load_value(fn.result, out);
  if (fn.result == Type::Bool) return {Type::Bool, b.CreateICmpNE(r, cg.i32c(0)), nullptr};
  return {fn.result, r, nullptr};
}

}  // namespace

}  // namespace flowc::codegen
