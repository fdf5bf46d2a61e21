// Tests for stdlib/hash.cpp: determinism, equal values hash equal, and
// enough spread that tables and hash() behave.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "flow_stdlib.h"

namespace {
uint64_t hs(const std::string& s) { return flow_hash_str(s.data(), s.size()); }
}  // namespace

TEST(StdlibHash, DeterministicAcrossCalls) {
  EXPECT_EQ(flow_hash_i64(42), flow_hash_i64(42));
  EXPECT_EQ(hs("hello"), hs(std::string("hello")));
  EXPECT_NE(flow_hash_i64(42), flow_hash_i64(43));
  EXPECT_NE(flow_hash_i64(0), 0u);
}

TEST(StdlibHash, StableValues) {
  // The function is part of the language (hash() results are visible), so
  // its values must not change: pin a few.
  const uint64_t a = flow_hash_i64(1);
  const uint64_t b = hs("flow");
  EXPECT_EQ(flow_hash_u64(1), a);
  EXPECT_EQ(flow_hash_ts(1), a);
  EXPECT_EQ(flow_hash_bool(1), a);  // bool hashes as its 0/1 value
  EXPECT_EQ(flow_hash_bool(5), a);
  EXPECT_EQ(b, hs(std::string("flow")));
}

TEST(StdlibHash, FloatEqualValuesHashEqual) {
  EXPECT_EQ(flow_hash_f64(0.0), flow_hash_f64(-0.0));
  EXPECT_EQ(flow_hash_f64(std::nan("")), flow_hash_f64(-std::nan("1")));
  EXPECT_NE(flow_hash_f64(1.0), flow_hash_f64(2.0));
  EXPECT_NE(flow_hash_f64(1.0), flow_hash_i64(1));
}

TEST(StdlibHash, StringsOfEveryLengthDiffer) {
  // Each length class of the implementation (0, 1-3, 4-16, 17+ bytes) and
  // single-byte changes at every position.
  std::set<uint64_t> seen;
  std::string base(100, 'a');
  for (size_t len = 0; len <= base.size(); ++len) {
    EXPECT_TRUE(seen.insert(hs(base.substr(0, len))).second) << len;
  }
  for (size_t len : {1u, 3u, 4u, 8u, 15u, 16u, 17u, 32u, 33u, 100u}) {
    std::string s(len, 'x');
    uint64_t h0 = hs(s);
    for (size_t i = 0; i < len; ++i) {
      std::string t = s;
      t[i] = 'y';
      EXPECT_NE(hs(t), h0) << len << " " << i;
    }
  }
  EXPECT_NE(hs(std::string("\0", 1)), hs(""));
  EXPECT_NE(hs(std::string("\0", 1)), hs(std::string("\0\0", 2)));
}

TEST(StdlibHash, LowBitsSpreadSequentialInts) {
  // A table indexes by the low bits: sequential keys must fill buckets.
  constexpr int kBuckets = 1024;
  int counts[kBuckets] = {};
  for (int64_t i = 0; i < kBuckets * 16; ++i) {
    counts[flow_hash_i64(i) & (kBuckets - 1)]++;
  }
  for (int c : counts) EXPECT_LT(c, 48);
}

TEST(StdlibHash, CombineIsOrderSensitive) {
  uint64_t a = flow_hash_i64(1);
  uint64_t b = flow_hash_i64(2);
  EXPECT_NE(flow_hash_combine(a, b), flow_hash_combine(b, a));
  EXPECT_EQ(flow_hash_combine(a, b), flow_hash_combine(a, b));
  EXPECT_NE(flow_hash_combine(a, a), 0u);
  EXPECT_NE(flow_hash_combine(flow_hash_combine(a, b), a),
            flow_hash_combine(a, flow_hash_combine(b, a)));
}
