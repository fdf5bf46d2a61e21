// Tests for stdlib/arena.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "flow_stdlib.h"

TEST(StdlibArena, ZeroInitializedArenaAllocates) {
  FlowArena a{};
  char* p = static_cast<char*>(flow_arena_alloc(&a, 10));
  ASSERT_NE(p, nullptr);
  std::memset(p, 'x', 10);
  EXPECT_NE(a.blocks, nullptr);
  flow_arena_free(&a);
  EXPECT_EQ(a.blocks, nullptr);
  EXPECT_EQ(a.cur, nullptr);
}

TEST(StdlibArena, AllocationsAreAlignedAndDisjoint) {
  FlowArena a{};
  char* p1 = static_cast<char*>(flow_arena_alloc(&a, 3));
  char* p2 = static_cast<char*>(flow_arena_alloc(&a, 5));
  char* p3 = static_cast<char*>(flow_arena_alloc(&a, 8));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p1) % 8, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p2) % 8, 0u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p3) % 8, 0u);
  EXPECT_GE(p2, p1 + 3);
  EXPECT_GE(p3, p2 + 5);
  flow_arena_free(&a);
}

TEST(StdlibArena, LargeAllocationGetsItsOwnBlock) {
  FlowArena a{};
  flow_arena_alloc(&a, 16);
  const int64_t big = 10 * 1024 * 1024;
  char* p = static_cast<char*>(flow_arena_alloc(&a, big));
  std::memset(p, 1, big);  // must be writable in full
  flow_arena_free(&a);
}

TEST(StdlibArena, ManySmallAllocationsKeepTheirContents) {
  FlowArena a{};
  std::vector<char*> ptrs;
  for (int i = 0; i < 100000; ++i) {
    char* p = static_cast<char*>(flow_arena_alloc(&a, 7));
    std::memset(p, i & 0x7f, 7);
    ptrs.push_back(p);
  }
  for (int i = 0; i < 100000; ++i) {
    ASSERT_EQ(ptrs[i][0], static_cast<char>(i & 0x7f));
    ASSERT_EQ(ptrs[i][6], static_cast<char>(i & 0x7f));
  }
  flow_arena_free(&a);
}

TEST(StdlibArena, ResetKeepsOneBlockAndReusesIt) {
  FlowArena a{};
  for (int i = 0; i < 1000; ++i) flow_arena_alloc(&a, 1000);  // several blocks
  ASSERT_NE(a.blocks, nullptr);
  flow_arena_reset(&a);
  char* first = a.cur;
  EXPECT_EQ(flow_arena_alloc(&a, 100), first);
  flow_arena_reset(&a);
  EXPECT_EQ(flow_arena_alloc(&a, 100), first);  // no new malloc after reset
  flow_arena_free(&a);
}

TEST(StdlibArena, CopyDuplicatesBytesIncludingNul) {
  FlowArena a{};
  const char src[] = {'a', '\0', 'b'};
  const char* c = flow_arena_copy(&a, src, 3);
  EXPECT_EQ(std::memcmp(c, src, 3), 0);
  EXPECT_NE(c, src);
  EXPECT_NE(flow_arena_copy(&a, src, 0), nullptr);
  flow_arena_free(&a);
}

TEST(StdlibArena, ZeroByteAllocationDoesNotCrash) {
  FlowArena a{};
  flow_arena_alloc(&a, 0);
  flow_arena_alloc(&a, -5);  // treated as 0
  void* p = flow_arena_alloc(&a, 1);
  EXPECT_NE(p, nullptr);
  flow_arena_free(&a);
}
