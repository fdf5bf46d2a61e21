// stdlib/memory.cpp: what generated code needs of libc.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

#include "flow_stdlib.h"

// A built program's configure keeps the strings it computes from --param
// values (a path, a kafka option) as C strings the runtime reads.
TEST(StdlibMemory, CstrDupIsANulTerminatedCopy) {
  const char text[] = {'a', 'b', '\0', 'c'};
  char* copy = flow_cstr_dup(text, 2);
  EXPECT_STREQ(copy, "ab");
  EXPECT_NE(copy, text);
  std::free(copy);
  char* empty = flow_cstr_dup(nullptr, 0);
  EXPECT_STREQ(empty, "");
  std::free(empty);
}
