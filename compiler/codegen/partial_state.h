// compiler/codegen/partial_state.h — aggregates on several threads
// (--threads, runtime/worker.h): the folding of one worker's partial table
// into the pipeline's (worker 0's) at a batch's end. Which aggregates keep
// partial states: plan::combines_exactly (plan/threads.h).
#pragma once

#include "codegen/agg_state.h"
#include "codegen/keyed_table.h"
#include "plan/threads.h"

namespace flowc::codegen {

//   for (src in table[worker]) {
//     dst = find_or_insert(table[0], keys(src));   // sets dst's dirty mark
//     combine(dst, src); release(src);
//   }
//   clear(table[worker]);
void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker);

}  // namespace flowc::codegen
