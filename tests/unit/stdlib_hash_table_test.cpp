// Tests for stdlib/hash_table.cpp: the keyed-state table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <unordered_map>
#include <vector>

#include "flow_stdlib.h"

namespace {

// The slot layout a compiler would emit for `group by key` with one int.
struct Slot {
  uint64_t hash;
  int64_t key;
  int64_t value;
};

int32_t eq(const void* slot, const void* key) {
  return static_cast<const Slot*>(slot)->key == *static_cast<const int64_t*>(key);
}

// A deliberately bad hash: 7 distinct values whose low bits are all ones
// but the last three, so every key lands in the last 8 buckets of any
// capacity and clusters wrap around the end of the table.
uint64_t weak_hash(int64_t k) {
  return ~uint64_t{7} | static_cast<uint64_t>(k % 7);
}

Slot* upsert(FlowHashTable* ht, int64_t key, uint64_t h, bool* inserted) {
  int32_t ins = 0;
  auto* s = static_cast<Slot*>(flow_ht_find_or_insert(ht, h, &key, eq, &ins));
  if (ins) {
    EXPECT_EQ(s->key, 0);    // new slots are zeroed
    EXPECT_EQ(s->value, 0);
    s->key = key;
  }
  if (inserted) *inserted = ins;
  return s;
}

Slot* find(FlowHashTable* ht, int64_t key, uint64_t h) {
  return static_cast<Slot*>(flow_ht_find(ht, h, &key, eq));
}

int32_t erase_odd_values(void* slot, void* ctx) {
  ++*static_cast<int64_t*>(ctx);
  return static_cast<Slot*>(slot)->value % 2 != 0;
}

// Erases the slot with this key; false when there is none.
bool erase(FlowHashTable* ht, int64_t key, uint64_t h) {
  void* slot = flow_ht_find(ht, h, &key, eq);
  if (slot == nullptr) return false;
  flow_ht_erase(ht, slot);
  return true;
}

int64_t sum_values(FlowHashTable* ht) {
  int64_t sum = 0;
  for (int64_t i = 0; i < flow_ht_capacity(ht); ++i) {
    void* slot = flow_ht_slot_at(ht, i);
    if (flow_ht_slot_used(slot)) sum += static_cast<Slot*>(slot)->value;
  }
  return sum;
}

}  // namespace

TEST(StdlibHashTable, InsertFindUpdate) {
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 0);
  bool ins = false;
  upsert(ht, 5, flow_hash_i64(5), &ins)->value = 50;
  EXPECT_TRUE(ins);
  Slot* s = upsert(ht, 5, flow_hash_i64(5), &ins);
  EXPECT_FALSE(ins);
  EXPECT_EQ(s->value, 50);
  EXPECT_EQ(flow_ht_count(ht), 1);
  EXPECT_EQ(find(ht, 6, flow_hash_i64(6)), nullptr);
  EXPECT_NE(find(ht, 5, flow_hash_i64(5)), nullptr);
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, HashZeroIsStoredAsNonZero) {
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 4);
  Slot* s = upsert(ht, 1, 0, nullptr);
  EXPECT_NE(s->hash, 0u);
  EXPECT_TRUE(flow_ht_slot_used(s));
  EXPECT_EQ(find(ht, 1, 0), s);
  // hash 1 and hash 0 share the stored form; eq still tells keys apart.
  Slot* t = upsert(ht, 2, 1, nullptr);
  EXPECT_NE(s, t);
  EXPECT_EQ(flow_ht_count(ht), 2);
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, SlotSizeIsRoundedAndCapacityIsPowerOfTwo) {
  FlowHashTable* ht = flow_ht_create(20, 100);
  EXPECT_EQ(ht->slot_size, 24);
  int64_t cap = flow_ht_capacity(ht);
  EXPECT_EQ(cap & (cap - 1), 0);
  EXPECT_GE(cap * 5 / 8, 100);  // 100 entries fit without growth
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, MillionInsertsErasesAndGrowth) {
  constexpr int64_t kN = 1000000;
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 0);
  for (int64_t k = 0; k < kN; ++k) {
    upsert(ht, k * 7919, flow_hash_i64(k * 7919), nullptr)->value = k;
  }
  ASSERT_EQ(flow_ht_count(ht), kN);
  EXPECT_LE(kN, flow_ht_capacity(ht) * 5 / 8);  // grew, load bounded
  for (int64_t k = 0; k < kN; k += 2) {
    const int64_t key = k * 7919;
    ASSERT_TRUE(erase(ht, key, flow_hash_i64(key))) << k;
  }
  ASSERT_EQ(flow_ht_count(ht), kN / 2);
  for (int64_t k = 0; k < kN; ++k) {
    Slot* s = find(ht, k * 7919, flow_hash_i64(k * 7919));
    if (k % 2 == 0) {
      ASSERT_EQ(s, nullptr) << k;
    } else {
      ASSERT_NE(s, nullptr) << k;
      ASSERT_EQ(s->value, k);
    }
  }
  // Re-insert the erased half: all keys present again, none duplicated.
  for (int64_t k = 0; k < kN; k += 2) {
    bool ins = false;
    upsert(ht, k * 7919, flow_hash_i64(k * 7919), &ins)->value = k;
    ASSERT_TRUE(ins);
  }
  EXPECT_EQ(flow_ht_count(ht), kN);
  EXPECT_EQ(sum_values(ht), kN * (kN - 1) / 2);
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, EraseKeepsCollidingClustersFindable) {
  // All keys hash to 7 buckets: long clusters that wrap around the end.
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 0);
  std::unordered_map<int64_t, int64_t> model;
  for (int64_t k = 1; k <= 5000; ++k) {
    upsert(ht, k, weak_hash(k), nullptr)->value = k;
    model[k] = k;
  }
  for (int64_t k = 1; k <= 5000; k += 3) {
    ASSERT_TRUE(erase(ht, k, weak_hash(k)));
    model.erase(k);
  }
  EXPECT_EQ(flow_ht_count(ht), static_cast<int64_t>(model.size()));
  for (int64_t k = 1; k <= 5000; ++k) {
    Slot* s = find(ht, k, weak_hash(k));
    ASSERT_EQ(s != nullptr, model.count(k) == 1) << k;
  }
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, EraseIfVisitsEveryLiveSlotOnce) {
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 0);
  // Hashes concentrated on the last buckets so clusters wrap to index 0.
  const uint64_t high = flow_ht_capacity(ht) - 3;
  for (int64_t k = 1; k <= 9; ++k) {
    upsert(ht, k, high + static_cast<uint64_t>(k % 2), nullptr)->value = k;
  }
  int64_t visits = 0;
  EXPECT_EQ(flow_ht_erase_if(ht, erase_odd_values, &visits), 5);
  EXPECT_EQ(visits, 9);
  EXPECT_EQ(flow_ht_count(ht), 4);
  for (int64_t k = 1; k <= 9; ++k) {
    Slot* s = find(ht, k, high + static_cast<uint64_t>(k % 2));
    EXPECT_EQ(s != nullptr, k % 2 == 0) << k;
  }
  // Bulk: a large table with random-ish values.
  FlowHashTable* big = flow_ht_create(sizeof(Slot), 0);
  for (int64_t k = 0; k < 100000; ++k) {
    upsert(big, k, flow_hash_i64(k), nullptr)->value = k;
  }
  visits = 0;
  EXPECT_EQ(flow_ht_erase_if(big, erase_odd_values, &visits), 50000);
  EXPECT_EQ(visits, 100000);
  for (int64_t k = 0; k < 100000; ++k) {
    ASSERT_EQ(find(big, k, flow_hash_i64(k)) != nullptr, k % 2 == 0) << k;
  }
  flow_ht_destroy(big);
  flow_ht_destroy(ht);
}

TEST(StdlibHashTable, IterationAndClear) {
  FlowHashTable* ht = flow_ht_create(sizeof(Slot), 0);
  for (int64_t k = 1; k <= 100; ++k) {
    upsert(ht, k, flow_hash_i64(k), nullptr)->value = k;
  }
  int64_t used = 0;
  int64_t sum = 0;
  for (int64_t i = 0; i < flow_ht_capacity(ht); ++i) {
    auto* s = static_cast<Slot*>(flow_ht_slot_at(ht, i));
    if (flow_ht_slot_used(s)) {
      ++used;
      sum += s->value;
    }
  }
  EXPECT_EQ(used, 100);
  EXPECT_EQ(sum, 5050);
  int64_t cap = flow_ht_capacity(ht);
  flow_ht_clear(ht);
  EXPECT_EQ(flow_ht_count(ht), 0);
  EXPECT_EQ(flow_ht_capacity(ht), cap);
  EXPECT_EQ(find(ht, 1, flow_hash_i64(1)), nullptr);
  bool ins = false;
  upsert(ht, 1, flow_hash_i64(1), &ins);
  EXPECT_TRUE(ins);
  int64_t visits = 0;
  EXPECT_EQ(flow_ht_erase_if(ht, erase_odd_values, &visits), 0);  // value 0
  flow_ht_destroy(ht);
}

// flow_sort_ptrs (emission order of keyed tables): runs, cache-sized
// blocks and the merges across them, at sizes around each edge.
namespace {
int32_t cmp_pointed_ints(const void* a, const void* b) {
  int64_t x = **static_cast<int64_t* const*>(a);
  int64_t y = **static_cast<int64_t* const*>(b);
  return x < y ? -1 : x > y;
}
}  // namespace

TEST(StdlibSort, SortsPointersByWhatTheyPointTo) {
  std::mt19937_64 rng(8192);
  for (int64_t n : {0, 1, 2, 15, 16, 17, 100, 8191, 8192, 8193, 20000, 50001}) {
    std::vector<int64_t> keys(static_cast<size_t>(n));
    for (int64_t& k : keys) k = static_cast<int64_t>(rng() % 1000003);
    std::vector<void*> items;
    for (int64_t& k : keys) items.push_back(&k);
    flow_sort_ptrs(items.data(), n, cmp_pointed_ints);
    std::vector<int64_t> got;
    for (void* p : items) got.push_back(*static_cast<int64_t*>(p));
    std::vector<int64_t> want = keys;
    std::sort(want.begin(), want.end());
    ASSERT_EQ(got, want) << n;
  }
}
