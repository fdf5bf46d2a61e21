// Did-you-mean suggestions (compiler/support/edit_distance.h).
#include <gtest/gtest.h>

#include "support/edit_distance.h"

namespace flowc {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("where", "where"), 0u);
  EXPECT_EQ(edit_distance("wher", "where"), 1u);
  EXPECT_EQ(edit_distance("latncy_ms", "latency_ms"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
}

TEST(EditDistance, AdjacentSwapCostsOne) {
  EXPECT_EQ(edit_distance("fiel", "file"), 1u);
  EXPECT_EQ(edit_distance("flaot", "float"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("abc", "ca"), 3u);  // optimal string alignment, not Damerau
}

TEST(EditDistance, IsSymmetric) {
  EXPECT_EQ(edit_distance("clikcs", "clicks"), edit_distance("clicks", "clikcs"));
  EXPECT_EQ(edit_distance("sum", "summ"), edit_distance("summ", "sum"));
}

TEST(ClosestMatch, SuggestsTheNearestCandidate) {
  EXPECT_EQ(closest_match("latncy_ms", {"ts", "user", "latency_ms"}), "latency_ms");
  EXPECT_EQ(closest_match("strem", {"source", "stream", "sink"}), "stream");
}

TEST(ClosestMatch, AllowsAThirdOfTheLengthBetweenOneAndThree) {
  // Short names: one edit.
  EXPECT_EQ(closest_match("usr", {"user"}), "user");
  EXPECT_EQ(closest_match("ur", {"user"}), std::nullopt);
  // Nine characters: three edits, and never more than three.
  EXPECT_EQ(closest_match("tmestmpx", {"timestamp"}), std::nullopt);
  EXPECT_EQ(closest_match("abcdefghijkl", {"abcdefghixyz"}), "abcdefghixyz");
  EXPECT_EQ(closest_match("abcdefghijklmnop", {"abcdefghijklwxyz"}), std::nullopt);
}

TEST(ClosestMatch, NeverSuggestsTheNameItself) {
  EXPECT_EQ(closest_match("page", {"page"}), std::nullopt);
  EXPECT_EQ(closest_match("page", {"page", "pages"}), "pages");
}

TEST(ClosestMatch, TiesGoToTheEarliestCandidate) {
  EXPECT_EQ(closest_match("cat", {"bat", "hat"}), "bat");
  EXPECT_EQ(closest_match("cat", {"hat", "bat"}), "hat");
}

TEST(ClosestMatch, NothingCloseMeansNoSuggestion) {
  EXPECT_EQ(closest_match("zzz", {"count", "sum", "avg"}), std::nullopt);
  EXPECT_EQ(closest_match("x", {}), std::nullopt);
}

}  // namespace
}  // namespace flowc
