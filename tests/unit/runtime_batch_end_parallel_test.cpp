// An aggregate's batch end on every worker thread (runtime/
// batch_end_parallel.cpp): flow_sort_parallel gives the order one sort
// gives, for every thread count (runs merged in rounds, an odd run carried
// over, each merge cut into pieces by merge path), and flow_emit_parallel
// covers [0, n) once, in ranges. Merging partial states: a table grown at
// once on the workers holds what it held, at the capacity inserts one by
// one reach; new keys claimed on every thread each take one slot; and
// --max-state-keys sees them as if inserted one by one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

#include "context.h"
#include "flow_stdlib.h"
#include "sink.h"
#include "sources.h"
#include "worker.h"

namespace {

// What generated code passes: cmp gets pointers to two elements (slot
// pointers), here pointers to ints.
int32_t cmp_pointed(const void* a, const void* b) {
  const int x = **static_cast<const int* const*>(a);
  const int y = **static_cast<const int* const*>(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

void sort_pointed(void** items, int64_t n) {
  std::sort(items, items + n, [](void* a, void* b) { return cmp_pointed(&a, &b) < 0; });
}

struct WorkerRun {
  FlowPipeline pipeline{};
  FlowContext ctx;
  explicit WorkerRun(int threads) {
    ctx.pipeline = &pipeline;
    ctx.workers = std::make_unique<flowrt::Workers>(&ctx, threads);
  }
};

TEST(RuntimeBatchEndParallel, SortGivesOneSortsOrderForEveryThreadCount) {
  std::mt19937 rng(16);
  for (int64_t n : {int64_t{5}, int64_t{40000}, int64_t{100003}}) {
    std::vector<int> values(static_cast<size_t>(n));
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int>(i);
    std::shuffle(values.begin(), values.end(), rng);
    std::vector<void*> want;
    for (int& v : values) want.push_back(&v);
    sort_pointed(want.data(), n);
    for (int threads = 1; threads <= 5; ++threads) {
      WorkerRun run(threads);
      std::vector<void*> got;
      for (int& v : values) got.push_back(&v);
      flow_sort_parallel(&run.ctx, got.data(), n, sort_pointed, cmp_pointed);
      EXPECT_EQ(got, want) << n << " items, " << threads << " threads";
    }
  }
}

std::mutex g_ranges_mu;
std::vector<std::pair<int64_t, int64_t>> g_ranges;

void record_range(FlowContext*, const FlowBatch*, void**, int64_t lo, int64_t hi) {
  std::lock_guard<std::mutex> lock(g_ranges_mu);
  g_ranges.emplace_back(lo, hi);
}

TEST(RuntimeBatchEndParallel, EmitCoversEveryItemOnceInRanges) {
  for (int threads : {1, 2, 3}) {
    for (int64_t n : {int64_t{0}, int64_t{1000}, int64_t{100001}}) {
      WorkerRun run(threads);
      g_ranges.clear();
      flow_emit_parallel(&run.ctx, &run.ctx.batch, nullptr, n, record_range);
      std::sort(g_ranges.begin(), g_ranges.end());
      int64_t next = 0;
      for (const auto& [lo, hi] : g_ranges) {
        EXPECT_EQ(lo, next);
        if (n > 0) {
          EXPECT_LT(lo, hi);
        }
        next = hi;
      }
      EXPECT_EQ(next, n) << n << " items, " << threads << " threads";
    }
  }
}

}  // namespace

// Merging partial states (runtime flow_ht_reserve_parallel,
// flow_merge_parts; stdlib flow_ht_claim): a table laid out as generated
// code lays one out — stored hash, then an int key, then a value.
constexpr int64_t kSlot = 24;

struct IntSlot {
  uint64_t hash;
  int64_t key;
  int64_t value;
};

uint64_t hash_of(int64_t key) { return static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull; }

int32_t eq_int(const void* slot, const void* probe) {
  return static_cast<const IntSlot*>(slot)->key == static_cast<const IntSlot*>(probe)->key;
}

void insert(FlowHashTable* ht, int64_t key) {
  IntSlot probe{0, key, 0};
  int32_t inserted = 0;
  auto* s =
      static_cast<IntSlot*>(flow_ht_find_or_insert(ht, hash_of(key), &probe, eq_int, &inserted));
  ASSERT_EQ(inserted, 1);
  s->key = key;
  s->value = key * 3;
}

int64_t value_of(const FlowHashTable* ht, int64_t key) {
  IntSlot probe{0, key, 0};
  auto* s = static_cast<const IntSlot*>(flow_ht_find(ht, hash_of(key), &probe, eq_int));
  return s == nullptr ? -1 : s->value;
}

TEST(RuntimeBatchEndParallel, ReserveGrowsOnceToTheCapacityOfOneInsertAtATime) {
  for (int threads : {1, 2, 3}) {
    WorkerRun run(threads);
    FlowHashTable* ht = flow_ht_create(kSlot, 64);
    FlowHashTable* one = flow_ht_create(kSlot, 64);  // grown one insert at a time
    constexpr int64_t kHeld = 20000, kWanted = 150000;
    for (int64_t k = 0; k < kHeld; ++k) insert(ht, k);
    // 150,000 keys need 2^18 slots of 24 bytes: 6 MiB, grown on the workers.
    flow_ht_reserve_parallel(&run.ctx, ht, kWanted);
    for (int64_t k = 0; k < kWanted; ++k) insert(one, k);
    EXPECT_EQ(flow_ht_capacity(ht), flow_ht_capacity(one)) << threads << " threads";
    EXPECT_EQ(flow_ht_count(ht), kHeld);
    for (int64_t k = 0; k < kHeld; ++k) ASSERT_EQ(value_of(ht, k), k * 3) << k;
    const int64_t capacity = flow_ht_capacity(ht);
    for (int64_t k = kHeld; k < kWanted; ++k) insert(ht, k);
    EXPECT_EQ(flow_ht_capacity(ht), capacity) << "no growth after the reserve";
    for (int64_t k = 0; k < kWanted; ++k) ASSERT_EQ(value_of(ht, k), k * 3) << k;
    flow_ht_reserve_parallel(&run.ctx, ht, kWanted);  // room already
    EXPECT_EQ(flow_ht_capacity(ht), capacity);
    flow_ht_destroy(ht);
    flow_ht_destroy(one);
  }
}

FlowHashTable* g_merge_into = nullptr;
std::vector<int64_t> g_new_keys;
std::mutex g_parts_mu;
std::vector<int32_t> g_parts_run;

void insert_part(FlowContext*, int32_t worker, int32_t part, int32_t parts) {
  EXPECT_EQ(worker, 1);
  const auto n = static_cast<int64_t>(g_new_keys.size());
  for (int64_t i = n * part / parts; i < n * (part + 1) / parts; ++i) {
    const int64_t key = g_new_keys[static_cast<size_t>(i)];
    auto* s = static_cast<IntSlot*>(flow_ht_claim(g_merge_into, hash_of(key)));
    s->key = key;
    s->value = key * 3;
  }
  std::lock_guard<std::mutex> lock(g_parts_mu);
  g_parts_run.push_back(part);
}

TEST(RuntimeBatchEndParallel, NewKeysGoInOnEveryThreadOnceEach) {
  for (int threads : {1, 2, 4}) {
    for (int64_t fresh : {int64_t{100}, int64_t{60000}}) {
      WorkerRun run(threads);
      g_merge_into = flow_ht_create(kSlot, 64);
      for (int64_t k = 0; k < 5000; ++k) insert(g_merge_into, k);
      g_new_keys.clear();
      for (int64_t k = 0; k < fresh; ++k) g_new_keys.push_back(5000 + k * 7);
      g_parts_run.clear();
      flow_ht_reserve_parallel(&run.ctx, g_merge_into, 5000 + fresh);
      const int32_t shared = flow_merge_parts(&run.ctx, insert_part, 1, fresh);
      // Few keys, or one thread: the caller inserts them itself.
      const bool want_shared = threads > 1 && fresh >= 4096;
      ASSERT_EQ(shared, want_shared ? 1 : 0) << threads << " threads, " << fresh << " keys";
      if (!shared) insert_part(&run.ctx, 1, 0, 1);
      flow_ht_add_count(g_merge_into, fresh);
      std::sort(g_parts_run.begin(), g_parts_run.end());
      std::vector<int32_t> want_parts;
      for (int32_t p = 0; p < (shared ? threads : 1); ++p) want_parts.push_back(p);
      EXPECT_EQ(g_parts_run, want_parts);
      EXPECT_EQ(flow_ht_count(g_merge_into), 5000 + fresh);
      int64_t used = 0;
      for (int64_t i = 0; i < flow_ht_capacity(g_merge_into); ++i) {
        used += flow_ht_slot_used(flow_ht_slot_at(g_merge_into, i));
      }
      EXPECT_EQ(used, 5000 + fresh) << "one slot per key";
      for (int64_t k = 0; k < 5000; ++k) ASSERT_EQ(value_of(g_merge_into, k), k * 3);
      for (int64_t k : g_new_keys) ASSERT_EQ(value_of(g_merge_into, k), k * 3) << k;
      flow_ht_destroy(g_merge_into);
    }
  }
}

// --max-state-keys sees keys merged at once as it sees them one by one:
// the same calls, so the same answer and the same error.
TEST(RuntimeBatchEndParallel, StateGrewToCallsAsOneInsertAtATime) {
  for (int64_t limit : {int64_t{0}, int64_t{1000}, int64_t{70000}}) {
    for (int64_t from : {int64_t{0}, int64_t{300}, int64_t{5000}}) {
      for (int64_t check : {int64_t{0}, int64_t{4000}}) {
        FlowPipeline pipeline{};
        FlowContext one, all;
        one.pipeline = all.pipeline = &pipeline;
        one.opts.max_state_keys = all.opts.max_state_keys = limit;
        const int64_t to = from + 60000;
        int64_t want = check;
        for (int64_t keys = from + 1; keys <= to; ++keys) {
          if (keys > want) want = flow_state_grew(&one, keys);
        }
        EXPECT_EQ(flow_state_grew_to(&all, from, to, check), want)
            << "limit " << limit << ", from " << from << ", check " << check;
        EXPECT_EQ(all.error, one.error);
      }
    }
  }
}

// What generated collect functions do: the used slots of [lo, hi) whose
// key is a multiple of 3.
int64_t collect_thirds(FlowHashTable* ht, int64_t lo, int64_t hi, void** out) {
  int64_t n = 0;
  for (int64_t i = lo; i < hi; ++i) {
    auto* s = static_cast<IntSlot*>(flow_ht_slot_at(ht, i));
    if (flow_ht_slot_used(s) && s->key % 3 == 0) out[n++] = s;
  }
  return n;
}

TEST(RuntimeBatchEndParallel, CollectGivesOneScansOrderAndClearZeroesAll) {
  for (int threads : {1, 2, 3}) {
    WorkerRun run(threads);
    FlowHashTable* ht = flow_ht_create(kSlot, 64);
    for (int64_t k = 0; k < 150000; ++k) insert(ht, k);  // 2^18 slots: 6 MiB
    std::vector<void*> want(150001), got(150001);
    want.resize(static_cast<size_t>(collect_thirds(ht, 0, flow_ht_capacity(ht), want.data())));
    got.resize(
        static_cast<size_t>(flow_collect_parallel(&run.ctx, ht, got.data(), collect_thirds)));
    EXPECT_EQ(want.size(), 50000u);
    EXPECT_EQ(got, want) << threads << " threads";
    flow_ht_clear_parallel(&run.ctx, ht);
    EXPECT_EQ(flow_ht_count(ht), 0);
    std::vector<char> zero(kSlot, 0);
    for (int64_t i = 0; i < flow_ht_capacity(ht); ++i) {
      ASSERT_EQ(memcmp(flow_ht_slot_at(ht, i), zero.data(), kSlot), 0) << i;
    }
    flow_ht_destroy(ht);
  }
}
