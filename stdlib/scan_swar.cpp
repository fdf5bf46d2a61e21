// stdlib/scan_swar.cpp — the structure-finding kernel eight bytes at a time
// in plain 64-bit integers (SWAR): the portable fallback, used when no SIMD
// level is available or when FLOWC_SIMD=swar forces it (tests do, so that
// the scalar path stays correct). Per-byte flags are exact: no carry ever
// crosses a byte (values are masked to 7 bits before adding).
#include "scan_index.h"
#include "swar.h"

namespace {

using flow_swar::eq;
using flow_swar::gather;
using flow_swar::ge7;
using flow_swar::kHigh;

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
      } else if (Cls == FLOW_SCAN_BYTE) {
        hit = eq(w, static_cast<uint8_t>(arg));
      } else {
        hit = eq(w, ' ') | (ge7(w, 9) & ~ge7(w, 14) & ~w & kHigh);
      }
      bits |= gather(hit) << (8 * k);
    }
    return bits;
  }
};

}  // namespace

extern "C" __attribute__((noinline)) int64_t flow_scan_index_swar(const char* p, int64_t n,
                                                                  int32_t cls, int32_t arg,
                                                                  uint64_t* out, int64_t words) {
  return scan_index<Swar>(p, n, cls, arg, out, words);
}
