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
  EXPECT_EQ(lower("ÉCOLE"), "école");
  EXPECT_EQ(upper("été"), "ÉTÉ");
  EXPECT_EQ(lower("МОСКВА"), "москва");
  EXPECT_EQ(upper("āă"), "ĀĂ");  // a stride-2 run of the table
  // Simple, not full, mapping: no context (final sigma), no expansion.
  EXPECT_EQ(lower("ΣΣ"), "σσ");  // not σς
  EXPECT_EQ(upper("straße"), "STRAßE");  // full mapping: STRASSE
  EXPECT_EQ(lower("İ"), "i");  // full mapping: i + U+0307
  EXPECT_EQ(lower("\u212a"), "k");  // Kelvin sign
  EXPECT_EQ(upper("ǅ"), "Ǆ");  // a titlecase letter
  EXPECT_EQ(lower("ǅ"), "ǆ");
  // Code points without a mapping, and 4-byte ones: Deseret 𐐀 <-> 𐐨.
  EXPECT_EQ(upper("中 1"), "中 1");
  EXPECT_EQ(lower("𐐀"), "𐐨");
  EXPECT_EQ(upper("𐐨"), "𐐀");
}

TEST_F(StdlibText, LowerUpperChangeUtf8LengthWhereTheMappingDoes) {
  // ȿ (2 bytes) -> Ȿ U+2C7E (3 bytes), and back.
  EXPECT_EQ(upper("aȿb"), "AⱾB");
  EXPECT_EQ(lower("AⱾB"), "aȿb");
  // ı (2 bytes) -> I (1 byte).
  EXPECT_EQ(upper("ıx"), "IX");
}

TEST_F(StdlibText, LowerUpperPassInvalidBytesThrough) {
  // A stray continuation byte, a cut-short sequence, an overlong '/', a
  // surrogate, a code point above U+10FFFF, 0xFF: each byte kept as is,
  // the letters around them still mapped (octal escapes: \200 is 0x80).
  EXPECT_EQ(lower("A\200B"), "a\200b");
  EXPECT_EQ(lower("\303A"), "\303a");
  EXPECT_EQ(upper("\303"), "\303");
  EXPECT_EQ(lower("\300\257Z"), "\300\257z");
  EXPECT_EQ(lower("\355\240\200Q"), "\355\240\200q");
  EXPECT_EQ(lower("\364\220\200\200Q"), "\364\220\200\200q");
  EXPECT_EQ(upper("\377é"), "\377É");
  // A valid sequence right after an invalid lead byte is decoded.
  EXPECT_EQ(lower("\342É"), "\342é");
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
