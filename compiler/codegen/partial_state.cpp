#include "codegen/partial_state.h"

namespace flowc::codegen {

void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker) {
  FunctionState& fs = cg.fs();
  llvm::Value* saved = fs.worker;
  fs.worker = worker;
  table.for_each_slot(
      [&](llvm::Value* src) {
        std::vector<CgValue> keys;
        for (size_t i = 0; i < table.key_count(); ++i) keys.push_back(table.key(src, i));
        llvm::Value* part = table.partitioned() ? table.partition(src) : nullptr;
        fs.worker = cg.i32c(0);
        // The slot's stored hash is its keys' (the same hash function in
        // every worker's table): no rehashing of string keys.
        auto [dst, fresh] = table.probe(keys, part, false, table.stored_hash(src));
        fs.worker = worker;
        state.combine(cg, dst, src, fresh);
        if (state.owns_memory()) state.release(cg, src);
        table.release_keys(src);
      },
      [&](llvm::Value* ahead) {  // where a slot further on will probe worker 0's table
        fs.worker = cg.i32c(0);
        table.prefetch(table.stored_hash(ahead));
        fs.worker = worker;
      });
  table.clear();
  fs.worker = saved;
}

}  // namespace flowc::codegen
