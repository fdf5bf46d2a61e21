// stdlib/hash_table.cpp — the open-addressing table behind keyed state,
// aggregates and joins. Generic over the slot layout: the compiler lays out
// slots (stored hash, keys, values) and passes an equality callback; after
// bitcode linking the callback is a constant and gets inlined into the probe
// loop, so the generic code costs nothing per record.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kMinCapacity = 16;
// Linear probing degrades quickly past ~0.7 load; 5/8 keeps probes short
// while wasting less memory than 1/2.
constexpr int64_t kMaxLoadNum = 5;
constexpr int64_t kMaxLoadDen = 8;
constexpr int64_t kSlotAlign = 8;  // slots hold uint64_t, doubles, pointers

// The probe loops are inlined into every generated caller
// (FLOW_INLINE_INTO_PIPELINE), so that each gets its own copy with its key
// equality inlined (the callback is a constant there), rather than an
// indirect call per probed slot.

inline uint64_t stored_hash(uint64_t h) { return h == 0 ? 1 : h; }

inline uint64_t slot_hash(const uint8_t* slot) {
  uint64_t h;
  memcpy(&h, slot, 8);
  return h;
}

inline uint8_t* slot_ptr(const FlowHashTable* ht, uint64_t i) {
  return ht->slots + i * static_cast<uint64_t>(ht->slot_size);
}

int64_t round_up_pow2(int64_t v) {
  int64_t c = kMinCapacity;
  while (c < v) c <<= 1;
  return c;
}

// calloc'd pages that are read before they are written (a probe reads a
// slot's hash first) map the shared zero page, and the first write then
// copies it and flushes the TLB of every CPU the process runs on (an
// interprocessor interrupt per 4 KiB page with --threads: a fifth of a word
// count's time on two threads). Each page is written once here instead,
// which faults it in writable at once. (A volatile store: the optimizer
// turns malloc + memset back into calloc.)
void touch_pages(void* p, size_t bytes) {
  constexpr size_t kPage = 4096;
  auto* c = static_cast<volatile char*>(p);
  for (size_t i = 0; i < bytes; i += kPage) c[i] = 0;
}

void allocate(FlowHashTable* ht, int64_t capacity) {
  const size_t bytes = static_cast<size_t>(capacity) * static_cast<size_t>(ht->slot_size);
  ht->slots = static_cast<uint8_t*>(calloc(1, bytes));
  if (!ht->slots) abort();  // out of memory
  touch_pages(ht->slots, bytes);
  ht->mask = static_cast<uint64_t>(capacity - 1);
  ht->grow_at = capacity * kMaxLoadNum / kMaxLoadDen;
}

// Backward-shift deletion at index i: pull later members of the cluster
// into the hole when their home slot allows, so probes never need
// tombstones. Returns nothing; the hole ends zeroed.
void erase_at(FlowHashTable* ht, uint64_t i) {
  const uint64_t mask = ht->mask;
  const size_t size = static_cast<size_t>(ht->slot_size);
  uint64_t j = i;
  for (;;) {
    j = (j + 1) & mask;
    uint8_t* sj = slot_ptr(ht, j);
    uint64_t h = slot_hash(sj);
    if (h == 0) break;
    uint64_t home = h & mask;
    // The member at j may move to i only if its home is not in (i, j]
    // (cyclically): otherwise i lies before its home.
    bool home_in_range = i <= j ? (home > i && home <= j)
                                : (home > i || home <= j);
    if (!home_in_range) {
      memcpy(slot_ptr(ht, i), sj, size);
      i = j;
    }
  }
  memset(slot_ptr(ht, i), 0, size);
  ht->count -= 1;
}

}  // namespace

extern "C" {

FlowHashTable* flow_ht_create(int64_t slot_size, int64_t initial_capacity) {
  auto* ht = static_cast<FlowHashTable*>(malloc(sizeof(FlowHashTable)));
  if (!ht) abort();
  if (slot_size < 8) slot_size = 8;
  ht->slot_size = (slot_size + kSlotAlign - 1) & ~(kSlotAlign - 1);
  ht->count = 0;
  // Room for initial_capacity entries without growing.
  allocate(ht, round_up_pow2(initial_capacity * kMaxLoadDen / kMaxLoadNum + 1));
  return ht;
}

void flow_ht_destroy(FlowHashTable* ht) {
  if (!ht) return;
  free(ht->slots);
  free(ht);
}

void flow_ht_clear(FlowHashTable* ht) {
  memset(ht->slots, 0, (ht->mask + 1) * static_cast<uint64_t>(ht->slot_size));
  ht->count = 0;
}

FLOW_INLINE_INTO_PIPELINE void* flow_ht_find_or_insert(FlowHashTable* ht, uint64_t hash,
                                                       const void* key, FlowHtEq eq,
                                                       int32_t* inserted) {
  // Grown before probing so the returned slot stays put until the next call.
  if (__builtin_expect(ht->count >= ht->grow_at, 0)) flow_ht_grow(ht);
  uint64_t h = stored_hash(hash);
  uint64_t i = h & ht->mask;
  for (;;) {
    uint8_t* slot = slot_ptr(ht, i);
    uint64_t sh = slot_hash(slot);
    if (sh == h && eq(slot, key)) {
      *inserted = 0;
      return slot;
    }
    if (sh == 0) {
      memcpy(slot, &h, 8);
      ht->count += 1;
      *inserted = 1;
      return slot;
    }
    i = (i + 1) & ht->mask;
  }
}

__attribute__((noinline)) void* flow_ht_find_or_insert_cold(FlowHashTable* ht, uint64_t hash,
                                                            const void* key, FlowHtEq eq,
                                                            int32_t* inserted) {
  return flow_ht_find_or_insert(ht, hash, key, eq, inserted);
}

__attribute__((noinline)) void flow_ht_grow(FlowHashTable* ht) {
  uint8_t* old = ht->slots;
  uint64_t old_cap = ht->mask + 1;
  const size_t size = static_cast<size_t>(ht->slot_size);
  allocate(ht, static_cast<int64_t>(old_cap * 2));
  // Stored hashes place every slot without calling back into the caller.
  for (uint64_t k = 0; k < old_cap; ++k) {
    const uint8_t* src = old + k * size;
    uint64_t h = slot_hash(src);
    if (h == 0) continue;
    uint64_t i = h & ht->mask;
    while (slot_hash(slot_ptr(ht, i)) != 0) i = (i + 1) & ht->mask;
    memcpy(slot_ptr(ht, i), src, size);
  }
  free(old);
}

int64_t flow_ht_capacity_for(const FlowHashTable* ht, int64_t keys) {
  int64_t capacity = static_cast<int64_t>(ht->mask + 1);
  while (capacity * kMaxLoadNum / kMaxLoadDen < keys) capacity <<= 1;
  return capacity;
}

// Several threads at once, each over its own range of the old slots: a
// slot is claimed by setting its stored hash from 0 (compare and swap), so
// every moved slot lands on the first slot free from its home on, as
// linear probing needs, whatever the order the threads claim them in.
// The claimed slot's other bytes are written by the claiming thread only,
// and no thread reads them before the move is over.
void flow_ht_move_range(const FlowHashTable* ht, void* to_slots, int64_t to_capacity, int64_t lo,
                        int64_t hi) {
  auto* to = static_cast<uint8_t*>(to_slots);
  const uint64_t mask = static_cast<uint64_t>(to_capacity - 1);
  const size_t size = static_cast<size_t>(ht->slot_size);
  for (int64_t k = lo; k < hi; ++k) {
    const uint8_t* src = slot_ptr(ht, static_cast<uint64_t>(k));
    uint64_t h = slot_hash(src);
    if (h == 0) continue;
    for (uint64_t i = h & mask;; i = (i + 1) & mask) {
      auto* word = reinterpret_cast<uint64_t*>(to + i * size);
      uint64_t expected = 0;
      if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 &&
          __atomic_compare_exchange_n(word, &expected, h, false, __ATOMIC_RELAXED,
                                      __ATOMIC_RELAXED)) {
        memcpy(to + i * size + 8, src + 8, size - 8);
        break;
      }
    }
  }
}

void* flow_ht_claim(FlowHashTable* ht, uint64_t hash) {
  const uint64_t h = stored_hash(hash);
  const size_t size = static_cast<size_t>(ht->slot_size);
  for (uint64_t i = h & ht->mask;; i = (i + 1) & ht->mask) {
    auto* word = reinterpret_cast<uint64_t*>(ht->slots + i * size);
    uint64_t expected = 0;
    if (__atomic_load_n(word, __ATOMIC_RELAXED) == 0 &&
        __atomic_compare_exchange_n(word, &expected, h, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
      return word;
    }
  }
}

void flow_ht_add_count(FlowHashTable* ht, int64_t n) { ht->count += n; }

void flow_ht_take_slots(FlowHashTable* ht, void* slots, int64_t capacity) {
  free(ht->slots);
  ht->slots = static_cast<uint8_t*>(slots);
  ht->mask = static_cast<uint64_t>(capacity - 1);
  ht->grow_at = capacity * kMaxLoadNum / kMaxLoadDen;
}

FLOW_INLINE_INTO_PIPELINE void flow_ht_prefetch(const FlowHashTable* ht, uint64_t hash) {
  if (ht != nullptr) __builtin_prefetch(slot_ptr(ht, stored_hash(hash) & ht->mask), 1);
}

FLOW_INLINE_INTO_PIPELINE void flow_ht_prefetch_entry(const FlowHashTable* ht, uint64_t hash,
                                                      int64_t at, int64_t bytes) {
  if (ht == nullptr) return;
  const uint64_t h = stored_hash(hash);
  const uint8_t* slot = slot_ptr(ht, h & ht->mask);
  // A hint: a key not at its home slot (rare below the load limit) or
  // absent is not looked for.
  if (slot_hash(slot) != h) return;
  const char* entry;
  memcpy(&entry, slot + at, sizeof entry);
  for (int64_t k = 0; k < bytes; k += 64) __builtin_prefetch(entry + k, 0);
  __builtin_prefetch(entry + bytes - 1, 0);  // entries need not start a line
}

FLOW_INLINE_INTO_PIPELINE void* flow_ht_find(const FlowHashTable* ht, uint64_t hash,
                                             const void* key, FlowHtEq eq) {
  uint64_t h = stored_hash(hash);
  uint64_t i = h & ht->mask;
  for (;;) {
    uint8_t* slot = slot_ptr(ht, i);
    uint64_t sh = slot_hash(slot);
    if (sh == h && eq(slot, key)) return slot;
    if (sh == 0) return nullptr;
    i = (i + 1) & ht->mask;
  }
}

void flow_ht_erase(FlowHashTable* ht, void* slot) {
  uint64_t i = static_cast<uint64_t>(static_cast<uint8_t*>(slot) - ht->slots) /
               static_cast<uint64_t>(ht->slot_size);
  erase_at(ht, i);
}

int64_t flow_ht_count(const FlowHashTable* ht) { return ht->count; }

void flow_key_str_head(const char* p, int64_t n, uint64_t* head) {
  auto load = [](const char* q, auto width) {
    decltype(width) v;
    memcpy(&v, q, sizeof v);
    return static_cast<uint64_t>(v);
  };
  // Loads never leave [p, p + n): the last one ends at n and the bytes it
  // shares with the one before are shifted out.
  uint64_t lo = 0;
  uint64_t hi = 0;
  if (n >= 16) {
    lo = load(p, uint64_t{});
    hi = load(p + 8, uint64_t{});
  } else if (n >= 8) {
    lo = load(p, uint64_t{});
    hi = n == 8 ? 0 : load(p + n - 8, uint64_t{}) >> (8 * (16 - n));
  } else if (n >= 4) {
    lo = load(p, uint32_t{}) | (load(p + n - 4, uint32_t{}) >> (8 * (8 - n)) << 32);
  } else {
    for (int64_t i = 0; i < n; ++i)
      lo |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  }
  head[0] = lo;
  head[1] = hi;
}

int32_t flow_key_str_eq(const void* a, const void* b) {
  const FlowKeyStr* x = static_cast<const FlowKeyStr*>(a);
  const FlowKeyStr* y = static_cast<const FlowKeyStr*>(b);
  if (x->len != y->len || x->head[0] != y->head[0] || x->head[1] != y->head[1]) return 0;
  return x->len <= 16 || flow_key_eq_str(x->ptr + 16, x->len - 16, y->ptr + 16, y->len - 16);
}

int32_t flow_key_str_cmp(const void* a, const void* b) {
  const FlowKeyStr* x = static_cast<const FlowKeyStr*>(a);
  const FlowKeyStr* y = static_cast<const FlowKeyStr*>(b);
  // The heads hold the first 16 bytes zero-padded, first byte lowest:
  // byte-swapped, they compare like memcmp over those bytes. Where they
  // differ they decide, unless the difference lies past the shorter key's
  // end: there its padding (0) meets a byte of the longer key, which
  // memcmp order also puts after the shorter key (a prefix sorts first).
  for (int k = 0; k < 2; ++k) {
    uint64_t hx = __builtin_bswap64(x->head[k]);
    uint64_t hy = __builtin_bswap64(y->head[k]);
    if (hx != hy) return hx < hy ? -1 : 1;
  }
  if (x->len > 16 && y->len > 16) {
    int64_t m = (x->len < y->len ? x->len : y->len) - 16;
    int c = memcmp(x->ptr + 16, y->ptr + 16, static_cast<size_t>(m));
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return x->len < y->len ? -1 : (x->len > y->len ? 1 : 0);
}

// Merge sort through a scratch array, N log N comparisons in plain loops
// (inlined at every emitting table with its comparison, so its size counts
// in every pipeline's compile time: one merge loop serves both phases). The
// comparisons read the slots the pointers point to, scattered over a table
// that may be far larger than the caches: so blocks of kSortBlock pointers,
// whose slots stay in L2, are sorted first, each on its own, and only the
// last passes merge across the whole array (a plain bottom-up sort would
// touch every slot in each of its log2(n) passes); and a merge prefetches
// the slots a few places ahead in both runs, so that its cache misses
// overlap instead of waiting one after another.
constexpr int64_t kSortBlock = 8192;  // pointers sorted while their slots stay cached
constexpr int64_t kSortAhead = 8;     // slots prefetched this far ahead in a merge

FLOW_INLINE_INTO_PIPELINE void flow_sort_ptrs(void** items, int64_t n,
                                              int32_t (*cmp)(const void*, const void*)) {
  if (n < 2) return;
  void** tmp = static_cast<void**>(malloc(static_cast<size_t>(n) * sizeof(void*)));
  if (tmp == nullptr) abort();  // out of memory
  // Phase 0 merges runs of 1 .. kSortBlock/2 inside each block; phase 1
  // merges runs of kSortBlock and up across the whole array.
  for (int phase = 0; phase < 2; ++phase) {
    int64_t segment = phase == 0 ? kSortBlock : n;
    for (int64_t seg_lo = 0; seg_lo < n; seg_lo += segment) {
      int64_t m = n - seg_lo < segment ? n - seg_lo : segment;
      void** from = items + seg_lo;
      void** to = tmp + seg_lo;
      for (int64_t width = phase == 0 ? 1 : kSortBlock; width < m; width *= 2) {
        for (int64_t lo = 0; lo < m; lo += 2 * width) {
          int64_t mid = lo + width < m ? lo + width : m;
          int64_t hi = lo + 2 * width < m ? lo + 2 * width : m;
          int64_t a = lo, b = mid, k = lo;
          while (a < mid && b < hi) {
            __builtin_prefetch(from[a + kSortAhead < mid ? a + kSortAhead : mid - 1]);
            __builtin_prefetch(from[b + kSortAhead < hi ? b + kSortAhead : hi - 1]);
            to[k++] = cmp(&from[b], &from[a]) < 0 ? from[b++] : from[a++];
          }
          while (a < mid) to[k++] = from[a++];
          while (b < hi) to[k++] = from[b++];
        }
        void** t = from;
        from = to;
        to = t;
      }
      if (from != items + seg_lo)
        memcpy(items + seg_lo, from, static_cast<size_t>(m) * sizeof(void*));
    }
  }
  free(tmp);
}

int32_t flow_key_eq_str(const char* a, int64_t an, const char* b, int64_t bn) {
  if (an != bn) return 0;
  const int64_t n = an;
  auto load = [](const char* p, auto width) {
    decltype(width) v;
    memcpy(&v, p, sizeof v);
    return v;
  };
  if (n >= 8) {
    // 8-byte words; the last one ends at n and may overlap the one before.
    for (int64_t i = 0; i + 8 < n; i += 8) {
      if (load(a + i, uint64_t{}) != load(b + i, uint64_t{})) return 0;
    }
    return load(a + n - 8, uint64_t{}) == load(b + n - 8, uint64_t{});
  }
  if (n >= 4) {
    return load(a, uint32_t{}) == load(b, uint32_t{}) &&
           load(a + n - 4, uint32_t{}) == load(b + n - 4, uint32_t{});
  }
  if (n >= 2) {
    return load(a, uint16_t{}) == load(b, uint16_t{}) && a[n - 1] == b[n - 1];
  }
  return n == 0 || a[0] == b[0];
}

int64_t flow_ht_capacity(const FlowHashTable* ht) {
  return static_cast<int64_t>(ht->mask + 1);
}

void* flow_ht_slot_at(const FlowHashTable* ht, int64_t i) {
  return slot_ptr(ht, static_cast<uint64_t>(i));
}

int32_t flow_ht_slot_used(const void* slot) {
  return slot_hash(static_cast<const uint8_t*>(slot)) != 0;
}

int64_t flow_ht_erase_if(FlowHashTable* ht,
                         int32_t (*pred)(void* slot, void* ctx), void* ctx) {
  if (ht->count == 0) return 0;
  // Start just after an empty slot: backward shifts then only move slots
  // not yet visited into the current position, so re-checking the current
  // position after an erase visits every live slot exactly once.
  uint64_t cap = ht->mask + 1;
  uint64_t start = 0;
  while (slot_hash(slot_ptr(ht, start)) != 0) ++start;  // load < 1: exists
  int64_t erased = 0;
  uint64_t visited = 0;
  uint64_t i = (start + 1) & ht->mask;
  while (visited < cap) {
    uint8_t* slot = slot_ptr(ht, i);
    if (slot_hash(slot) != 0 && pred(slot, ctx)) {
      erase_at(ht, i);
      ++erased;
      continue;  // a later member of the cluster may now sit here
    }
    ++visited;
    i = (i + 1) & ht->mask;
  }
  return erased;
}

}  // extern "C"
