// FlowRowList: the rows one key holds in a stream–stream join's buffer.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

#include "flow_stdlib.h"

namespace {

constexpr int64_t kElem = 16;  // time, payload

int64_t payload(const FlowRowList& l, int64_t i) {
  int64_t v;
  std::memcpy(&v, l.data + i * kElem + 8, sizeof v);
  return v;
}

void append(FlowRowList& l, int64_t t, int64_t p) {
  char* e = static_cast<char*>(flow_rows_append(&l, kElem));
  int64_t zero[2];
  std::memcpy(zero, e, sizeof zero);
  EXPECT_EQ(zero[0], 0);  // appended elements come back zeroed
  EXPECT_EQ(zero[1], 0);
  std::memcpy(e, &t, 8);
  std::memcpy(e + 8, &p, 8);
}

TEST(RowList, AppendKeepsArrivalOrderAcrossGrowth) {
  FlowRowList l{};
  for (int64_t i = 0; i < 1000; ++i) append(l, i, i * 3);
  ASSERT_EQ(l.len, 1000);
  EXPECT_GE(l.cap, l.len);
  for (int64_t i = 0; i < 1000; ++i) EXPECT_EQ(payload(l, i), i * 3);
  flow_rows_free(&l);
  EXPECT_EQ(l.data, nullptr);
  EXPECT_EQ(l.len, 0);
}

TEST(RowList, TruncateShrinksStorageAndFreesWhenEmpty) {
  FlowRowList l{};
  for (int64_t i = 0; i < 1024; ++i) append(l, i, i);
  int64_t cap = l.cap;
  flow_rows_truncate(&l, kElem, 10);
  EXPECT_EQ(l.len, 10);
  EXPECT_LT(l.cap, cap);  // a burst's storage goes back
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(payload(l, i), i);
  flow_rows_truncate(&l, kElem, 20);  // longer than the list: nothing changes
  EXPECT_EQ(l.len, 10);
  flow_rows_truncate(&l, kElem, 0);
  EXPECT_EQ(l.data, nullptr);
  EXPECT_EQ(l.cap, 0);
  append(l, 1, 2);  // still usable
  EXPECT_EQ(l.len, 1);
  flow_rows_free(&l);
}

}  // namespace
