// explode's iterators follow Python's str.split(sep) and str.split().
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow_stdlib.h"

namespace {

std::vector<std::string> split_all(const std::string& s, const std::string& sep) {
  std::vector<std::string> parts;
  int64_t pos = 0;
  FlowStr out;
  while (flow_str_next_split(s.data(), static_cast<int64_t>(s.size()), sep.data(),
                             static_cast<int64_t>(sep.size()), &pos, &out)) {
    parts.emplace_back(out.ptr, static_cast<size_t>(out.len));
  }
  return parts;
}

std::vector<std::string> words_all(const std::string& s) {
  std::vector<std::string> parts;
  int64_t pos = 0;
  FlowStr out;
  while (flow_str_next_word(s.data(), static_cast<int64_t>(s.size()), &pos, &out)) {
    parts.emplace_back(out.ptr, static_cast<size_t>(out.len));
  }
  return parts;
}

using V = std::vector<std::string>;

TEST(StdlibExplode, SplitKeepsEmptyPartsLikePython) {
  EXPECT_EQ(split_all("a,,b", ","), (V{"a", "", "b"}));
  EXPECT_EQ(split_all(",a,", ","), (V{"", "a", ""}));
  EXPECT_EQ(split_all("", ","), (V{""}));
  EXPECT_EQ(split_all("abc", ","), (V{"abc"}));
  EXPECT_EQ(split_all("a::b::", "::"), (V{"a", "b", ""}));
  EXPECT_EQ(split_all("a:::b", "::"), (V{"a", ":b"}));
}

TEST(StdlibExplode, WordsDropsEmptiesAndSplitsOnAsciiWhitespaceRuns) {
  EXPECT_EQ(words_all("  the quick\tbrown\n\nfox  "), (V{"the", "quick", "brown", "fox"}));
  EXPECT_EQ(words_all(""), V{});
  EXPECT_EQ(words_all(" \t "), V{});
  EXPECT_EQ(words_all("one"), (V{"one"}));
}

TEST(StdlibExplode, StrBufReusesItsBytesAndCopiesOverlappingInput) {
  FlowStrBuf buf{nullptr, 0, 0};
  flow_strbuf_set(&buf, "hello", 5);
  EXPECT_EQ(std::string(buf.ptr, 5), "hello");
  char* first = buf.ptr;
  flow_strbuf_set(&buf, "hi", 2);
  EXPECT_EQ(buf.ptr, first);
  EXPECT_EQ(std::string(buf.ptr, static_cast<size_t>(buf.len)), "hi");
  std::string big(1000, 'x');
  flow_strbuf_set(&buf, big.data(), 1000);
  EXPECT_EQ(buf.len, 1000);
  EXPECT_GE(buf.cap, 1000);
  flow_strbuf_set(&buf, buf.ptr + 1, 10);  // a view into itself
  EXPECT_EQ(std::string(buf.ptr, 10), std::string(10, 'x'));
  flow_strbuf_free(&buf);
  EXPECT_EQ(buf.ptr, nullptr);
}

}  // namespace
