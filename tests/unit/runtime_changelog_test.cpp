// The changelog's messages (runtime/changelog_format.h): a state written
// and read back, inline and in chunks; what a reader makes of tombstones,
// later writes, a crash in the middle of a write and damaged messages.
#include "changelog_format.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace flowrt {
namespace {

ChangelogHead head_at(int64_t next) {
  ChangelogHead h;
  h.fingerprint = 0x1234abcd5678ef90ull;
  h.next = next;
  h.max_time = 1700000000000;
  h.slots = 3;
  h.id = 0x42 + static_cast<uint64_t>(next);
  return h;
}

// A state of `n` bytes that is not the same byte repeated.
std::string state_of(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
  return s;
}

void feed(ChangelogReader& r, const std::vector<ChangelogMessage>& messages) {
  for (const ChangelogMessage& m : messages) {
    r.add(m.key, m.value ? m.value->data() : nullptr, m.value ? m.value->size() : 0);
  }
}

TEST(Changelog, SmallStateIsOneHeadMessage) {
  const std::string state = state_of(1000);
  std::vector<ChangelogMessage> w = changelog_write("clicks", 5, head_at(77), state, {});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].key, "clicks/5");
  ChangelogReader r({{"clicks", 5}});
  feed(r, w);
  ChangelogHead h;
  std::string got, why;
  ASSERT_EQ(r.state({"clicks", 5}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(got, state);
  EXPECT_EQ(h.next, 77);
  EXPECT_EQ(h.max_time, 1700000000000);
  EXPECT_EQ(h.slots, 3);
  EXPECT_EQ(h.fingerprint, 0x1234abcd5678ef90ull);
  EXPECT_EQ(h.chunks, 0u);
  EXPECT_EQ(h.length, state.size());
}

TEST(Changelog, LargeStateGoesInChunksBeforeItsHead) {
  const std::string state = state_of(2 * kChangelogChunkBytes + 10);
  std::vector<ChangelogMessage> w = changelog_write("clicks", 2, head_at(9), state, {});
  ASSERT_EQ(w.size(), 4u);  // three chunks, then the head
  EXPECT_EQ(w.back().key, "clicks/2");
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(w[i].key.rfind("clicks/2#", 0), 0u) << w[i].key;
    EXPECT_LE(w[i].value->size(), kChangelogChunkBytes + 32);
  }
  EXPECT_EQ(changelog_chunk_keys(w, "clicks", 2).size(), 3u);
  ChangelogReader r({{"clicks", 2}});
  feed(r, w);
  ChangelogHead h;
  std::string got, why;
  ASSERT_EQ(r.state({"clicks", 2}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(h.chunks, 3u);
  EXPECT_EQ(got, state);
}

TEST(Changelog, TheLastHeadWinsAndReplacedChunksAreTombstoned) {
  const std::string first = state_of(kChangelogChunkBytes + 1);
  std::vector<ChangelogMessage> w1 = changelog_write("t", 0, head_at(10), first, {});
  std::vector<std::string> old_chunks = changelog_chunk_keys(w1, "t", 0);
  ASSERT_EQ(old_chunks.size(), 2u);
  std::vector<ChangelogMessage> w2 = changelog_write("t", 0, head_at(20), "small", old_chunks);
  // The new head, then a tombstone per chunk of the write it replaced.
  ASSERT_EQ(w2.size(), 3u);
  EXPECT_EQ(w2[0].key, "t/0");
  EXPECT_FALSE(w2[1].value.has_value());
  EXPECT_FALSE(w2[2].value.has_value());
  ChangelogReader r({{"t", 0}});
  feed(r, w1);
  feed(r, w2);
  ChangelogHead h;
  std::string got, why;
  ASSERT_EQ(r.state({"t", 0}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(got, "small");
  EXPECT_EQ(h.next, 20);
  EXPECT_TRUE(r.chunks({"t", 0}, true).empty());
}

TEST(Changelog, ACrashMidWriteLeavesThePreviousStateAndItsOrphanChunks) {
  const std::string first = state_of(100);
  std::vector<ChangelogMessage> w1 = changelog_write("t", 1, head_at(10), first, {});
  std::vector<ChangelogMessage> w2 =
      changelog_write("t", 1, head_at(30), state_of(kChangelogChunkBytes + 5), {});
  ChangelogReader r({{"t", 1}});
  feed(r, w1);
  w2.pop_back();  // the writer died before its head went out
  feed(r, w2);
  ChangelogHead h;
  std::string got, why;
  ASSERT_EQ(r.state({"t", 1}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(got, first);
  EXPECT_EQ(h.next, 10);
  // The orphans are named for the next write to delete.
  EXPECT_EQ(r.chunks({"t", 1}, false).size(), 2u);
}

TEST(Changelog, AMissingChunkOrADamagedStateIsReported) {
  std::vector<ChangelogMessage> w =
      changelog_write("t", 3, head_at(5), state_of(kChangelogChunkBytes + 5), {});
  ChangelogReader missing({{"t", 3}});
  feed(missing, {w[1], w[2]});  // chunk 0 compacted away
  ChangelogHead h;
  std::string got, why;
  EXPECT_EQ(missing.state({"t", 3}, &h, &got, &why), ChangelogReader::Found::kBroken);
  EXPECT_NE(why.find("missing"), std::string::npos) << why;

  std::vector<ChangelogMessage> small = changelog_write("t", 3, head_at(5), state_of(50), {});
  (*small[0].value)[small[0].value->size() - 1] ^= 1;  // a flipped bit in the state
  ChangelogReader damaged({{"t", 3}});
  feed(damaged, small);
  EXPECT_EQ(damaged.state({"t", 3}, &h, &got, &why), ChangelogReader::Found::kBroken);
  EXPECT_NE(why.find("checksum"), std::string::npos) << why;
}

TEST(Changelog, OtherTopicsPartitionsAndTombstonedHeadsReadAsNothing) {
  ChangelogReader r({{"clicks", 1}});
  feed(r, changelog_write("clicks", 2, head_at(1), "two", {}));
  feed(r, changelog_write("clicks-b", 1, head_at(1), "other topic", {}));
  r.add("garbage", "x", 1);
  r.add("clicks/1#zz", "x", 1);
  ChangelogHead h;
  std::string got, why;
  EXPECT_EQ(r.state({"clicks", 1}, &h, &got, &why), ChangelogReader::Found::kNone);
  feed(r, changelog_write("clicks", 1, head_at(4), "one", {}));
  EXPECT_EQ(r.state({"clicks", 1}, &h, &got, &why), ChangelogReader::Found::kState);
  r.add("clicks/1", nullptr, 0);
  EXPECT_EQ(r.state({"clicks", 1}, &h, &got, &why), ChangelogReader::Found::kNone);
}

TEST(Changelog, TwoTopicsPartitionZeroAreTwoStates) {
  // A source reading topics "a" and "b": a/0 and b/0 are kept apart.
  ChangelogReader r({{"a", 0}, {"b", 0}});
  feed(r, changelog_write("a", 0, head_at(3), "state of a/0", {}));
  feed(r, changelog_write("b", 0, head_at(8), "state of b/0", {}));
  feed(r, changelog_write("ab", 0, head_at(9), "another topic", {}));
  ChangelogHead h;
  std::string got, why;
  ASSERT_EQ(r.state({"a", 0}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(got, "state of a/0");
  EXPECT_EQ(h.next, 3);
  ASSERT_EQ(r.state({"b", 0}, &h, &got, &why), ChangelogReader::Found::kState) << why;
  EXPECT_EQ(got, "state of b/0");
  EXPECT_EQ(h.next, 8);
  EXPECT_EQ(r.state({"ab", 0}, &h, &got, &why), ChangelogReader::Found::kNone);
  r.add("a/0", nullptr, 0);  // a's tombstone leaves b's state
  EXPECT_EQ(r.state({"a", 0}, &h, &got, &why), ChangelogReader::Found::kNone);
  EXPECT_EQ(r.state({"b", 0}, &h, &got, &why), ChangelogReader::Found::kState);
}

}  // namespace
}  // namespace flowrt
