// where EXPR
//
//   if (!(EXPR)) goto next;   // the row is dropped
//   <next operator>
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class WhereOp : public Operator {
 public:
  WhereOp(const plan::Stage& stage, Operator* next) : stage_(stage), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    ExprEnv env{&row, {}};
    CgValue keep = emit_expr(cg, *stage_.predicate, env);
    llvm::BasicBlock* pass = llvm::BasicBlock::Create(cg.llvm(), "where.pass", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "where.done", cg.fs().fn);
    b.CreateCondBr(keep.v, pass, done);
    b.SetInsertPoint(pass);
    next_->consume(cg, row);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  void check(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    CgValue keep = emit_expr(cg, *stage_.predicate, ExprEnv{&row, {}});
    llvm::BasicBlock* pass = llvm::BasicBlock::Create(cg.llvm(), "where.check.pass", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "where.check.done", cg.fs().fn);
    b.CreateCondBr(keep.v, pass, done);
    b.SetInsertPoint(pass);
    next_->check(cg, row);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

 private:
  const plan::Stage& stage_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_where(const plan::Stage& stage, Operator* next) {
  return std::make_unique<WhereOp>(stage, next);
}

void consume_checked(CgContext& cg, Operator& op, const Row& row) {
  emit_checks(cg, [&] { op.check(cg, row); });
  op.consume(cg, row);
}

}  // namespace flowc::codegen
