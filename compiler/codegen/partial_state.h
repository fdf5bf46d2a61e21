// compiler/codegen/partial_state.h — aggregates on several threads
// (--threads, runtime/worker.h): the folding of one worker's partial table
// into the pipeline's (worker 0's) at a batch's end. Which aggregates keep
// partial states: plan::combines_exactly (plan/threads.h).
#pragma once

#include "codegen/agg_state.h"
#include "codegen/keyed_table.h"
#include "plan/threads.h"

namespace flowc::codegen {

//   [reserve: flow_ht_reserve_parallel(table[0], count + the keys
//    emit_merge_found counted as new)]
//   for (src in table[worker]) {
//     dst = find_or_insert(table[0], keys(src));   // sets dst's dirty mark
//     combine(dst, src); release(src);
//   }
//   clear(table[worker]);
// `reserve`: emit_merge_found ran before (it counts the keys new to
// worker 0's table), so the table grows once, on every thread, rather than
// doubling on this one while the new keys go in.
void emit_merge_partial(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker,
                        bool reserve = false);

// Before it, on every thread at once (runtime/abi.h merge_found), over
// part `part` of `parts` of the worker's table:
//   for (src in part of table[worker], dirty) {
//     dst = find(table[0], keys(src));        // no insertion
//     if (dst) { combine(dst, src); dst->dirty = 1; release(src); src->dirty = 0; }
//     else new_keys++;
//   }
//   table.fresh += new_keys;   // atomic: emit_merge_partial's reserve
// Each key is in one slot of each table, so no two threads write one slot;
// emit_merge_partial then skips the slots done here (dirty 0: every slot
// of a partial table is dirty until merged, as a probe marked it).
void emit_merge_found(CgContext& cg, KeyedTable& table, AggState& state, llvm::Value* worker,
                      llvm::Value* part, llvm::Value* parts);

}  // namespace flowc::codegen
