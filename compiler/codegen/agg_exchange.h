// compiler/codegen/agg_exchange.h — an aggregate whose float sums must add
// in arrival order, on every worker thread (plan/threads.h
// aggregate_exchanged; runtime/exchange.cpp).
//
// Partial float sums do not combine to one thread's bytes ((a + b) + c is
// not a + (b + c)), per thread or per morsel alike: only adding each
// group's values one by one, in arrival order, does. So in a morsel the
// fused loop computes the record's keys and arguments (parsing, `where`,
// expressions: the costly part, on every thread) and hands them to the
// exchange instead of the table:
//
//   in a morsel:   e = flow_xchg_append(buffer[worker], 1, 0, seq, size)
//                  e = [arrival][hash][keys...][arguments...]
//   one thread:    apply(keys, arguments, arrival)     // at once, as before
//   batch's end:   for e in every worker's buffer, by morsel then row
//                  (arrival order): apply(e's keys, arguments, arrival)
//
// `apply` updates the pipeline's (worker 0's) table, so the state, and
// what the batch's end emits and checkpoints write, is one thread's.
#pragma once

#include <functional>
#include <vector>

#include "codegen/cg_context.h"

namespace flowc::codegen {

class AggExchange {
 public:
  // `hash`: the keys' hash (KeyedTable::hash), so that the replay does
  // not hash them again.
  using Apply =
      std::function<void(const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
                         llvm::Value* arrival, llvm::Value* hash)>;

  // `args[i]` of aggregate i is unset (count) or of `aggs[i].arg`'s type.
  AggExchange(std::vector<plan::Type> key_types, const std::vector<plan::Aggregate>& aggs);

  // In a source's loop: into the exchange in a morsel, else `apply` now.
  void consume(CgContext& cg, const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
               llvm::Value* arrival, llvm::Value* hash, const Apply& apply);

  // At the batch's end, before the table is read: the batch's rows from
  // every worker, in arrival order, through `apply` (on this thread, with
  // fs().worker 0). Nothing when no row went through the exchange.
  void replay(CgContext& cg, int root_source, const Apply& apply);

 private:
  std::vector<plan::Type> key_types_;
  std::vector<plan::Type> arg_types_;  // unused where !has_arg_ (count)
  std::vector<bool> has_arg_;
  std::vector<int64_t> key_offsets_, arg_offsets_;
  int64_t size_ = 16;  // [arrival][hash] first
  llvm::GlobalVariable* buffers_ = nullptr;
};

}  // namespace flowc::codegen
