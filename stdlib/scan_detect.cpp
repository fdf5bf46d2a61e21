// stdlib/scan_detect.cpp — the CPU's structure-finding level (CPUID, and
// XGETBV for the OS's support of the wider registers), capped by the
// FLOWC_SIMD environment variable. Native code only (stdlib/CMakeLists.txt).
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace {

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
  return level < cap ? level : cap;
}

int32_t flow_simd_cpu_level(void) { return cpu_level(); }

}  // extern "C"
