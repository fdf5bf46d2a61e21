// stdlib/scan_sse2.cpp — the structure-finding kernel 16 bytes at a time
// with SSE2, which every x86-64 CPU has: the level built programs fall back
// to on CPUs without AVX2.
#include "scan_index.h"

#if defined(__SSE2__)
#include <emmintrin.h>

namespace {

struct Sse2 {
  template <int Cls>
  FLOW_NO_ASAN static uint64_t flags(const char* p, int32_t arg) {
    uint64_t bits = 0;
    for (int k = 0; k < 4; ++k) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
      __m128i hit;
      if (Cls == FLOW_SCAN_JSON) {
        // Signed compare: bytes >= 0x80 are negative, so "< 0x20" flags
        // both control characters and non-ASCII.
        hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                           _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
      } else if (Cls == FLOW_SCAN_CSV) {
        hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(arg))),
                           _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
      } else if (Cls == FLOW_SCAN_BYTE) {
        hit = _mm_cmpeq_epi8(v, _mm_set1_epi8(static_cast<char>(arg)));
      } else {
        hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
                           _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(8)),
                                         _mm_cmplt_epi8(v, _mm_set1_epi8(14))));
      }
      bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(hit))) << (16 * k);
    }
    return bits;
  }
};

}  // namespace

extern "C" __attribute__((noinline)) int64_t flow_scan_index_sse2(const char* p, int64_t n,
                                                                  int32_t cls, int32_t arg,
                                                                  uint64_t* out, int64_t words) {
  return scan_index<Sse2>(p, n, cls, arg, out, words);
}

#else  // not x86-64: the level dispatcher never picks SSE2

extern "C" __attribute__((noinline)) int64_t flow_scan_index_sse2(const char* p, int64_t n,
                                                                  int32_t cls, int32_t arg,
                                                                  uint64_t* out, int64_t words) {
  return flow_scan_index_swar(p, n, cls, arg, out, words);
}

#endif
