// Tests for stdlib/csv.cpp: RFC 4180 field splitting of one record.
#include <gtest/gtest.h>

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
