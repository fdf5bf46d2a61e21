// stdlib/swar.h — bytes eight at a time in a 64-bit integer (SIMD within a
// register): digit runs, byte classes. Every per-byte flag here is exact:
// values are masked to 7 bits before adding, so no carry crosses a byte.
// Little-endian: the first byte of memory is the lowest byte of the word.
// Internal linkage (static): a file compiled for more than baseline x86-64
// must never lend its copy to another (see scan_index.h).
#ifndef FLOWC_STDLIB_SWAR_H
#define FLOWC_STDLIB_SWAR_H

#include <stdint.h>
#include <string.h>

namespace flow_swar {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
constexpr uint64_t kHigh = 0x8080808080808080ull;

static inline uint64_t load8(const void* p) {
  uint64_t w;
  memcpy(&w, p, 8);
  return w;
}

// The high bit of each byte of w equal to c.
static inline uint64_t eq(uint64_t w, uint8_t c) {
  uint64_t x = w ^ (kOnes * c);
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// The high bit of each byte whose low 7 bits are >= c (c <= 0x80).
static inline uint64_t ge7(uint64_t w, uint8_t c) {
  return ((w & kLow7) + kOnes * (0x80 - c)) & kHigh;
}

// The high bit of each byte of w that is not an ASCII digit.
static inline uint64_t non_digits(uint64_t w) {
  return ~(ge7(w, '0') & ~ge7(w, '9' + 1) & ~w) & kHigh;
}

// The value of 8 ASCII digits, the first in the lowest byte (Lemire).
static inline uint64_t eight_digits(uint64_t w) {
  w -= kOnes * '0';
  w = w * 10 + (w >> 8);
  return (((w & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
          (((w >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >>
         32;
}

// The eight high bits of w gathered into the low byte (bit i: byte i).
static inline uint64_t gather(uint64_t w) { return ((w >> 7) * 0x0102040810204080ull) >> 56; }

// The end of the run of ASCII digits at p[i..n).
static inline int64_t skip_digits(const unsigned char* p, int64_t i, int64_t n) {
  while (n - i >= 8) {
    uint64_t bad = non_digits(load8(p + i));
    if (bad != 0) return i + (__builtin_ctzll(bad) >> 3);
    i += 8;
  }
  while (i < n && static_cast<unsigned char>(p[i] - '0') <= 9) ++i;
  return i;
}

}  // namespace flow_swar

#endif  // FLOWC_STDLIB_SWAR_H
