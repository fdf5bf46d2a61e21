// table NAME = ... key FIELD        and        [left] join NAME on FIELD
//
// A table is loaded before the first batch (the runtime reads it to its end
// through its own scan function) into a hash table keyed by its key; a row
// whose key was seen before replaces the earlier one (last row wins).
//
//   load:  slot = find_or_insert(table, key); slot->fields = row's non-key fields
//   join:  slot = find(table, row.FIELD);
//          if (!slot) { inner: drop the row | left: use the table's defaults }
//          next(row..., slot->fields...)
#include <llvm/IR/Constants.h>

#include "codegen/lookup_table.h"
#include "codegen/operator.h"

namespace flowc::codegen {

namespace {

class TableLoadOp : public Operator {
 public:
  explicit TableLoadOp(LookupTable& table) : table_(table) {}
  void consume(CgContext& cg, const Row& row) override { table_.insert(cg, row); }

 private:
  LookupTable& table_;
};

class JoinOp : public Operator {
 public:
  JoinOp(const plan::JoinStage& stage, LookupTable& table, Operator* next)
      : stage_(stage), table_(table), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    probe(cg, row, [&](const Row& out) { next_->consume(cg, out); });
  }

  void check(CgContext& cg, const Row& row) override {
    probe(cg, row, [&](const Row& out) { next_->check(cg, out); });
  }

 private:
  template <typename Next>
  void probe(CgContext& cg, const Row& row, Next next) {
    auto& b = cg.b();
    llvm::Value* slot = table_.find(row[stage_.on_field]);
    llvm::BasicBlock* hit = llvm::BasicBlock::Create(cg.llvm(), "join.hit", cg.fs().fn);
    llvm::BasicBlock* miss = llvm::BasicBlock::Create(cg.llvm(), "join.miss", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "join.done", cg.fs().fn);
    b.CreateCondBr(b.CreateIsNull(slot), miss, hit);

    b.SetInsertPoint(hit);
    {
      KnownHashScope known(cg.fs());
      Row matched = row;
      for (CgValue& v : table_.values(cg, slot, known)) matched.push_back(v);
      next(matched);
    }
    b.CreateBr(done);

    b.SetInsertPoint(miss);
    if (stage_.left) {
      Row unmatched = row;
      for (CgValue& v : table_.defaults(cg)) unmatched.push_back(v);
      next(unmatched);
    }
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  const plan::JoinStage& stage_;
  LookupTable& table_;
  Operator* next_;
};

}  // namespace

OperatorPtr make_table_load(LookupTable& table) { return std::make_unique<TableLoadOp>(table); }

OperatorPtr make_join(const plan::JoinStage& stage, LookupTable& table, Operator* next) {
  return std::make_unique<JoinOp>(stage, table, next);
}

}  // namespace flowc::codegen
