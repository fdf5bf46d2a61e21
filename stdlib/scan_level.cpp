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
// the pipeline for the host CPU too.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace {

int32_t g_level = 0;  // 0: not decided yet (read and written atomically)

#if defined(__x86_64__)
uint64_t xcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

int32_t cpu_level() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return FLOW_SIMD_SSE2;
  bool osxsave = (c >> 27) & 1;
  if (!osxsave || !__get_cpuid_count(7, 0, &a, &b, &c, &d)) return FLOW_SIMD_SSE2;
  uint64_t xcr = xcr0();
  bool ymm_state = (xcr & 0x6) == 0x6;     // SSE and AVX registers saved by the OS
  bool zmm_state = (xcr & 0xe6) == 0xe6;   // ... and the AVX-512 mask and upper ZMM ones
  bool avx2 = (b >> 5) & 1;
  bool avx512 = ((b >> 16) & 1) && ((b >> 30) & 1);  // AVX512F and AVX512BW
  if (avx512 && zmm_state) return FLOW_SIMD_AVX512;
  if (avx2 && ymm_state) return FLOW_SIMD_AVX2;
  return FLOW_SIMD_SSE2;
}
#else
int32_t cpu_level() { return FLOW_SIMD_SWAR; }
#endif

int32_t env_cap() {
  const char* want = getenv("FLOWC_SIMD");
  if (want == nullptr || *want == '\0') return FLOW_SIMD_AVX512;
  if (strcmp(want, "swar") == 0) return FLOW_SIMD_SWAR;
  if (strcmp(want, "sse2") == 0) return FLOW_SIMD_SSE2;
  if (strcmp(want, "avx2") == 0) return FLOW_SIMD_AVX2;
  return FLOW_SIMD_AVX512;
}

}  // namespace

extern "C" {

int32_t flow_simd_detect(void) {
  int32_t cap = env_cap();
  int32_t level = cpu_level();
  if (level > cap) level = cap;
  __atomic_store_n(&g_level, level, __ATOMIC_RELAXED);
  return level;
}

int32_t flow_simd_cpu_level(void) { return cpu_level(); }

void flow_simd_set_level(int32_t level) {
  int32_t best = cpu_level();
  if (level < FLOW_SIMD_SWAR) level = FLOW_SIMD_SWAR;
  __atomic_store_n(&g_level, level < best ? level : best, __ATOMIC_RELAXED);
}

int32_t flow_simd_level(void) {
  int32_t level = __atomic_load_n(&g_level, __ATOMIC_RELAXED);
  return __builtin_expect(level != 0, 1) ? level : flow_simd_detect();
}

int64_t flow_scan_index(const char* p, int64_t n, int32_t cls, int32_t arg, uint64_t* out,
                        int64_t words) {
  switch (flow_simd_level()) {
    case FLOW_SIMD_AVX512: return flow_scan_index_avx512(p, n, cls, arg, out, words);
    case FLOW_SIMD_AVX2: return flow_scan_index_avx2(p, n, cls, arg, out, words);
    case FLOW_SIMD_SSE2: return flow_scan_index_sse2(p, n, cls, arg, out, words);
    default: return flow_scan_index_swar(p, n, cls, arg, out, words);
  }
}

}  // extern "C"
