// where EXPR
//
//   if (!(EXPR)) goto next;   // the row is dropped
//   <next operator>
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class WhereOp : public Operator {
 public:
  WhereOp(const plan::WhereStage& stage, Operator* next) : stage_(stage), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    filter(cg, row, [&] { next_->consume(cg, row); });
  }

  void check(CgContext& cg, const Row& row) override {
    filter(cg, row, [&] { next_->check(cg, row); });
  }

 private:
  template <typename Next>
  void filter(CgContext& cg, const Row& row, Next next) {
    auto& b = cg.b();
    CgValue keep = emit_expr(cg, *stage_.predicate, ExprEnv{&row, {}});
    llvm::BasicBlock* pass = llvm::BasicBlock::Create(cg.llvm(), "where.pass", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "where.done", cg.fs().fn);
    b.CreateCondBr(keep.v, pass, done);
    b.SetInsertPoint(pass);
    next();
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  const plan::WhereStage& stage_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_where(const plan::WhereStage& stage, Operator* next) {
  return std::make_unique<WhereOp>(stage, next);
}

}  // namespace flowc::codegen
