// compiler/codegen/partial_state.h — aggregates on several threads
// (--threads, runtime/worker.h): which aggregates a worker may keep as
// partial state, and the folding of one worker's partial table into the
// pipeline's (worker 0's) at a batch's end.
#pragma once

#include "codegen/agg_state.h"
#include "codegen/keyed_table.h"

namespace flowc::codegen {

// Whether partial states of these aggregates, folded in any order, give
// exactly what one thread gives: count, sums and averages of ints, min,
// max, count_distinct. A float sum's rounding depends on its order, and
// first/last on arrival across threads: those run on one thread.
bool combines_exactly(const std::vector<plan::Aggregate>& aggregates);

//   for (src in table[worker]) {
//     dst = find_or_insert(table[0], keys(src));   // sets dst's dirty mark
//     combine(dst, src); release(src);
//   }
//   clear(table[worker]);
void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker);

}  // namespace flowc::codegen
