// runtime/batch_end_parallel.cpp — an aggregate's batch end on every worker
// thread (abi.h flow_sort_parallel, flow_emit_parallel; worker.h): with
// many changed groups, sorting them and formatting their rows would
// otherwise leave every thread but one idle at each batch's end.
//
// Neither depends on the thread count: the sort's result is the stable
// sort of the input (the one order flow_sort_ptrs gives), and the emitted
// ranges are committed in range order.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "context.h"
#include "flow_stdlib.h"
#include "worker.h"

namespace flowrt {
namespace {

using Cmp = int32_t (*)(const void*, const void*);

// Fewer items than this are sorted or emitted on the calling thread: the
// hand-over would cost more than it saves.
constexpr int64_t kParallelMinItems = 32768;
// Items per emitted range: rows of one range are held (formatted) until it
// commits, so a range stays small; enough ranges keep every thread busy.
constexpr int64_t kEmitRangeItems = 8192;
// Fewer keys new to the pipeline's table than this go in on one thread.
constexpr int64_t kParallelMergeMinKeys = 4096;
// A table grown by fewer bytes than this grows on the calling thread.
constexpr int64_t kParallelGrowBytes = int64_t{4} << 20;
// Slots fetched this far ahead in each run of a merge (merge_into).
constexpr int64_t kMergeAhead = 8;
// Zeroed memory is handed to the threads in pieces of whole pages.
constexpr int64_t kPageBytes = 4096;

// Merge path: how many of the first `d` items of the stable merge of a
// (na items) and b (nb items) come from a — ties go to a.
int64_t split_point(void** a, int64_t na, void** b, int64_t nb, int64_t d, Cmp cmp) {
  int64_t lo = std::max<int64_t>(0, d - nb);
  int64_t hi = std::min(d, na);
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (cmp(&b[d - 1 - mid], &a[mid]) < 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// Merges a[ai, ae) and b[bi, be) into out (stable: b's item first only
// when it sorts strictly before a's). The items point at slots scattered
// over a table larger than the caches: the slots kMergeAhead places on
// in both runs are fetched early, so the comparisons' cache misses overlap
// (as in flow_sort_ptrs's merges).
void merge_into(void** a, int64_t ai, int64_t ae, void** b, int64_t bi, int64_t be, void** out,
                Cmp cmp) {
  while (ai < ae && bi < be) {
    __builtin_prefetch(a[std::min(ai + kMergeAhead, ae - 1)]);
    __builtin_prefetch(b[std::min(bi + kMergeAhead, be - 1)]);
    *out++ = cmp(&b[bi], &a[ai]) < 0 ? b[bi++] : a[ai++];
  }
  while (ai < ae) *out++ = a[ai++];
  while (bi < be) *out++ = b[bi++];
}

// Zeroes bytes [0, n) of `p` on every worker thread, in whole pages:
// zeroing faults fresh pages in, a page fault each 4 KiB, most of the time
// of growing or clearing a large table.
void zero_on_workers(Workers& workers, uint8_t* p, int64_t n) {
  const int64_t threads = workers.threads();
  const int64_t pages = (n + kPageBytes - 1) / kPageBytes;
  std::vector<std::function<void()>> jobs;
  for (int64_t t = 0; t < threads; ++t) {
    const int64_t lo = std::min(n, pages * t / threads * kPageBytes);
    const int64_t hi = std::min(n, pages * (t + 1) / threads * kPageBytes);
    jobs.emplace_back([=] { memset(p + lo, 0, static_cast<size_t>(hi - lo)); });
  }
  workers.run_jobs(jobs);
}

}  // namespace
}  // namespace flowrt

extern "C" {

void flow_sort_parallel(FlowContext* ctx, void** items, int64_t n, void (*sort)(void**, int64_t),
                        int32_t (*cmp)(const void*, const void*)) {
  flowrt::Workers* workers = ctx->workers.get();
  if (workers == nullptr || !workers->parallel() || n < flowrt::kParallelMinItems) {
    sort(items, n);
    return;
  }
  const int64_t threads = workers->threads();
  // Runs: one per thread, sorted by `sort`.
  std::vector<int64_t> bounds;  // run r is [bounds[r], bounds[r + 1])
  for (int64_t r = 0; r <= threads; ++r) bounds.push_back(n * r / threads);
  std::vector<std::function<void()>> jobs;
  for (int64_t r = 0; r < threads; ++r) {
    void** at = items + bounds[static_cast<size_t>(r)];
    const int64_t len = bounds[static_cast<size_t>(r) + 1] - bounds[static_cast<size_t>(r)];
    jobs.emplace_back([sort, at, len] { sort(at, len); });
  }
  workers->run_jobs(jobs);
  // Then rounds of merges of neighbouring runs, each cut into pieces of
  // its output (merge path) so that every thread takes part.
  std::unique_ptr<void*[]> spare(new void*[static_cast<size_t>(n)]);
  void** from = items;
  void** to = spare.get();
  while (bounds.size() > 2) {
    jobs.clear();
    std::vector<int64_t> merged{0};
    const int64_t pairs = static_cast<int64_t>(bounds.size() - 1) / 2;
    const int64_t pieces = std::max<int64_t>(1, threads / std::max<int64_t>(pairs, 1));
    for (size_t r = 0; r + 1 < bounds.size(); r += 2) {
      const int64_t lo = bounds[r];
      if (r + 2 >= bounds.size()) {  // an odd run out: copied as it is
        const int64_t hi = bounds[r + 1];
        jobs.emplace_back([from, to, lo, hi] {
          std::memcpy(to + lo, from + lo, static_cast<size_t>(hi - lo) * sizeof(void*));
        });
        merged.push_back(hi);
        continue;
      }
      const int64_t mid = bounds[r + 1], hi = bounds[r + 2];
      void** a = from + lo;
      void** b = from + mid;
      const int64_t na = mid - lo, nb = hi - mid;
      for (int64_t k = 0; k < pieces; ++k) {
        const int64_t d0 = (na + nb) * k / pieces, d1 = (na + nb) * (k + 1) / pieces;
        jobs.emplace_back([=] {
          const int64_t i0 = flowrt::split_point(a, na, b, nb, d0, cmp);
          const int64_t i1 = flowrt::split_point(a, na, b, nb, d1, cmp);
          flowrt::merge_into(a, i0, i1, b, d0 - i0, d1 - i1, to + lo + d0, cmp);
        });
      }
      merged.push_back(hi);
    }
    workers->run_jobs(jobs);
    bounds = std::move(merged);
    std::swap(from, to);
  }
  if (from != items) std::memcpy(items, from, static_cast<size_t>(n) * sizeof(void*));
}

void flow_emit_parallel(FlowContext* ctx, const FlowBatch* batch, void** items, int64_t n,
                        void (*emit)(FlowContext*, const FlowBatch*, void**, int64_t, int64_t)) {
  flowrt::Workers* workers = ctx->workers.get();
  if (workers == nullptr || !workers->parallel() || n < flowrt::kParallelMinItems) {
    emit(ctx, batch, items, 0, n);
    return;
  }
  std::vector<std::function<void()>> jobs;
  for (int64_t lo = 0; lo < n; lo += flowrt::kEmitRangeItems) {
    const int64_t hi = std::min(n, lo + flowrt::kEmitRangeItems);
    jobs.emplace_back([=] { emit(ctx, batch, items, lo, hi); });
  }
  workers->run_jobs(jobs);
}

void flow_ht_reserve_parallel(FlowContext* ctx, FlowHashTable* ht, int64_t keys) {
  const int64_t capacity = flow_ht_capacity_for(ht, keys);
  const int64_t old_capacity = flow_ht_capacity(ht);
  if (capacity == old_capacity) return;
  const int64_t bytes = capacity * ht->slot_size;
  auto* slots = static_cast<uint8_t*>(malloc(static_cast<size_t>(bytes)));
  if (slots == nullptr) abort();  // out of memory, as flow_ht_grow
  flowrt::Workers* workers = ctx->workers.get();
  if (workers == nullptr || !workers->parallel() || bytes < flowrt::kParallelGrowBytes) {
    memset(slots, 0, static_cast<size_t>(bytes));
    flow_ht_move_range(ht, slots, capacity, 0, old_capacity);
    flow_ht_take_slots(ht, slots, capacity);
    return;
  }
  flowrt::zero_on_workers(*workers, slots, bytes);
  const int64_t threads = workers->threads();
  std::vector<std::function<void()>> jobs;
  for (int64_t t = 0; t < threads; ++t) {
    const int64_t lo = old_capacity * t / threads, hi = old_capacity * (t + 1) / threads;
    jobs.emplace_back([=] { flow_ht_move_range(ht, slots, capacity, lo, hi); });
  }
  workers->run_jobs(jobs);
  flow_ht_take_slots(ht, slots, capacity);
}

int32_t flow_merge_parts(FlowContext* ctx,
                         void (*fn)(FlowContext* ctx, int32_t worker, int32_t part, int32_t parts),
                         int32_t worker, int64_t keys) {
  flowrt::Workers* workers = ctx->workers.get();
  if (workers == nullptr || !workers->parallel() || keys < flowrt::kParallelMergeMinKeys) return 0;
  const int32_t parts = workers->threads();
  std::vector<std::function<void()>> jobs;
  for (int32_t part = 0; part < parts; ++part) {
    jobs.emplace_back([=] { fn(ctx, worker, part, parts); });
  }
  workers->run_jobs(jobs);
  return 1;
}

int64_t flow_collect_parallel(FlowContext* ctx, FlowHashTable* ht, void** list,
                              int64_t (*collect)(FlowHashTable* ht, int64_t lo, int64_t hi,
                                                 void** out)) {
  flowrt::Workers* workers = ctx->workers.get();
  const int64_t capacity = flow_ht_capacity(ht);
  if (workers == nullptr || !workers->parallel() ||
      capacity * ht->slot_size < flowrt::kParallelGrowBytes) {
    return collect(ht, 0, capacity, list);
  }
  // Each part into a list of its own (the first straight into `list`,
  // which has room for every used slot), then the lists one after
  // another: the order of one scan over the whole table.
  const int64_t parts = workers->threads();
  std::vector<std::unique_ptr<void*[]>> taken(static_cast<size_t>(parts));
  std::vector<int64_t> counts(static_cast<size_t>(parts), 0);
  std::vector<std::function<void()>> jobs;
  for (int64_t p = 0; p < parts; ++p) {
    const int64_t lo = capacity * p / parts, hi = capacity * (p + 1) / parts;
    std::unique_ptr<void*[]>& out = taken[static_cast<size_t>(p)];
    int64_t& count = counts[static_cast<size_t>(p)];
    jobs.emplace_back([=, &out, &count] {
      if (p == 0) {
        count = collect(ht, lo, hi, list);
        return;
      }
      // Room for every used slot of the range: the table's load bounds it.
      out.reset(new void*[static_cast<size_t>(std::min(hi - lo, flow_ht_count(ht)))]);
      count = collect(ht, lo, hi, out.get());
    });
  }
  workers->run_jobs(jobs);
  int64_t n = counts[0];
  for (int64_t p = 1; p < parts; ++p) {
    const int64_t c = counts[static_cast<size_t>(p)];
    if (c > 0)
      memcpy(list + n, taken[static_cast<size_t>(p)].get(), static_cast<size_t>(c) * sizeof(void*));
    n += c;
  }
  return n;
}

void flow_ht_clear_parallel(FlowContext* ctx, FlowHashTable* ht) {
  flowrt::Workers* workers = ctx->workers.get();
  const int64_t bytes = flow_ht_capacity(ht) * ht->slot_size;
  if (workers == nullptr || !workers->parallel() || bytes < flowrt::kParallelGrowBytes) {
    flow_ht_clear(ht);
    return;
  }
  flowrt::zero_on_workers(*workers, ht->slots, bytes);
  ht->count = 0;
}

}  // extern "C"
