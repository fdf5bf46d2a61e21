// stdlib/hash.cpp — stable 64-bit hashes for hash(x, ...) and hash tables.
// A wyhash-style design (multiply to 128 bits, fold): fast on short keys,
// and the low bits — which index power-of-two tables — are well mixed.
// The values are part of the language (hash() results, Kafka partitioning),
// so these constants and byte orders must never change.
#include <string.h>

#include "flow_stdlib.h"

namespace {

// Odd 64-bit constants with balanced bits (wyhash's primes).
constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
constexpr uint64_t kP3 = 0x589965cc75374cc3ull;
// The one NaN every NaN hashes as (the default quiet NaN's bits).
constexpr uint64_t kCanonicalNan = 0x7ff8000000000000ull;

inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

// Little-endian loads (x86-64 and AArch64 Linux): memcpy compiles to a mov.
inline uint64_t load8(const char* p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

inline uint64_t load4(const char* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

}  // namespace

extern "C" {

uint64_t flow_hash_u64(uint64_t v) { return mix(mix(v ^ kP0, kP1), kP2); }

uint64_t flow_hash_i64(int64_t v) {
  return flow_hash_u64(static_cast<uint64_t>(v));
}

uint64_t flow_hash_f64(double v) {
  uint64_t bits;
  if (v != v) {
    bits = kCanonicalNan;
  } else {
    if (v == 0) v = 0.0;  // -0.0 == 0.0, so they must hash alike
    memcpy(&bits, &v, 8);
  }
  return flow_hash_u64(bits ^ kP3);  // keeps hash(1.0) apart from hash(bits)
}

uint64_t flow_hash_bool(int32_t v) { return flow_hash_u64(v != 0); }

uint64_t flow_hash_ts(int64_t ms) {
  return flow_hash_u64(static_cast<uint64_t>(ms));
}

uint64_t flow_hash_str(const char* p, int64_t n) {
  uint64_t len = static_cast<uint64_t>(n);
  uint64_t seed = kP0 ^ mix(len ^ kP1, kP2);
  uint64_t a = 0;
  uint64_t b = 0;
  if (n <= 16) {
    if (n >= 4) {
      // Two overlapping pairs of 4-byte loads cover 4..16 bytes.
      int64_t mid = (n >> 3) << 2;
      a = (load4(p) << 32) | load4(p + mid);
      b = (load4(p + n - 4) << 32) | load4(p + n - 4 - mid);
    } else if (n > 0) {
      auto byte = [&](int64_t i) {
        return static_cast<uint64_t>(static_cast<unsigned char>(p[i]));
      };
      a = (byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1);
    }
  } else {
    int64_t i = n;
    while (i > 16) {
      seed = mix(load8(p) ^ kP1, load8(p + 8) ^ seed);
      p += 16;
      i -= 16;
    }
    // The last 16 bytes, overlapping what the loop already took.
    a = load8(p + i - 16);
    b = load8(p + i - 8);
  }
  return mix(kP1 ^ len, mix(a ^ kP1, b ^ seed));
}

uint64_t flow_hash_combine(uint64_t a, uint64_t b) {
  // Asymmetric constants make combine(a, b) != combine(b, a).
  return mix(a ^ kP2, b ^ kP3) ^ a;
}

}  // extern "C"
