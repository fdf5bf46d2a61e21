#include "codegen/time.h"

#include <llvm/IR/Constants.h>

#include "abi.h"

namespace flowc::codegen {

namespace {

// The least of one value per source of `clock`, each less its lag.
template <typename PerSource>
llvm::Value* least(CgContext& cg, const plan::Clock& clock, PerSource value) {
  auto& b = cg.b();
  llvm::Value* out = nullptr;
  for (size_t i = 0; i < clock.sources.size(); ++i) {
    llvm::Value* v =
        lag_watermark(cg, b.CreateLoad(cg.i64(), value(clock.sources[i])), clock.lag(i));
    out = out ? b.CreateSelect(b.CreateICmpSLT(v, out), v, out) : v;
  }
  return out ? out : cg.i64c(INT64_MIN);
}

}  // namespace

//   w == INT64_MAX ? w : w < INT64_MIN + lag ? INT64_MIN : w - lag
llvm::Value* lag_watermark(CgContext& cg, llvm::Value* w, int64_t lag) {
  if (lag == 0) return w;
  auto& b = cg.b();
  llvm::Value* room = b.CreateICmpSGE(w, cg.i64c(INT64_MIN + lag));
  llvm::Value* back = b.CreateSelect(room, b.CreateSub(w, cg.i64c(lag)), cg.i64c(INT64_MIN));
  return b.CreateSelect(b.CreateICmpEQ(w, cg.i64c(INT64_MAX)), w, back);
}

llvm::Value* row_time(CgContext& cg, const plan::Clock& clock) {
  return clock.event_time ? cg.fs().event_time : cg.batch_field(offsetof(FlowBatch, start_ms));
}

llvm::Value* late_bound(CgContext& cg, const plan::Clock& clock) {
  return least(cg, clock, [&](int s) { return cg.source_watermark_at_start(s); });
}

llvm::Value* watermark(CgContext& cg, const plan::Clock& clock) {
  return least(cg, clock, [&](int s) { return cg.source_watermark(s); });
}

llvm::Value* fire_bound(CgContext& cg, const plan::Clock& clock) {
  if (clock.event_time) return watermark(cg, clock);
  auto& b = cg.b();
  llvm::Value* end = cg.batch_field(offsetof(FlowBatch, end_ms));
  llvm::Value* final_batch = b.CreateICmpNE(cg.fs().fn->getArg(2), cg.i32c(0));
  return b.CreateSelect(final_batch, cg.i64c(INT64_MAX), end);
}

void emit_row(CgContext& cg, Operator* next, const Row& row, int source, llvm::Value* event_time) {
  FunctionState& fs = cg.fs();
  const int saved_source = fs.source;
  llvm::Value* saved_time = fs.event_time;
  fs.source = source;
  fs.event_time = event_time;
  next->consume(cg, row);
  fs.source = saved_source;
  fs.event_time = saved_time;
}

}  // namespace flowc::codegen
