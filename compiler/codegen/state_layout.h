// compiler/codegen/state_layout.h — slots of keyed-state hash tables.
//
// A slot of a FlowHashTable (stdlib) is laid out by the compiler:
//
//   [0]  uint64 hash (0 = empty)          — the table's own
//   [8]  uint8 dirty: updated this batch  — emission
//   [16] keys, in `group by` order: 8 bytes each, strings 32 (a FlowKeyStr:
//        {ptr, len}, the bytes copied into the table's arena, then the
//        first 16 bytes inline for comparisons without a pointer chase)
//   ...  per-aggregate state (see AggregateOp)
//
// Offsets are bytes; every field is 8-byte aligned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "flow_stdlib.h"
#include "plan/plan.h"

namespace flowc::codegen {

constexpr int64_t kSlotHashOffset = 0;
constexpr int64_t kSlotDirtyOffset = 8;
constexpr int64_t kSlotKeysOffset = 16;
// A string key in a slot (stdlib FlowKeyStr): the view, then the head.
constexpr int64_t kKeyStrBytes = sizeof(FlowKeyStr);
constexpr int64_t kKeyStrHeadOffset = offsetof(FlowKeyStr, head);
// A table starts small; it doubles as keys arrive.
constexpr int64_t kInitialTableCapacity = 64;

inline int64_t value_bytes(plan::Type t) { return t == plan::Type::String ? 16 : 8; }

struct SlotLayout {
  std::vector<int64_t> key_offsets;
  std::vector<int64_t> state_offsets;  // one per aggregate or state field
  int64_t size = kSlotKeysOffset;

  int64_t add(int64_t bytes) {
    int64_t at = size;
    size += (bytes + 7) / 8 * 8;
    return at;
  }
};

}  // namespace flowc::codegen
