// The exchange (runtime/exchange.cpp): rows appended by several workers,
// morsel by morsel, come back per part in arrival order with their place
// in the batch, across the chunks a worker's rows fill; after a batch's
// replay the buffers are empty, and the next batch sees only its own rows.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "context.h"
#include "flow_stdlib.h"
#include "sink.h"
#include "sources.h"
#include "worker.h"

namespace {

constexpr int32_t kParts = 2;
// A row: its place in the batch (written by the test), then padding.
constexpr int64_t kRowBytes = 24;

struct Seen {
  int64_t value;
  int64_t arrival;
  bool padding_zero;  // the bytes after the value
};
// One vector per part: each part's replay runs as one job.
std::vector<Seen> g_seen[kParts];

void collect(FlowContext*, const FlowBatch*, int32_t part, void* cursor) {
  while (const void* row = flow_xchg_next(cursor)) {
    int64_t value;
    std::memcpy(&value, row, sizeof value);
    int64_t padding[2];
    std::memcpy(padding, static_cast<const char*>(row) + 8, sizeof padding);
    g_seen[part].push_back({value, flow_xchg_arrival(cursor), padding[0] == 0 && padding[1] == 0});
  }
}

// Worker w's buffer pointer at byte w * FLOW_WORKER_SLOT_BYTES. A global,
// as generated code's are: the buffers live as long as the process.
alignas(64) void* g_slots[2 * FLOW_WORKER_SLOT_BYTES / sizeof(void*)];

struct ExchangeRun {
  FlowPipeline pipeline{};
  FlowContext ctx;
  void** slots = g_slots;
  ExchangeRun() {
    ctx.pipeline = &pipeline;
    ctx.workers = std::make_unique<flowrt::Workers>(&ctx, 2);
    ctx.state_parts = kParts;
  }
  void** slot(int32_t worker) { return &slots[worker * FLOW_WORKER_SLOT_BYTES / sizeof(void*)]; }

  // `morsels` morsels, morsel s of rows(s) rows run by worker s % 2 (each
  // worker's in order, as workers take them); row i of the batch goes to
  // part i % 3 % 2 (parts of unequal sizes). Its first 8 bytes hold i;
  // with `scribble` the rest is 0xAB bytes, else left unwritten. Returns
  // the rows.
  template <typename Rows>
  int64_t append(int64_t morsels, Rows rows, bool scribble) {
    int64_t i = 0;
    for (int64_t s = 0; s < morsels; ++s) {
      for (int64_t r = 0; r < rows(s); ++r, ++i) {
        void* row = flow_xchg_append(slot(static_cast<int32_t>(s % 2)), kParts,
                                     static_cast<int32_t>(i % 3 % 2), s, kRowBytes);
        std::memcpy(row, &i, sizeof i);
        if (scribble) std::memset(static_cast<char*>(row) + 8, 0xAB, kRowBytes - 8);
      }
    }
    return i;
  }

  // Replays; expects each part's rows in batch order, each with its place
  // (and, with `zeroed`, with its unwritten bytes zero).
  void expect_replay(int64_t rows, bool zeroed) {
    for (auto& seen : g_seen) seen.clear();
    EXPECT_EQ(flow_xchg_replay(&ctx, &ctx.batch, slots, kRowBytes, collect), rows);
    for (int32_t part = 0; part < kParts; ++part) {
      std::vector<int64_t> want;
      for (int64_t i = 0; i < rows; ++i) {
        if (i % 3 % 2 == part) want.push_back(i);
      }
      ASSERT_EQ(g_seen[part].size(), want.size()) << "part " << part;
      for (size_t k = 0; k < want.size(); ++k) {
        ASSERT_EQ(g_seen[part][k].value, want[k]) << "part " << part << ", row " << k;
        ASSERT_EQ(g_seen[part][k].arrival, want[k]) << "part " << part << ", row " << k;
        if (zeroed) {
          ASSERT_TRUE(g_seen[part][k].padding_zero) << "part " << part << ", row " << k;
        }
      }
    }
  }
};

TEST(RuntimeExchange, RowsComeBackInArrivalOrderAcrossChunks) {
  ExchangeRun run;
  // 300,000 rows of 40 bytes with their heads: each worker fills chunks
  // of 64 KiB, 128 KiB, ... 1 MiB, then more of 1 MiB.
  const int64_t rows =
      run.append(120, [](int64_t s) { return 2000 + (s * 37) % 1000; }, /*scribble=*/true);
  ASSERT_GT(rows, 250000);
  run.expect_replay(rows, /*zeroed=*/false);
  // The next batch reuses the chunks: fewer rows, none of the last batch's,
  // each over an old one, its unwritten bytes zero (as a new row's are)
  // rather than the 0xAB the last batch left.
  const int64_t fewer = run.append(7, [](int64_t s) { return 1 + s * 300; }, /*scribble=*/false);
  run.expect_replay(fewer, /*zeroed=*/true);
  // And a batch that sends nothing replays nothing.
  EXPECT_EQ(flow_xchg_replay(&run.ctx, &run.ctx.batch, run.slots, kRowBytes, collect), 0);
}

}  // namespace
