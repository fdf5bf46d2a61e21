// stdlib/distinct.cpp — exact sets for count_distinct (LANGUAGE.md 6.2):
// one per group (per pane for sliding windows, merged when a window fires).
// Sets are small and many, so they start tiny and store values inline.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

// A string member: its bytes live in the set's arena.
struct FlowDistinctStrSlot {
  uint64_t hash;  // 0 = empty
  const char* ptr;
  int64_t len;
};

namespace {

using StrSlot = FlowDistinctStrSlot;

constexpr int64_t kInitialCapacity = 8;
// Grow at 1/2 load: probes stay short and sets are small anyway.
constexpr int64_t kMaxLoadDen = 2;
constexpr uint64_t kCanonicalNan = 0x7ff8000000000000ull;

size_t slot_bytes(int32_t kind) {
  return kind == FLOW_DISTINCT_STR ? sizeof(StrSlot) : sizeof(uint64_t);
}

// Pages written once at once: see hash_table.cpp's touch_pages (calloc'd
// pages read before they are written cost a TLB flush on every CPU).
void* alloc_slots(int32_t kind, uint64_t capacity) {
  const size_t bytes = static_cast<size_t>(capacity) * slot_bytes(kind);
  void* p = calloc(1, bytes);
  if (!p) abort();  // out of memory
  auto* c = static_cast<volatile char*>(p);
  for (size_t i = 0; i < bytes; i += 4096) c[i] = 0;
  return p;
}

uint64_t str_hash(const char* p, int64_t n) {
  uint64_t h = flow_hash_str(p, n);
  return h == 0 ? 1 : h;
}

// Inserts into slots known to have room; the value must not be 0 (U64).
bool insert_u64_raw(uint64_t* slots, uint64_t mask, uint64_t v) {
  uint64_t i = flow_hash_u64(v) & mask;
  for (;;) {
    if (slots[i] == v) return false;
    if (slots[i] == 0) {
      slots[i] = v;
      return true;
    }
    i = (i + 1) & mask;
  }
}

// Returns the slot for (hash, p, n): the member, or the empty slot to fill.
StrSlot* probe_str(StrSlot* slots, uint64_t mask, uint64_t h, const char* p,
                   int64_t n) {
  uint64_t i = h & mask;
  for (;;) {
    StrSlot* s = &slots[i];
    if (s->hash == 0) return s;
    if (s->hash == h && s->len == n &&
        (n == 0 || memcmp(s->ptr, p, static_cast<size_t>(n)) == 0)) {
      return s;
    }
    i = (i + 1) & mask;
  }
}

__attribute__((noinline)) void grow(FlowDistinctSet* set) {
  uint64_t old_cap = set->mask + 1;
  uint64_t cap = old_cap * 2;
  void* slots = alloc_slots(set->kind, cap);
  if (set->kind == FLOW_DISTINCT_STR) {
    auto* from = static_cast<StrSlot*>(set->slots);
    auto* to = static_cast<StrSlot*>(slots);
    for (uint64_t k = 0; k < old_cap; ++k) {
      if (from[k].hash == 0) continue;
      *probe_str(to, cap - 1, from[k].hash, from[k].ptr, from[k].len) = from[k];
    }
  } else {
    auto* from = static_cast<uint64_t*>(set->slots);
    for (uint64_t k = 0; k < old_cap; ++k) {
      if (from[k] != 0) insert_u64_raw(static_cast<uint64_t*>(slots), cap - 1, from[k]);
    }
  }
  free(set->slots);
  set->slots = slots;
  set->mask = cap - 1;
}

inline void reserve_one(FlowDistinctSet* set) {
  if (static_cast<uint64_t>(set->count + 1) * kMaxLoadDen > set->mask + 1) {
    grow(set);
  }
}

}  // namespace

extern "C" {

FlowDistinctSet* flow_distinct_create(int32_t kind) {
  auto* set = static_cast<FlowDistinctSet*>(calloc(1, sizeof(FlowDistinctSet)));
  if (!set) abort();
  set->kind = kind == FLOW_DISTINCT_STR ? FLOW_DISTINCT_STR : FLOW_DISTINCT_U64;
  set->slots = alloc_slots(set->kind, kInitialCapacity);
  set->mask = kInitialCapacity - 1;
  return set;
}

void flow_distinct_free(FlowDistinctSet* set) {
  if (!set) return;
  free(set->slots);
  flow_arena_free(&set->arena);
  free(set);
}

int32_t flow_distinct_insert_u64(FlowDistinctSet* set, uint64_t v) {
  if (v == 0) {  // 0 marks empty slots, so it is tracked apart
    int32_t is_new = !set->has_zero;
    set->has_zero = 1;
    return is_new;
  }
  reserve_one(set);
  bool is_new = insert_u64_raw(static_cast<uint64_t*>(set->slots), set->mask, v);
  set->count += is_new;
  return is_new;
}

int32_t flow_distinct_insert_f64(FlowDistinctSet* set, double v) {
  uint64_t bits;
  if (v != v) {
    bits = kCanonicalNan;  // count_distinct counts NaN once
  } else {
    if (v == 0) v = 0.0;  // -0.0 == 0.0
    memcpy(&bits, &v, 8);
  }
  return flow_distinct_insert_u64(set, bits);
}

int32_t flow_distinct_insert_str(FlowDistinctSet* set, const char* p,
                                 int64_t n) {
  reserve_one(set);
  uint64_t h = str_hash(p, n);
  StrSlot* s = probe_str(static_cast<StrSlot*>(set->slots), set->mask, h, p, n);
  if (s->hash != 0) return 0;
  s->hash = h;
  s->ptr = flow_arena_copy(&set->arena, p, n);
  s->len = n;
  set->count += 1;
  return 1;
}

int64_t flow_distinct_size(const FlowDistinctSet* set) {
  return set->count + set->has_zero;
}

void flow_distinct_merge(FlowDistinctSet* dst, const FlowDistinctSet* src) {
  uint64_t cap = src->mask + 1;
  if (src->kind == FLOW_DISTINCT_STR) {
    const auto* slots = static_cast<const StrSlot*>(src->slots);
    for (uint64_t i = 0; i < cap; ++i) {
      if (slots[i].hash != 0) {
        flow_distinct_insert_str(dst, slots[i].ptr, slots[i].len);
      }
    }
    return;
  }
  const auto* slots = static_cast<const uint64_t*>(src->slots);
  for (uint64_t i = 0; i < cap; ++i) {
    if (slots[i] != 0) flow_distinct_insert_u64(dst, slots[i]);
  }
  if (src->has_zero) flow_distinct_insert_u64(dst, 0);
}

void flow_distinct_for_each_u64(const FlowDistinctSet* set,
                                void (*fn)(uint64_t v, void* ctx), void* ctx) {
  if (set->kind != FLOW_DISTINCT_U64) return;
  const auto* slots = static_cast<const uint64_t*>(set->slots);
  if (set->has_zero) fn(0, ctx);
  for (uint64_t i = 0; i <= set->mask; ++i) {
    if (slots[i] != 0) fn(slots[i], ctx);
  }
}

void flow_distinct_for_each_str(const FlowDistinctSet* set,
                                void (*fn)(const char* p, int64_t n, void* ctx),
                                void* ctx) {
  if (set->kind != FLOW_DISTINCT_STR) return;
  const auto* slots = static_cast<const StrSlot*>(set->slots);
  for (uint64_t i = 0; i <= set->mask; ++i) {
    if (slots[i].hash != 0) fn(slots[i].ptr, slots[i].len, ctx);
  }
}

}  // extern "C"
