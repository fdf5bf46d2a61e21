// Tests for stdlib/top_n.cpp: offering rows keeps the best `limit` of them
// (checked against sorting every row), evictions are reported so owned
// bytes can be freed, and the kept rows sort best first.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "flow_stdlib.h"

namespace {

// A row: {value, id}; rank by value descending, then id ascending.
struct Row {
  int64_t value;
  int64_t id;
};

int32_t rank(const void* a, const void* b) {
  const Row* x = static_cast<const Row*>(a);
  const Row* y = static_cast<const Row*>(b);
  if (x->value != y->value) return x->value > y->value ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

std::vector<Row> keep(const std::vector<Row>& rows, int64_t limit, int64_t* evictions) {
  FlowTopN t{};
  *evictions = 0;
  for (const Row& r : rows) {
    int32_t replaced = 0;
    void* at = flow_topn_offer(&t, &r, sizeof(Row), limit, rank, &replaced);
    if (at == nullptr) continue;
    *evictions += replaced;
    *static_cast<Row*>(at) = r;
    flow_topn_settle(&t, at, sizeof(Row), rank);
  }
  flow_topn_sort(&t, sizeof(Row), rank);
  std::vector<Row> out;
  for (int64_t i = 0; i < flow_topn_count(&t); ++i) {
    out.push_back(*static_cast<Row*>(flow_topn_row(&t, i, sizeof(Row))));
  }
  flow_topn_free(&t);
  return out;
}

TEST(TopN, KeepsTheBestRowsOfRandomInput) {
  std::mt19937_64 rng(7);
  for (int64_t limit : {1, 3, 10, 100, 1000}) {
    std::vector<Row> rows;
    for (int64_t i = 0; i < 500; ++i) rows.push_back({static_cast<int64_t>(rng() % 50), i});
    std::shuffle(rows.begin(), rows.end(), rng);
    int64_t evictions = 0;
    std::vector<Row> got = keep(rows, limit, &evictions);
    std::vector<Row> want = rows;
    std::sort(want.begin(), want.end(),
              [](const Row& a, const Row& b) { return rank(&a, &b) < 0; });
    want.resize(std::min<size_t>(want.size(), static_cast<size_t>(limit)));
    ASSERT_EQ(got.size(), want.size()) << limit;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].value, want[i].value) << limit << " row " << i;
      EXPECT_EQ(got[i].id, want[i].id) << limit << " row " << i;
    }
    if (limit >= 500) {
      EXPECT_EQ(evictions, 0);
    }
  }
}

TEST(TopN, ReportsEvictionsAndRejects) {
  // Ascending values: every row beats the kept ones, so each one past the
  // limit evicts; descending values: none past the limit gets in.
  std::vector<Row> up, down;
  for (int64_t i = 0; i < 20; ++i) {
    up.push_back({i, i});
    down.push_back({100 - i, i});
  }
  int64_t evictions = 0;
  std::vector<Row> got = keep(up, 5, &evictions);
  EXPECT_EQ(evictions, 15);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].value, 19);
  EXPECT_EQ(got[4].value, 15);
  got = keep(down, 5, &evictions);
  EXPECT_EQ(evictions, 0);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].value, 100);
}

TEST(TopN, ClearKeepsMemoryForTheNextWindow) {
  FlowTopN t{};
  Row r{1, 1};
  int32_t replaced = 0;
  void* at = flow_topn_offer(&t, &r, sizeof(Row), 2, rank, &replaced);
  *static_cast<Row*>(at) = r;
  flow_topn_settle(&t, at, sizeof(Row), rank);
  flow_topn_clear(&t);
  EXPECT_EQ(flow_topn_count(&t), 0);
  EXPECT_GT(t.capacity, 0);
  EXPECT_EQ(flow_topn_offer(&t, &r, sizeof(Row), 0, rank, &replaced), nullptr);
  flow_topn_free(&t);
}

}  // namespace
