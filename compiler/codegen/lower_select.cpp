// select ITEM, ...
//
//   out_0 = ITEM_0; out_1 = ITEM_1; ...   // SSA values, nothing stored
//   <next operator>(out)
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class SelectOp : public Operator {
 public:
  SelectOp(const plan::SelectStage& stage, Operator* next) : stage_(stage), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    ExprEnv env{&row, {}};
    Row out;
    for (const plan::NamedExpr& item : stage_.items) out.push_back(emit_expr(cg, *item.expr, env));
    next_->consume(cg, out);
  }

  void check(CgContext& cg, const Row& row) override {
    ExprEnv env{&row, {}};
    Row out;
    for (const plan::NamedExpr& item : stage_.items) out.push_back(emit_expr(cg, *item.expr, env));
    next_->check(cg, out);
  }

 private:
  const plan::SelectStage& stage_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_select(const plan::SelectStage& stage, Operator* next) {
  return std::make_unique<SelectOp>(stage, next);
}

}  // namespace flowc::codegen
