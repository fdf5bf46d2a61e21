// stdlib/scan_avx2.cpp — the structure-finding kernel 32 bytes at a time
// with AVX2. Compiled with -mavx2 (stdlib/CMakeLists.txt); called only when
// the CPU has AVX2 (flow_simd_level), so built programs still start on
// older x86-64 CPUs.
#include "scan_index.h"

#if defined(__AVX2__)
#include <immintrin.h>

namespace {

struct Avx2 {
  template <int Cls>
  FLOW_NO_ASAN static uint64_t flags(const char* p, int32_t arg) {
    uint64_t bits = 0;
    for (int k = 0; k < 2; ++k) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * k));
      __m256i hit;
      if (Cls == FLOW_SCAN_JSON) {
        // Signed: "< 0x20" flags control characters and non-ASCII alike.
        hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')),
                                              _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))),
                              _mm256_cmpgt_epi8(_mm256_set1_epi8(0x20), v));
      } else if (Cls == FLOW_SCAN_CSV) {
        hit = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(static_cast<char>(arg))),
                              _mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')));
      } else if (Cls == FLOW_SCAN_BYTE) {
        hit = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(static_cast<char>(arg)));
      } else {
        hit = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')),
                              _mm256_and_si256(_mm256_cmpgt_epi8(v, _mm256_set1_epi8(8)),
                                               _mm256_cmpgt_epi8(_mm256_set1_epi8(14), v)));
      }
      bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hit))) << (32 * k);
    }
    return bits;
  }
};

}  // namespace

extern "C" __attribute__((noinline)) int64_t flow_scan_index_avx2(const char* p, int64_t n,
                                                                  int32_t cls, int32_t arg,
                                                                  uint64_t* out, int64_t words) {
  return scan_index<Avx2>(p, n, cls, arg, out, words);
}

#else  // built without AVX2 support: never picked by the dispatcher

extern "C" __attribute__((noinline)) int64_t flow_scan_index_avx2(const char* p, int64_t n,
                                                                  int32_t cls, int32_t arg,
                                                                  uint64_t* out, int64_t words) {
  return flow_scan_index_swar(p, n, cls, arg, out, words);
}

#endif
