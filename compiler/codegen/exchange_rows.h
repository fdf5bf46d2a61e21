// compiler/codegen/exchange_rows.h — what the stages that go through the
// exchange (runtime/exchange.cpp: `update`, session windows, aggregates
// with float sums) build alike: a row appended in a morsel, and the
// function the batch's end replays the rows through.
//
//   in a morsel:  row = flow_xchg_append(buffers[worker], parts, part, seq, size)
//                 the stage's fields at their offsets in `row` (put)
//   batch's end:  void replay(FlowContext* ctx, const FlowBatch* batch,
//                             int32_t part, void* cursor) {
//                   entry(cursor)
//                   while ((row = flow_xchg_next(cursor))) each(row, cursor)
//                 }
#pragma once

#include <functional>
#include <string>

#include "codegen/cg_context.h"

namespace flowc::codegen::exchange_rows {

// The calling worker's buffer of `buffers` (a worker_global of pointers):
// where the next `size` bytes of a row for `part` of `parts` go, tagged
// with the morsel's `seq`.
llvm::Value* append(CgContext& cg, llvm::GlobalVariable* buffers, llvm::Value* parts,
                    llvm::Value* part, llvm::Value* seq, int64_t size);

// `offset` bytes into `row`.
llvm::Value* at(CgContext& cg, llvm::Value* row, int64_t offset);

// Stores `v` at `to`; a string's bytes are copied into the calling
// worker's buffer of `buffers`: the record's bytes go with its morsel.
void put(CgContext& cg, llvm::GlobalVariable* buffers, CgValue v, llvm::Value* to);

// The replay function, named after `name`. Inside, fs() has the context,
// the batch, the source, the job's scratch arena, and as its worker the
// part (`part_is_worker`: a table split by key hash) or 0 (the pipeline's
// one table). `entry` (may be empty) runs before the loop, `each` per row;
// fs().next_record goes to the next row.
using RowBody = std::function<void(llvm::Value* row, llvm::Value* cursor)>;
llvm::Function* replay_function(CgContext& cg, const std::string& name, int root_source,
                                bool part_is_worker,
                                const std::function<void(llvm::Value* cursor)>& entry,
                                const RowBody& each);

}  // namespace flowc::codegen::exchange_rows
