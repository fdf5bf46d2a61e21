// stdlib/scan_swar.cpp — the structure-finding kernel eight bytes at a time
// in plain 64-bit integers (SWAR): the portable fallback, used when no SIMD
// level is available or when FLOWC_SIMD=swar forces it (tests do, so that
// the scalar path stays correct). Per-byte flags are exact: no carry ever
// crosses a byte (values are masked to 7 bits before adding).
#include "scan_index.h"

namespace {

constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
constexpr uint64_t kHigh = 0x8080808080808080ull;

// High bit of each byte of w that equals c.
inline uint64_t eq(uint64_t w, uint8_t c) {
  uint64_t x = w ^ (kOnes * c);
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// High bit of each byte of w that is >= c (c <= 0x80), for bytes < 0x80.
inline uint64_t ge7(uint64_t w, uint8_t c) { return ((w & kLow7) + kOnes * (0x80 - c)) & kHigh; }

// The eight high bits of w, gathered into the low byte (bit i: byte i).
inline uint64_t gather(uint64_t w) { return ((w >> 7) * 0x0102040810204080ull) >> 56; }

struct Swar {
  template <int Cls>
  static uint64_t flags(const char* p, int32_t arg) {
    uint64_t bits = 0;
    for (int k = 0; k < 8; ++k) {
      uint64_t w;
      memcpy(&w, p + 8 * k, 8);
      uint64_t hit;
      if (Cls == FLOW_SCAN_JSON) {
        // '"', '\\', and bytes < 0x20 or >= 0x80 (high bit set).
        hit = eq(w, '"') | eq(w, '\\') | ((w | ~ge7(w, 0x20)) & kHigh);
      } else if (Cls == FLOW_SCAN_CSV) {
        hit = eq(w, static_cast<uint8_t>(arg)) | eq(w, '"');
      } else {
        hit = eq(w, ' ') | (ge7(w, 9) & ~ge7(w, 14) & ~w & kHigh);
      }
      bits |= gather(hit) << (8 * k);
    }
    return bits;
  }
};

}  // namespace

extern "C" __attribute__((noinline)) int64_t flow_scan_index_swar(const char* p, int64_t n, int32_t cls, int32_t arg,
                                        uint64_t* out, int64_t words) {
  return scan_index<Swar>(p, n, cls, arg, out, words);
}
