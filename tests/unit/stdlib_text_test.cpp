// Tests for stdlib/text.cpp (LANGUAGE.md 8, strings).
#include <gtest/gtest.h>

#include <string>

#include "flow_stdlib.h"

namespace {

std::string S(FlowStr s) { return std::string(s.ptr, static_cast<size_t>(s.len)); }

class StdlibText : public ::testing::Test {
 protected:
  void TearDown() override { flow_arena_free(&arena_); }
  FlowArena arena_{};

  std::string lower(const std::string& s) {
    FlowStr out;
    flow_str_lower(&arena_, s.data(), s.size(), &out);
    return S(out);
  }
  std::string upper(const std::string& s) {
    FlowStr out;
    flow_str_upper(&arena_, s.data(), s.size(), &out);
    return S(out);
  }
  std::string trim(const std::string& s) {
    FlowStr out;
    flow_str_trim(s.data(), s.size(), &out);
    return S(out);
  }
  std::string substr(const std::string& s, int64_t start, int64_t n) {
    FlowStr out;
    flow_str_substr(s.data(), s.size(), start, n, &out);
    return S(out);
  }
  std::string replace(const std::string& s, const std::string& f,
                      const std::string& t) {
    FlowStr out;
    flow_str_replace(&arena_, s.data(), s.size(), f.data(), f.size(), t.data(),
                     t.size(), &out);
    return S(out);
  }
  std::string split_part(const std::string& s, const std::string& sep,
                         int64_t i) {
    FlowStr out;
    flow_str_split_part(s.data(), s.size(), sep.data(), sep.size(), i, &out);
    return S(out);
  }
};

bool contains(const std::string& s, const std::string& t) {
  return flow_str_contains(s.data(), s.size(), t.data(), t.size());
}
bool starts(const std::string& s, const std::string& t) {
  return flow_str_starts_with(s.data(), s.size(), t.data(), t.size());
}
bool ends(const std::string& s, const std::string& t) {
  return flow_str_ends_with(s.data(), s.size(), t.data(), t.size());
}

}  // namespace

TEST_F(StdlibText, LenCountsBytesNotCharacters) {
  EXPECT_EQ(flow_str_len("", 0), 0);
  EXPECT_EQ(flow_str_len("h\xc3\xa9", 3), 3);  // "hé"
}

TEST_F(StdlibText, LowerUpperMapAsciiLetters) {
  EXPECT_EQ(lower("Hello World 123"), "hello world 123");
  EXPECT_EQ(upper("Hello World 123"), "HELLO WORLD 123");
  EXPECT_EQ(upper("@[`{"), "@[`{");  // neighbours of the letter ranges
  EXPECT_EQ(lower(""), "");
  EXPECT_EQ(lower(std::string("A\0B", 3)), std::string("a\0b", 3));
}

// LANGUAGE.md 13 "Letters": Unicode simple case mapping, every code point.
TEST_F(StdlibText, LowerUpperMapEveryCodePointOfValidUtf8) {
  EXPECT_EQ(lower("\xc3\x89" "COLE"), "\xc3\xa9" "cole");             // ÉCOLE -> école
  EXPECT_EQ(upper("\xc3\xa9t\xc3\xa9"), "\xc3\x89T\xc3\x89");      // été -> ÉTÉ
  EXPECT_EQ(lower("\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90"),  // МОСКВА
            "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
  EXPECT_EQ(upper("\xc4\x81\xc4\x83"), "\xc4\x80\xc4\x82");  // āă: a stride-2 run
  // Simple, not full, mapping: no context (final sigma), no expansion.
  EXPECT_EQ(lower("\xce\xa3\xce\xa3"), "\xcf\x83\xcf\x83");  // ΣΣ -> σσ, not σς
  EXPECT_EQ(upper("stra\xc3\x9f" "e"), "STRA\xc3\x9f" "E");     // ß stays (full: SS)
  EXPECT_EQ(lower("\xc4\xb0"), "i");                       // İ -> i (full: i + U+0307)
  EXPECT_EQ(lower("\xe2\x84\xaa"), "k");                   // Kelvin sign -> k
  EXPECT_EQ(upper("\xc7\x85"), "\xc7\x84");                 // titlecase ǅ -> Ǆ
  EXPECT_EQ(lower("\xc7\x85"), "\xc7\x86");                 //             -> ǆ
  // Code points without a mapping, and 4-byte ones: Deseret 𐐀 <-> 𐐨.
  EXPECT_EQ(upper("\xe4\xb8\xad 1"), "\xe4\xb8\xad 1");
  EXPECT_EQ(lower("\xf0\x90\x90\x80"), "\xf0\x90\x90\xa8");
  EXPECT_EQ(upper("\xf0\x90\x90\xa8"), "\xf0\x90\x90\x80");
}

TEST_F(StdlibText, LowerUpperChangeUtf8LengthWhereTheMappingDoes) {
  // ȿ (2 bytes) -> Ȿ U+2C7E (3 bytes), and back.
  EXPECT_EQ(upper("a\xc8\xbf" "b"), "A\xe2\xb1\xbe" "B");
  EXPECT_EQ(lower("A\xe2\xb1\xbe" "B"), "a\xc8\xbf" "b");
  // ı (2 bytes) -> I (1 byte).
  EXPECT_EQ(upper("\xc4\xb1x"), "IX");
}

TEST_F(StdlibText, LowerUpperPassInvalidBytesThrough) {
  // A stray continuation byte, a cut-short sequence, an overlong '/', a
  // surrogate, a code point above U+10FFFF, 0xFF: each byte kept as is,
  // the letters around them still mapped.
  EXPECT_EQ(lower("A\x80" "B"), "a\x80" "b");
  EXPECT_EQ(lower("\xc3" "A"), "\xc3" "a");
  EXPECT_EQ(upper("\xc3"), "\xc3");
  EXPECT_EQ(lower("\xc0\xaf" "Z"), "\xc0\xaf" "z");
  EXPECT_EQ(lower("\xed\xa0\x80" "Q"), "\xed\xa0\x80" "q");
  EXPECT_EQ(lower("\xf4\x90\x80\x80" "Q"), "\xf4\x90\x80\x80" "q");
  EXPECT_EQ(upper("\xff\xc3\xa9"), "\xff\xc3\x89");
  // A valid sequence right after an invalid lead byte is decoded.
  EXPECT_EQ(lower("\xe2\xc3\x89"), "\xe2\xc3\xa9");
}

TEST_F(StdlibText, TrimRemovesAsciiWhitespaceBothEnds) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim("\xc2\xa0x"), "\xc2\xa0x");  // NBSP is not ASCII whitespace
}

TEST(StdlibTextPredicates, ContainsStartsEnds) {
  EXPECT_TRUE(contains("hello", "ell"));
  EXPECT_TRUE(contains("hello", ""));
  EXPECT_TRUE(contains("", ""));
  EXPECT_FALSE(contains("hello", "hellos"));
  EXPECT_FALSE(contains("hello", "lo!"));
  EXPECT_TRUE(contains("aaab", "aab"));
  EXPECT_TRUE(contains(std::string("a\0b", 3), std::string("\0b", 2)));
  EXPECT_TRUE(starts("hello", "he"));
  EXPECT_TRUE(starts("hello", ""));
  EXPECT_FALSE(starts("he", "hello"));
  EXPECT_FALSE(starts("hello", "el"));
  EXPECT_TRUE(ends("hello", "llo"));
  EXPECT_TRUE(ends("hello", "hello"));
  EXPECT_FALSE(ends("lo", "hello"));
  EXPECT_FALSE(ends("hello", "hel"));
}

TEST_F(StdlibText, SubstrIsZeroBasedAndClamped) {
  EXPECT_EQ(substr("hello", 1, 3), "ell");
  EXPECT_EQ(substr("hello", 0, 100), "hello");
  EXPECT_EQ(substr("hello", 3, 100), "lo");
  EXPECT_EQ(substr("hello", 5, 1), "");
  EXPECT_EQ(substr("hello", 99, 1), "");
  EXPECT_EQ(substr("hello", -2, 3), "hel");  // negative start clamps to 0
  EXPECT_EQ(substr("hello", 1, -1), "");     // negative length clamps to 0
  EXPECT_EQ(substr("hello", 2, INT64_MAX), "llo");
  EXPECT_EQ(substr("hello", INT64_MIN, INT64_MAX), "hello");
}

TEST_F(StdlibText, ReplaceAllNonOverlapping) {
  EXPECT_EQ(replace("a-b-c", "-", "+"), "a+b+c");
  EXPECT_EQ(replace("aaaa", "aa", "b"), "bb");
  EXPECT_EQ(replace("aaa", "aa", "b"), "ba");
  EXPECT_EQ(replace("abc", "", "x"), "abc");  // empty `from`: unchanged
  EXPECT_EQ(replace("abc", "z", "x"), "abc");
  EXPECT_EQ(replace("abcabc", "bc", ""), "aa");
  EXPECT_EQ(replace("xx", "x", "yyy"), "yyyyyy");
  EXPECT_EQ(replace("", "a", "b"), "");
  EXPECT_EQ(replace("abc", "abc", ""), "");
}

TEST_F(StdlibText, ReplaceWithEmptyFromReturnsTheSameView) {
  const char* s = "abc";
  FlowStr out;
  flow_str_replace(&arena_, s, 3, "", 0, "x", 1, &out);
  EXPECT_EQ(out.ptr, s);
  EXPECT_EQ(out.len, 3);
}

TEST_F(StdlibText, SplitPartZeroBasedEmptyOutOfRange) {
  EXPECT_EQ(split_part("a,b,c", ",", 0), "a");
  EXPECT_EQ(split_part("a,b,c", ",", 1), "b");
  EXPECT_EQ(split_part("a,b,c", ",", 2), "c");
  EXPECT_EQ(split_part("a,b,c", ",", 3), "");
  EXPECT_EQ(split_part("a,b,c", ",", -1), "");
  EXPECT_EQ(split_part("a,,c", ",", 1), "");
  EXPECT_EQ(split_part("a,b,", ",", 2), "");
  EXPECT_EQ(split_part(",a", ",", 0), "");
  EXPECT_EQ(split_part("a::b::c", "::", 2), "c");
  EXPECT_EQ(split_part("abc", ",", 0), "abc");
  EXPECT_EQ(split_part("abc", ",", 1), "");
  EXPECT_EQ(split_part("abc", "", 0), "abc");  // empty separator: no split
  EXPECT_EQ(split_part("abc", "", 1), "");
  EXPECT_EQ(split_part("", ",", 0), "");
}

TEST_F(StdlibText, ConcatTwoAndMany) {
  FlowStr out;
  flow_str_concat(&arena_, "foo", 3, "bar", 3, &out);
  EXPECT_EQ(S(out), "foobar");
  flow_str_concat(&arena_, "", 0, "bar", 3, &out);
  EXPECT_EQ(S(out), "bar");
  flow_str_concat(&arena_, "foo", 3, "", 0, &out);
  EXPECT_EQ(S(out), "foo");
  flow_str_concat(&arena_, "", 0, "", 0, &out);
  EXPECT_EQ(S(out), "");
  FlowStr parts[] = {{"a", 1}, {"", 0}, {"bc", 2}, {"\0", 1}};
  flow_str_concat_n(&arena_, parts, 4, &out);
  EXPECT_EQ(S(out), std::string("abc\0", 4));
  flow_str_concat_n(&arena_, parts, 0, &out);
  EXPECT_EQ(out.len, 0);
}

TEST(StdlibTextCompare, BytewiseOrder) {
  EXPECT_EQ(flow_str_cmp("a", 1, "b", 1), -1);
  EXPECT_EQ(flow_str_cmp("b", 1, "a", 1), 1);
  EXPECT_EQ(flow_str_cmp("ab", 2, "ab", 2), 0);
  EXPECT_EQ(flow_str_cmp("ab", 2, "abc", 3), -1);
  EXPECT_EQ(flow_str_cmp("", 0, "", 0), 0);
  EXPECT_EQ(flow_str_cmp("\xff", 1, "a", 1), 1);  // unsigned bytes
  EXPECT_EQ(flow_str_cmp("Z", 1, "a", 1), -1);
  EXPECT_TRUE(flow_str_eq("abc", 3, "abc", 3));
  EXPECT_FALSE(flow_str_eq("abc", 3, "abd", 3));
  EXPECT_FALSE(flow_str_eq("abc", 3, "ab", 2));
  EXPECT_TRUE(flow_str_eq(nullptr, 0, "", 0));
}
