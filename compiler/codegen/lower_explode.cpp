// explode split(s, sep) as NAME   /   explode words(s) as NAME
//
//   int64_t pos = 0; FlowStr part;
//   while (flow_str_next_split(s, sep, &pos, &part))   // or next_word
//     <next operator>(row..., part)
//
// check() runs the same loop over the next operators' checks; consume()
// runs it first (checked_consume).
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class ExplodeOp : public Operator {
 public:
  ExplodeOp(const plan::ExplodeStage& stage, Operator* next) : stage_(stage), next_(next) {}

  // Every part is checked before the first is handed on: a bad second
  // part drops the record whole. The text is split twice, computed once.
  void consume(CgContext& cg, const Row& row) override {
    auto [text, sep] = operands(cg, row);
    checked_consume(
        cg, [&] { each_part(cg, row, text, sep, [&](const Row& out) { next_->check(cg, out); }); },
        [&] { each_part(cg, row, text, sep, [&](const Row& out) { next_->consume(cg, out); }); });
  }

  void check(CgContext& cg, const Row& row) override {
    auto [text, sep] = operands(cg, row);
    each_part(cg, row, text, sep, [&](const Row& out) { next_->check(cg, out); });
  }

 private:
  // The text to split and the separator (none for words).
  std::pair<CgValue, CgValue> operands(CgContext& cg, const Row& row) {
    ExprEnv env{&row, {}};
    CgValue text = emit_expr(cg, *stage_.text, env);
    CgValue sep;
    if (stage_.separator) sep = emit_expr(cg, *stage_.separator, env);
    return {text, sep};
  }

  template <typename Next>
  void each_part(CgContext& cg, const Row& row, const CgValue& text, const CgValue& sep, Next next) {
    auto& b = cg.b();
    llvm::Value* pos = cg.entry_alloca(cg.i64(), "explode.pos");
    llvm::Value* part = cg.entry_alloca(cg.str_type(), "explode.part");
    b.CreateStore(cg.i64c(0), pos);
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "explode.next", cg.fs().fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "explode.body", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "explode.done", cg.fs().fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value* more =
        stage_.separator
            ? b.CreateCall(cg.stdlib("flow_str_next_split"), {text.v, text.len, sep.v, sep.len, pos, part})
            : b.CreateCall(cg.stdlib("flow_str_next_word"), {text.v, text.len, pos, part});
    b.CreateCondBr(b.CreateICmpNE(more, cg.i32c(0)), body, done);
    b.SetInsertPoint(body);
    Row out = row;
    out.push_back(cg.load_value(plan::Type::String, part));
    next(out);
    b.CreateBr(head);
    b.SetInsertPoint(done);
  }

  const plan::ExplodeStage& stage_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_explode(const plan::ExplodeStage& stage, Operator* next) {
  return std::make_unique<ExplodeOp>(stage, next);
}

}  // namespace flowc::codegen
