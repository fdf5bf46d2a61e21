#include "codegen/partial_state.h"

namespace flowc::codegen {

bool combines_exactly(const std::vector<plan::Aggregate>& aggregates) {
  for (const plan::Aggregate& a : aggregates) {
    switch (a.fn) {
      case plan::AggFn::Count:
      case plan::AggFn::Min:
      case plan::AggFn::Max:
      case plan::AggFn::CountDistinct:
        break;
      case plan::AggFn::Sum:
      case plan::AggFn::Avg:
        // Ints add exactly in any order (avg keeps an int's sum as a
        // double: exact up to 2^53).
        if (a.arg == nullptr || a.arg->type != plan::Type::Int) return false;
        break;
      case plan::AggFn::First:
      case plan::AggFn::Last:
        return false;
    }
  }
  return true;
}

void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker) {
  FunctionState& fs = cg.fs();
  llvm::Value* saved = fs.worker;
  fs.worker = worker;
  table.for_each_slot([&](llvm::Value* src) {
    std::vector<CgValue> keys;
    for (size_t i = 0; i < table.key_count(); ++i) keys.push_back(table.key(src, i));
    fs.worker = cg.i32c(0);
    auto [dst, fresh] = table.probe(keys);
    fs.worker = worker;
    state.combine(cg, dst, src, fresh);
    if (state.owns_memory()) state.release(cg, src);
    table.release_keys(src);
  });
  table.clear();
  fs.worker = saved;
}

}  // namespace flowc::codegen
