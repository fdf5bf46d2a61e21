// Tests for stdlib/csv.cpp: RFC 4180 field splitting of one record.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "flow_stdlib.h"

namespace {

class StdlibCsv : public ::testing::Test {
 protected:
  void TearDown() override { flow_arena_free(&arena_); }

  // Splits and returns the fields; count is returned through *n.
  std::vector<std::string> split(const std::string& rec, char delim = ',',
                                 int64_t* n = nullptr, int64_t max = 16) {
    std::vector<FlowStr> cols(static_cast<size_t>(max));
    int64_t c = flow_csv_split(rec.data(), rec.size(), delim, cols.data(), max,
                               &arena_);
    if (n) *n = c;
    std::vector<std::string> out;
    for (int64_t i = 0; i < c && i < max; ++i) {
      out.emplace_back(cols[i].ptr, static_cast<size_t>(cols[i].len));
    }
    return out;
  }
  FlowArena arena_{};
};

using V = std::vector<std::string>;

}  // namespace

TEST_F(StdlibCsv, PlainFields) {
  EXPECT_EQ(split("a,b,c"), (V{"a", "b", "c"}));
  EXPECT_EQ(split("abc"), (V{"abc"}));
  EXPECT_EQ(split(""), (V{""}));
  EXPECT_EQ(split(",,"), (V{"", "", ""}));
  EXPECT_EQ(split("a,"), (V{"a", ""}));
  EXPECT_EQ(split(",a"), (V{"", "a"}));
  EXPECT_EQ(split(" a , b "), (V{" a ", " b "}));  // spaces are data
}

TEST_F(StdlibCsv, OtherDelimiters) {
  EXPECT_EQ(split("a;b,c", ';'), (V{"a", "b,c"}));
  EXPECT_EQ(split("a\tb", '\t'), (V{"a", "b"}));
  EXPECT_EQ(split("a|\"b|c\"|d", '|'), (V{"a", "b|c", "d"}));
}

TEST_F(StdlibCsv, QuotedFields) {
  EXPECT_EQ(split("\"a,b\",c"), (V{"a,b", "c"}));
  EXPECT_EQ(split("\"\",x"), (V{"", "x"}));
  EXPECT_EQ(split("\"say \"\"hi\"\"\",2"), (V{"say \"hi\"", "2"}));
  EXPECT_EQ(split("\"\"\"\""), (V{"\""}));
  EXPECT_EQ(split("\"line1\nline2\",z"), (V{"line1\nline2", "z"}));
  EXPECT_EQ(split("\"a\r\nb\""), (V{"a\r\nb"}));
  EXPECT_EQ(split("x,\"q\""), (V{"x", "q"}));
  EXPECT_EQ(split("x,\"\""), (V{"x", ""}));
}

TEST_F(StdlibCsv, QuoteInsideUnquotedFieldIsLiteral) {
  EXPECT_EQ(split("ab\"c,d"), (V{"ab\"c", "d"}));
  EXPECT_EQ(split("5\" pipe,x"), (V{"5\" pipe", "x"}));
  EXPECT_EQ(split(" \"a\",b"), (V{" \"a\"", "b"}));  // not at field start
}

TEST_F(StdlibCsv, TextAfterClosingQuoteIsKept) {
  EXPECT_EQ(split("\"a\"b,c"), (V{"ab", "c"}));
  EXPECT_EQ(split("\"a\"\"\"b"), (V{"a\"b"}));
}

TEST_F(StdlibCsv, UnclosedQuoteFails) {
  int64_t n = 0;
  split("\"abc", ',', &n);
  EXPECT_EQ(n, -1);
  split("a,\"b", ',', &n);
  EXPECT_EQ(n, -1);
  split("a,\"b\"\"", ',', &n);  // the doubled quote does not close it
  EXPECT_EQ(n, -1);
  split("\"", ',', &n);
  EXPECT_EQ(n, -1);
}

TEST_F(StdlibCsv, TrailingCarriageReturnIsDropped) {
  EXPECT_EQ(split("a,b\r"), (V{"a", "b"}));
  EXPECT_EQ(split("a,\"b\"\r"), (V{"a", "b"}));
  EXPECT_EQ(split("a,\r"), (V{"a", ""}));
  EXPECT_EQ(split("\r"), (V{""}));
  EXPECT_EQ(split("a\rb"), (V{"a\rb"}));  // only a trailing one
}

TEST_F(StdlibCsv, MoreColumnsThanRoom) {
  int64_t n = 0;
  V got = split("a,b,\"c\"\"\",d,e", ',', &n, 2);
  EXPECT_EQ(n, 5);
  EXPECT_EQ(got, (V{"a", "b"}));
  got = split("a,b", ',', &n, 0);
  EXPECT_EQ(n, 2);
}

TEST_F(StdlibCsv, UnescapedQuotedFieldIsAViewIntoTheRecord) {
  std::string rec = "\"abc\",d";
  FlowStr cols[2];
  ASSERT_EQ(flow_csv_split(rec.data(), rec.size(), ',', cols, 2, &arena_), 2);
  EXPECT_EQ(cols[0].ptr, rec.data() + 1);
  EXPECT_EQ(cols[1].ptr, rec.data() + 6);
}

TEST_F(StdlibCsv, NulBytesPassThrough) {
  EXPECT_EQ(split(std::string("a\0b,c", 5)), (V{std::string("a\0b", 3), "c"}));
}

// ---- flow_csv_split_more: as far as asked, in steps, SIMD index ----

namespace {

std::string random_csv_record(std::mt19937& rng, char delim) {
  static const char kBytes[] = "ab,;\t\"\" x\r\n";
  std::string r;
  size_t n = rng() % 200;
  for (size_t i = 0; i < n; ++i) {
    uint32_t x = rng();
    r += x % 4 == 0 ? delim : kBytes[(x >> 8) % (sizeof kBytes - 1)];
  }
  return r;
}

// The fields of flow_csv_split_more asked for in random steps.
int64_t split_in_steps(std::mt19937& rng, const std::string& rec, char delim, int64_t max,
                       std::vector<std::string>* out, FlowArena* arena) {
  FlowCsvSplit state{};
  std::vector<FlowStr> cols(static_cast<size_t>(max));
  int64_t count = 0;
  int64_t upto = 0;
  while (upto < max) {
    upto = std::min<int64_t>(max, upto + 1 + static_cast<int64_t>(rng() % 4));
    count = flow_csv_split_more(&state, rec.data(), static_cast<int64_t>(rec.size()), delim,
                                cols.data(), upto, arena);
    if (count < 0) return count;
    if (count < upto) break;  // no more fields
  }
  for (int64_t i = 0; i < count; ++i)
    out->emplace_back(cols[i].ptr, static_cast<size_t>(cols[i].len));
  return count;
}

}  // namespace

TEST_F(StdlibCsv, SplitMoreInStepsEqualsTheWholeSplitAtEveryLevel) {
  std::mt19937 rng(4180);
  for (int32_t level = FLOW_SIMD_SWAR; level <= flow_simd_cpu_level(); ++level) {
    flow_simd_set_level(level);
    for (int i = 0; i < 5000; ++i) {
      char delim = ",;\t"[rng() % 3];
      std::string rec = random_csv_record(rng, delim);
      if (i % 50 == 0)
        rec = std::string(600 + rng() % 500, 'w') + delim + rec;  // past one index window
      int64_t whole = 0;
      std::vector<std::string> want = split(rec, delim, &whole, 1024);
      std::vector<std::string> got;
      FlowArena arena{};
      int64_t count = split_in_steps(rng, rec, delim, 1024, &got, &arena);
      if (whole < 0) {
        // An unclosed quote: found once the split reaches it (here: always,
        // since the steps go on to the last field).
        EXPECT_EQ(count, -1) << rec;
      } else {
        ASSERT_EQ(count, whole) << "level " << level << ": " << rec;
        EXPECT_EQ(got, want) << rec;
      }
      flow_arena_free(&arena);
    }
  }
  flow_simd_set_level(flow_simd_detect());
}

TEST_F(StdlibCsv, SplitMoreStopsAtTheColumnAsked) {
  FlowCsvSplit state{};
  FlowStr cols[8];
  std::string rec = "a,\"b,c\",d,\"never\"\"closed";
  // Two columns asked: the unclosed quote in the fourth is not reached.
  EXPECT_EQ(flow_csv_split_more(&state, rec.data(), rec.size(), ',', cols, 2, &arena_), 2);
  EXPECT_EQ(std::string(cols[1].ptr, cols[1].len), "b,c");
  EXPECT_EQ(flow_csv_split_more(&state, rec.data(), rec.size(), ',', cols, 3, &arena_), 3);
  EXPECT_EQ(std::string(cols[2].ptr, cols[2].len), "d");
  EXPECT_EQ(flow_csv_split_more(&state, rec.data(), rec.size(), ',', cols, 8, &arena_), -1);
}
