// FlowSessionList: the sorted open sessions of one key (session windows).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "flow_stdlib.h"

namespace {

// Elements of 24 bytes: start, last, and a payload.
constexpr int64_t kElem = 24;

struct Span {
  int64_t start, last, payload;
};

Span at(const FlowSessionList& s, int64_t i) {
  Span out;
  std::memcpy(&out, s.data + i * kElem, sizeof out);
  return out;
}

void put(FlowSessionList& s, int64_t pos, Span v) {
  void* e = flow_sessions_insert(&s, kElem, pos);
  std::memcpy(e, &v, sizeof v);
}

std::vector<int64_t> payloads(const FlowSessionList& s) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < s.len; ++i) out.push_back(at(s, i).payload);
  return out;
}

TEST(SessionList, ZeroInitializedIsEmpty) {
  FlowSessionList s{};
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 100, 10), 0);
  flow_sessions_free(&s);
  EXPECT_EQ(s.data, nullptr);
  EXPECT_EQ(s.len, 0);
}

TEST(SessionList, InsertZeroesAndShifts) {
  FlowSessionList s{};
  put(s, 0, {100, 110, 1});
  put(s, 1, {200, 210, 3});
  void* e = flow_sessions_insert(&s, kElem, 1);
  Span zero;
  std::memcpy(&zero, e, sizeof zero);
  EXPECT_EQ(zero.start, 0);
  EXPECT_EQ(zero.last, 0);
  EXPECT_EQ(zero.payload, 0);
  Span mid{150, 160, 2};
  std::memcpy(e, &mid, sizeof mid);
  EXPECT_EQ(payloads(s), std::vector<int64_t>({1, 2, 3}));
  flow_sessions_free(&s);
}

TEST(SessionList, LowerFindsTheFirstSessionWithinGap) {
  FlowSessionList s{};
  put(s, 0, {100, 110, 1});
  put(s, 1, {200, 210, 2});
  put(s, 2, {300, 300, 3});
  // last >= t - gap
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 0, 10), 0);
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 120, 10), 0);  // 110 >= 110: inclusive
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 121, 10), 1);
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 205, 10), 1);
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 310, 10), 2);
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 311, 10), 3);
  // t - gap below INT64_MIN saturates instead of wrapping.
  EXPECT_EQ(flow_sessions_lower(&s, kElem, INT64_MIN + 5, 10), 0);
  flow_sessions_free(&s);
}

TEST(SessionList, GrowsAndShrinks) {
  FlowSessionList s{};
  for (int64_t i = 0; i < 1000; ++i) put(s, i, {i * 100, i * 100 + 5, i});
  ASSERT_EQ(s.len, 1000);
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(at(s, i).payload, i);
  int64_t big = s.cap;
  flow_sessions_erase(&s, kElem, 0, 990);  // a fired prefix goes at once
  ASSERT_EQ(s.len, 10);
  EXPECT_LT(s.cap, big);
  EXPECT_GE(s.cap, s.len);
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(at(s, i).payload, 990 + i);
  EXPECT_EQ(flow_sessions_lower(&s, kElem, 99500, 10), 5);
  flow_sessions_erase(&s, kElem, 0, 10);
  EXPECT_EQ(s.len, 0);
  EXPECT_EQ(s.data, nullptr);  // an emptied list holds no memory
  put(s, 0, {1, 2, 7});        // and is still usable
  EXPECT_EQ(payloads(s), std::vector<int64_t>({7}));
  flow_sessions_free(&s);
}

TEST(SessionList, EraseInTheMiddle) {
  FlowSessionList s{};
  for (int64_t i = 0; i < 5; ++i) put(s, i, {i * 100, i * 100, i});
  flow_sessions_erase(&s, kElem, 2, 1);
  EXPECT_EQ(payloads(s), std::vector<int64_t>({0, 1, 3, 4}));
  flow_sessions_erase(&s, kElem, 3, 1);
  EXPECT_EQ(payloads(s), std::vector<int64_t>({0, 1, 3}));
  flow_sessions_erase(&s, kElem, 1, 0);  // nothing
  EXPECT_EQ(payloads(s), std::vector<int64_t>({0, 1, 3}));
  flow_sessions_free(&s);
}

}  // namespace
