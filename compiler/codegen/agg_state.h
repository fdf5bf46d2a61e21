// compiler/codegen/agg_state.h — the state of `aggregate`'s functions in a
// hash-table slot, and the code that updates, combines, finalizes and frees
// it. Shared by running aggregates (one slot per key) and windows (one slot
// per pane and key, combined into windows when they fire).
//
// State per function, at the offset `offsets[i]` of the slot:
//   count          int64
//   sum            int64 or double
//   avg            double sum, int64 count
//   min, max       the value (strings: FlowStrBuf, 24 bytes)
//   first, last    int64 arrival number, then the value (to combine panes
//                  in arrival order)
//   count_distinct FlowDistinctSet*
#pragma once

#include "codegen/cg_context.h"
#include "codegen/checkpoint.h"
#include "codegen/state_layout.h"

namespace flowc::codegen {

// Whether `aggs` has first or last, whose states carry arrival numbers.
bool orders_by_arrival(const std::vector<plan::Aggregate>& aggs);

// The arrival number of the record a source's loop handles, the same for
// every thread count (--threads): `base` (i64: what earlier runs of the
// pipeline counted, restored with the stage's state) + the run's records
// delivered before this delivery (abi.h flow_arrival_first) + its index in
// the delivery. Null outside a source's loop (rows emitted at a batch's end).
llvm::Value* record_arrival(CgContext& cg, llvm::Value* base);
// Writes the `base` global a stage's next run starts from: base + the
// records this run delivered (each record of the run numbered below it).
void emit_arrival_snapshot(CgContext& cg, llvm::Value* base, llvm::Value* writer);

class AggState {
 public:
  // Appends each function's state to `layout`.
  AggState(const std::vector<plan::Aggregate>& aggs, SlotLayout& layout);

  // One record: `args[i]` is aggregate i's argument (unused for count),
  // `fresh` (i1) whether the slot was just created, `arrival` an i64 that
  // grows with arrival order.
  void update(CgContext& cg, llvm::Value* slot, const std::vector<CgValue>& args,
              llvm::Value* fresh, llvm::Value* arrival);
  // Folds the state of `src` into `dst`; `dst_empty` (i1): dst holds nothing yet.
  void combine(CgContext& cg, llvm::Value* dst, llvm::Value* src, llvm::Value* dst_empty);
  // The largest arrival number first/last of `slot` hold (i64; INT64_MIN
  // without first/last).
  llvm::Value* last_arrival(CgContext& cg, llvm::Value* slot);
  // The aggregates' values, in order.
  std::vector<CgValue> finalize(CgContext& cg, llvm::Value* slot);
  // Frees what the state owns (strings, distinct sets) before the slot goes.
  void release(CgContext& cg, llvm::Value* slot);
  bool owns_memory() const;
  // The state's pieces, for checkpoints.
  std::vector<StateColumn> columns() const;

 private:
  llvm::Value* at(CgContext& cg, llvm::Value* slot, size_t i, int64_t extra = 0);
  void store_value(CgContext& cg, const CgValue& v, llvm::Value* address);

  const std::vector<plan::Aggregate>& aggs_;
  std::vector<int64_t> offsets_;
};

}  // namespace flowc::codegen
