// stdlib/scan_avx512.cpp — the structure-finding kernel 64 bytes at a time
// with AVX-512BW: one load and a few compares into mask registers per
// block. Compiled with -mavx512bw (stdlib/CMakeLists.txt); called only when
// the CPU and the OS support AVX-512 (flow_simd_level).
#include "scan_index.h"

#if defined(__AVX512BW__)
#include <immintrin.h>

namespace {

struct Avx512 {
  template <int Cls>
  FLOW_NO_ASAN static uint64_t flags(const char* p, int32_t arg) {
    __m512i v = _mm512_loadu_si512(reinterpret_cast<const void*>(p));
    if (Cls == FLOW_SCAN_JSON) {
      // Signed: "< 0x20" flags control characters and non-ASCII alike.
      return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
             _mm512_cmplt_epi8_mask(v, _mm512_set1_epi8(0x20));
    } else if (Cls == FLOW_SCAN_CSV) {
      return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(arg))) |
             _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    } else if (Cls == FLOW_SCAN_BYTE) {
      return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(arg)));
    } else {
      return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) |
             (_mm512_cmpgt_epi8_mask(v, _mm512_set1_epi8(8)) &
              _mm512_cmplt_epi8_mask(v, _mm512_set1_epi8(14)));
    }
  }
};

}  // namespace

extern "C" __attribute__((noinline)) int64_t flow_scan_index_avx512(const char* p, int64_t n,
                                                                    int32_t cls, int32_t arg,
                                                                    uint64_t* out, int64_t words) {
  return scan_index<Avx512>(p, n, cls, arg, out, words);
}

#else  // built without AVX-512 support: never picked by the dispatcher

extern "C" __attribute__((noinline)) int64_t flow_scan_index_avx512(const char* p, int64_t n,
                                                                    int32_t cls, int32_t arg,
                                                                    uint64_t* out, int64_t words) {
  return flow_scan_index_swar(p, n, cls, arg, out, words);
}

#endif
