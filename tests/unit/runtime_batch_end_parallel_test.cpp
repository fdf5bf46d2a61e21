// An aggregate's batch end on every worker thread (runtime/
// batch_end_parallel.cpp): flow_sort_parallel gives the order one sort
// gives, for every thread count (runs merged in rounds, an odd run carried
// over, each merge cut into pieces by merge path), and flow_emit_parallel
// covers [0, n) once, in ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <random>
#include <utility>
#include <vector>

#include "context.h"
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
