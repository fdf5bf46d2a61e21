// stream NAME = union(A, B, ...)   (LANGUAGE.md 13 "Union")
//
// A union needs no operator of its own: the stream's first operator reads
// every input, so each input's fused loop runs the stream's stages. Only
// an input whose fields come in another order than the first input's goes
// through this one, which puts them in that order:
//
//   next(row[order[0]], row[order[1]], ...)
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class UnionInputOp : public Operator {
 public:
  UnionInputOp(const std::vector<int>& order, Operator* next) : order_(order), next_(next) {}

  void consume(CgContext& cg, const Row& row) override { next_->consume(cg, reorder(row)); }
  void check(CgContext& cg, const Row& row) override { next_->check(cg, reorder(row)); }

 private:
  Row reorder(const Row& row) const {
    Row out;
    for (int i : order_) out.push_back(row[static_cast<size_t>(i)]);
    return out;
  }

  const std::vector<int>& order_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_union_input(const std::vector<int>& order, Operator* next) {
  return std::make_unique<UnionInputOp>(order, next);
}

}  // namespace flowc::codegen
