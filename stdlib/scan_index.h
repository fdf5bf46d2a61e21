// stdlib/scan_index.h — the body of the structure-finding kernels, shared
// by the per-CPU-level files (scan_swar.cpp, scan_sse2.cpp, scan_avx2.cpp,
// scan_avx512.cpp). Each of those includes this header with its own
// compiler flags (-mavx2 ...) and a `Block` type that flags one 64-byte
// block; scan_level.cpp picks one at run time (see flow_scan_index in
// flow_stdlib.h).
//
// Everything here has internal linkage: a level file's copy is compiled
// for its instruction set, and must never be merged with another file's
// (a linkonce function compiled with -mavx2 replacing a baseline one would
// crash on an older CPU).
#ifndef FLOWC_STDLIB_SCAN_INDEX_H
#define FLOWC_STDLIB_SCAN_INDEX_H

#include <stdint.h>
#include <string.h>

#include "flow_stdlib.h"

namespace {

// A load of 64 bytes at p may read bytes past the input's end when they
// lie on the same 4 KiB page as p + 63 and p (pages are the unit of
// mapping, so such bytes are readable); their flags are masked off. Not a
// bug for sanitizers: the loads are exempt from AddressSanitizer and
// ThreadSanitizer (which would see a neighbouring heap block's bytes).
inline bool block_stays_in_page(const char* p) {
  return (reinterpret_cast<uintptr_t>(p) & 4095) <= 4096 - 64;
}

#if defined(__clang__) || defined(__GNUC__)
#define FLOW_NO_ASAN __attribute__((no_sanitize_address, no_sanitize_thread))
#else
#define FLOW_NO_ASAN
#endif

// Flags for [p, p + min(n, 64 * words)) into out; returns the words
// written. `Block::template flags<Cls>(p, arg)` flags the 64 bytes at p.
template <class Block, int Cls>
FLOW_NO_ASAN inline int64_t scan_blocks(const char* p, int64_t n, int32_t arg, uint64_t* out,
                                        int64_t words) {
  int64_t full = n >> 6;
  if (full > words) full = words;
  for (int64_t k = 0; k < full; ++k) out[k] = Block::template flags<Cls>(p + 64 * k, arg);
  if (full == words || (n & 63) == 0) return full;
  // The last, partial block: bytes at and past the end count as flagged,
  // so that a search for the next flag stops at the end of the input.
  const char* tail = p + 64 * full;
  int64_t left = n - 64 * full;
  uint64_t past = ~uint64_t{0} << left;
  uint64_t bits;
  if (block_stays_in_page(tail)) {
    bits = Block::template flags<Cls>(tail, arg);
  } else {
    char copy[64];
    memset(copy, 0, sizeof copy);
    memcpy(copy, tail, static_cast<size_t>(left));
    bits = Block::template flags<Cls>(copy, arg);
  }
  out[full] = bits | past;
  return full + 1;
}

template <class Block>
FLOW_NO_ASAN inline int64_t scan_index(const char* p, int64_t n, int32_t cls, int32_t arg,
                                       uint64_t* out, int64_t words) {
  if (n <= 0 || words <= 0) return 0;
  switch (cls) {
    case FLOW_SCAN_JSON: return scan_blocks<Block, FLOW_SCAN_JSON>(p, n, arg, out, words);
    case FLOW_SCAN_CSV: return scan_blocks<Block, FLOW_SCAN_CSV>(p, n, arg, out, words);
    case FLOW_SCAN_SPACE: return scan_blocks<Block, FLOW_SCAN_SPACE>(p, n, arg, out, words);
    default: return scan_blocks<Block, FLOW_SCAN_BYTE>(p, n, arg, out, words);
  }
}

}  // namespace

#endif  // FLOWC_STDLIB_SCAN_INDEX_H
