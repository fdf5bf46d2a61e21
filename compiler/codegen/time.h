// compiler/codegen/time.h — the time of rows (LANGUAGE.md 6.1, 13), as the
// windows, sessions and `expire after` of one stage see it. Every answer
// follows from the stage's plan::Clock, which sema decided.
#pragma once

#include "codegen/operator.h"

namespace flowc::codegen {

// The time of the row being consumed: its event time, or (processing time)
// the start of its batch.
llvm::Value* row_time(CgContext& cg, const plan::Clock& clock);

// The watermark as it stood when this batch began: a row all of whose
// windows end at or before it is late. Constant through a batch, also for
// rows that aggregates emit at its end (roll-ups).
llvm::Value* late_bound(CgContext& cg, const plan::Clock& clock);

// At the end of a batch, the time up to which windows fire: the watermark
// just advanced (event time), or the batch's end and +infinity at the end
// of input (processing time).
llvm::Value* fire_bound(CgContext& cg, const plan::Clock& clock);

// The current watermark of `clock`: the least of its sources'.
llvm::Value* watermark(CgContext& cg, const plan::Clock& clock);

// `w` moved `lag` ms back, as a stream join's output trails the watermark
// of its inputs: -infinity and +infinity stay, nothing goes below
// -infinity. A row at time t is past it when t + lag <= w.
llvm::Value* lag_watermark(CgContext& cg, llvm::Value* w, int64_t lag);

// Hands a row emitted at the end of a batch to `next`, as a row of `source`
// (for bad-record messages) whose event time is `event_time` (a window's
// end - 1ms; null: no event time).
void emit_row(CgContext& cg, Operator* next, const Row& row, int source, llvm::Value* event_time);

}  // namespace flowc::codegen
