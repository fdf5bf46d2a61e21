// Tests for stdlib/distinct.cpp: exact sets for count_distinct.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "flow_stdlib.h"

namespace {
void collect_u64(uint64_t v, void* ctx) {
  static_cast<std::set<uint64_t>*>(ctx)->insert(v);
}
void collect_str(const char* p, int64_t n, void* ctx) {
  static_cast<std::set<std::string>*>(ctx)->emplace(p, static_cast<size_t>(n));
}
}  // namespace

TEST(StdlibDistinct, IntsIncludingZero) {
  FlowDistinctSet* s = flow_distinct_create(FLOW_DISTINCT_U64);
  EXPECT_TRUE(flow_distinct_insert_u64(s, 0));
  EXPECT_FALSE(flow_distinct_insert_u64(s, 0));
  EXPECT_TRUE(flow_distinct_insert_u64(s, 5));
  EXPECT_FALSE(flow_distinct_insert_u64(s, 5));
  EXPECT_TRUE(flow_distinct_insert_u64(s, static_cast<uint64_t>(-1)));
  EXPECT_EQ(flow_distinct_size(s), 3);
  for (uint64_t v = 0; v < 100000; ++v) flow_distinct_insert_u64(s, v * 3);
  // 0..299997 step 3 (100000 values) plus 5 and 2^64-1.
  EXPECT_EQ(flow_distinct_size(s), 100002);
  std::set<uint64_t> seen;
  flow_distinct_for_each_u64(s, collect_u64, &seen);
  EXPECT_EQ(seen.size(), 100002u);
  EXPECT_EQ(seen.count(0), 1u);
  flow_distinct_free(s);
}

TEST(StdlibDistinct, FloatsTreatEqualValuesAsOne) {
  FlowDistinctSet* s = flow_distinct_create(FLOW_DISTINCT_U64);
  EXPECT_TRUE(flow_distinct_insert_f64(s, 0.0));
  EXPECT_FALSE(flow_distinct_insert_f64(s, -0.0));
  EXPECT_TRUE(flow_distinct_insert_f64(s, std::nan("")));
  EXPECT_FALSE(flow_distinct_insert_f64(s, -std::nan("2")));
  EXPECT_TRUE(flow_distinct_insert_f64(s, 1.5));
  EXPECT_EQ(flow_distinct_size(s), 3);
  flow_distinct_free(s);
}

TEST(StdlibDistinct, StringsAreCopied) {
  FlowDistinctSet* s = flow_distinct_create(FLOW_DISTINCT_STR);
  std::string buf = "alpha";
  EXPECT_TRUE(flow_distinct_insert_str(s, buf.data(), buf.size()));
  buf = "omega";  // the set must not point into the caller's buffer
  EXPECT_TRUE(flow_distinct_insert_str(s, buf.data(), buf.size()));
  EXPECT_FALSE(flow_distinct_insert_str(s, "alpha", 5));
  EXPECT_TRUE(flow_distinct_insert_str(s, "", 0));
  EXPECT_FALSE(flow_distinct_insert_str(s, "", 0));
  EXPECT_TRUE(flow_distinct_insert_str(s, "alph", 4));
  EXPECT_TRUE(flow_distinct_insert_str(s, "a\0b", 3));
  EXPECT_TRUE(flow_distinct_insert_str(s, "a\0c", 3));
  EXPECT_EQ(flow_distinct_size(s), 6);
  for (int i = 0; i < 50000; ++i) {
    std::string k = "key" + std::to_string(i % 20000);
    flow_distinct_insert_str(s, k.data(), k.size());
  }
  EXPECT_EQ(flow_distinct_size(s), 20006);
  std::set<std::string> seen;
  flow_distinct_for_each_str(s, collect_str, &seen);
  EXPECT_EQ(seen.size(), 20006u);
  EXPECT_EQ(seen.count("omega"), 1u);
  EXPECT_EQ(seen.count(std::string("a\0b", 3)), 1u);
  flow_distinct_free(s);
}

TEST(StdlibDistinct, MergeIsUnion) {
  FlowDistinctSet* a = flow_distinct_create(FLOW_DISTINCT_U64);
  FlowDistinctSet* b = flow_distinct_create(FLOW_DISTINCT_U64);
  for (uint64_t v = 0; v < 100; ++v) flow_distinct_insert_u64(a, v);       // 0..99
  for (uint64_t v = 50; v < 300; ++v) flow_distinct_insert_u64(b, v);      // 50..299
  flow_distinct_merge(a, b);
  EXPECT_EQ(flow_distinct_size(a), 300);
  EXPECT_EQ(flow_distinct_size(b), 250);  // source unchanged
  flow_distinct_insert_u64(b, 0);
  flow_distinct_merge(a, b);
  EXPECT_EQ(flow_distinct_size(a), 300);
  flow_distinct_free(a);
  flow_distinct_free(b);

  FlowDistinctSet* x = flow_distinct_create(FLOW_DISTINCT_STR);
  FlowDistinctSet* y = flow_distinct_create(FLOW_DISTINCT_STR);
  flow_distinct_insert_str(x, "a", 1);
  flow_distinct_insert_str(x, "b", 1);
  flow_distinct_insert_str(y, "b", 1);
  flow_distinct_insert_str(y, "c", 1);
  flow_distinct_merge(x, y);
  flow_distinct_free(y);  // x must not borrow y's bytes
  std::set<std::string> seen;
  flow_distinct_for_each_str(x, collect_str, &seen);
  EXPECT_EQ(seen, (std::set<std::string>{"a", "b", "c"}));
  flow_distinct_free(x);
}
