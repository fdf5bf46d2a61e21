// runtime/abi_ext.h — additions to runtime/abi.h proposed by the runtime.
// Kept apart so abi.h stays as drafted; fold into abi.h when agreed.
// Like abi.h, every function here is listed in runtime/abi_symbols.cpp.
#ifndef FLOWC_RUNTIME_ABI_EXT_H
#define FLOWC_RUNTIME_ABI_EXT_H

#include <stdint.h>

#include "abi.h"

#ifdef __cplusplus
extern "C" {
#endif

// A `table` (LANGUAGE.md 4) is described as a FlowSourceDesc whose `kind`
// has this bit set (FLOW_SOURCE_FILE | FLOW_SOURCE_TABLE_BIT). The runtime
// reads such a source to its end before the first batch, passing its records
// to its `process` function with the first batch's FlowBatch, so that every
// join probe sees the whole table. Its bad records follow its on_error.
enum { FLOW_SOURCE_TABLE_BIT = 0x100 };

// The watermark that generated code computed in end_batch (LANGUAGE.md
// 6.1). The runtime does not see event times, so end_batch reports the
// watermark here and the runtime passes it back as the next batch's
// FlowBatch.watermark_at_start (INT64_MIN until the first call). The same
// value will go into checkpoints.
void flow_set_watermark(FlowContext* ctx, int64_t watermark);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_RUNTIME_ABI_EXT_H
