// stdlib/scan_level.cpp — which structure-finding kernel runs: the CPU's
// best level, read once with CPUID, capped by the FLOWC_SIMD environment
// variable (swar, sse2, avx2, avx512: tests and benchmarks force a level
// with it) or by flow_simd_set_level.
//
// Levels and what they run (flow_scan_index; every text format's scanner
// is built on it: JSON string bodies, CSV fields, words()):
//   FLOW_SIMD_AVX512  64 bytes per step, AVX-512BW mask compares
//                     (x86-64 with AVX-512BW and OS support for its state)
//   FLOW_SIMD_AVX2    2 x 32 bytes per step (x86-64 with AVX2)
//   FLOW_SIMD_SSE2    4 x 16 bytes per step (every x86-64)
//   FLOW_SIMD_SWAR    8 x 8 bytes in 64-bit integers (other CPUs, or forced)
// Built programs are compiled for baseline x86-64 and reach the AVX2 and
// AVX-512 kernels only through this dispatch; the JIT compiles the rest of
// the pipeline for the host CPU too. The kernels and the CPU detection
// (scan_detect.cpp) are native code only: this file, compiled into every
// pipeline, holds the level and the dispatch.
#include "flow_stdlib.h"

namespace {

int32_t g_level = 0;  // 0: not decided yet (read and written atomically)

}  // namespace

extern "C" {

void flow_simd_set_level(int32_t level) {
  int32_t best = flow_simd_cpu_level();
  if (level < FLOW_SIMD_SWAR) level = FLOW_SIMD_SWAR;
  __atomic_store_n(&g_level, level < best ? level : best, __ATOMIC_RELAXED);
}

int32_t flow_simd_level(void) {
  int32_t level = __atomic_load_n(&g_level, __ATOMIC_RELAXED);
  if (__builtin_expect(level != 0, 1)) return level;
  level = flow_simd_detect();
  __atomic_store_n(&g_level, level, __ATOMIC_RELAXED);
  return level;
}

FLOW_INLINE_INTO_PIPELINE int64_t flow_scan_index(const char* p, int64_t n, int32_t cls,
                                                  int32_t arg, uint64_t* out, int64_t words) {
  switch (flow_simd_level()) {
    case FLOW_SIMD_AVX512: return flow_scan_index_avx512(p, n, cls, arg, out, words);
    case FLOW_SIMD_AVX2: return flow_scan_index_avx2(p, n, cls, arg, out, words);
    case FLOW_SIMD_SSE2: return flow_scan_index_sse2(p, n, cls, arg, out, words);
    default: return flow_scan_index_swar(p, n, cls, arg, out, words);
  }
}

}  // extern "C"
