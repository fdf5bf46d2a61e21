// stdlib/text.cpp — string functions of LANGUAGE.md 8. Strings are bytes:
// trim only touches ASCII; lower/upper map every code point of valid UTF-8
// by Unicode's simple case mapping (LANGUAGE.md 13 "Letters") and pass
// invalid bytes through unchanged.
#include <string.h>

#include "case_table.h"
#include "flow_stdlib.h"

namespace {

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
         c == '\f';
}

// memmem is a GNU extension; this keeps the bitcode on plain C calls.
// memchr for the first byte does the heavy lifting on long haystacks.
const char* find_bytes(const char* p, int64_t n, const char* t, int64_t tn) {
  if (tn == 0) return p;
  if (tn > n) return nullptr;
  const char* last = p + (n - tn);
  const char* cur = p;
  while (cur <= last) {
    const void* hit = memchr(cur, static_cast<unsigned char>(t[0]),
                             static_cast<size_t>(last - cur + 1));
    if (!hit) return nullptr;
    cur = static_cast<const char*>(hit);
    if (memcmp(cur + 1, t + 1, static_cast<size_t>(tn - 1)) == 0) return cur;
    ++cur;
  }
  return nullptr;
}

// One direction of case mapping: the ASCII letters (the fast path) and the
// generated table for everything else.
struct CaseMap {
  char lo, hi;  // the ASCII letters that change
  int delta;    // and by how much
  const CaseRun* runs;
  int64_t run_count;
};

constexpr CaseMap kLower = {'A', 'Z', 'a' - 'A', kToLower, sizeof(kToLower) / sizeof(kToLower[0])};
constexpr CaseMap kUpper = {'a', 'z', 'A' - 'a', kToUpper, sizeof(kToUpper) / sizeof(kToUpper[0])};

char map_ascii_byte(const CaseMap& m, char c) {
  return (c >= m.lo && c <= m.hi) ? static_cast<char>(c + m.delta) : c;
}

// The run holding cp (binary search over runs sorted by first), or cp.
int32_t map_code_point(const CaseMap& m, int32_t cp) {
  int64_t lo = 0;
  int64_t hi = m.run_count;  // first run whose first > cp, in [lo, hi]
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (m.runs[mid].first <= cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo == 0) return cp;
  const CaseRun& r = m.runs[lo - 1];
  if (cp > r.last || (cp - r.first) % r.stride != 0) return cp;
  return cp + r.delta;
}

// Decodes the UTF-8 sequence at p[0] >= 0x80 (n bytes left): its length,
// with the code point in *cp, or 0 when the bytes there are not valid
// UTF-8 (a stray continuation byte, an overlong form, a surrogate, above
// U+10FFFF, or cut short), so that the caller passes p[0] through.
int utf8_decode(const unsigned char* p, int64_t n, int32_t* cp) {
  // The smallest code point of each length: anything below is overlong.
  static constexpr int32_t kMinOfLength[] = {0, 0, 0x80, 0x800, 0x10000};
  unsigned char b = p[0];
  if (b < 0xC2 || b > 0xF4) return 0;  // a continuation byte, C0/C1 (overlong), F5..FF
  int len = b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  *cp = b & (0x7F >> len);
  if (n < len) return 0;
  for (int i = 1; i < len; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (p[i] & 0x3F);
  }
  if (*cp < kMinOfLength[len] || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

int utf8_length(int32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

void utf8_encode(int32_t cp, char* dst) {
  unsigned char* d = reinterpret_cast<unsigned char*>(dst);
  if (cp < 0x80) {
    d[0] = static_cast<unsigned char>(cp);
  } else if (cp < 0x800) {
    d[0] = static_cast<unsigned char>(0xC0 | (cp >> 6));
    d[1] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    d[0] = static_cast<unsigned char>(0xE0 | (cp >> 12));
    d[1] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
    d[2] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
  } else {
    d[0] = static_cast<unsigned char>(0xF0 | (cp >> 18));
    d[1] = static_cast<unsigned char>(0x80 | ((cp >> 12) & 0x3F));
    d[2] = static_cast<unsigned char>(0x80 | ((cp >> 6) & 0x3F));
    d[3] = static_cast<unsigned char>(0x80 | (cp & 0x3F));
  }
}

// Walks p the way lower/upper do: every ASCII byte, valid sequence and
// invalid byte in turn. With dst null it only sums the output length (a
// mapping may change a character's UTF-8 length: U+023F is 2 bytes, its
// upper case U+2C7E is 3), so the result is one exact allocation.
int64_t map_utf8(const CaseMap& m, const char* p, int64_t n, char* dst) {
  const unsigned char* u = reinterpret_cast<const unsigned char*>(p);
  int64_t w = 0;
  for (int64_t i = 0; i < n;) {
    if (u[i] < 0x80) {
      if (dst) dst[w] = map_ascii_byte(m, p[i]);
      ++w;
      ++i;
      continue;
    }
    int32_t cp;
    int len = utf8_decode(u + i, n - i, &cp);
    if (len == 0) {  // invalid: this one byte passes through
      if (dst) dst[w] = p[i];
      ++w;
      ++i;
      continue;
    }
    int32_t to = map_code_point(m, cp);
    if (dst) utf8_encode(to, dst + w);
    w += utf8_length(to);
    i += len;
  }
  return w;
}

// Fast path, one pass that the compiler vectorizes: maps every byte as
// ASCII (the letters kLo..kHi move by kDelta) and returns the OR of the
// input bytes. Most keys and words are ASCII, and then dst is the result.
// The letters are template arguments so that the loop sees constants.
template <char kLo, char kHi, int kDelta>
unsigned char map_ascii(const char* p, int64_t n, char* dst) {
  unsigned char seen = 0;
  for (int64_t i = 0; i < n; ++i) {
    char c = p[i];
    seen |= static_cast<unsigned char>(c);
    dst[i] = (c >= kLo && c <= kHi) ? static_cast<char>(c + kDelta) : c;
  }
  return seen;
}

// After map_ascii into dst (n bytes): when the input was not all ASCII,
// maps it again by code point, into a bigger buffer if it grew.
void finish_case(const CaseMap& m, FlowArena* arena, const char* p, int64_t n, char* dst,
                 unsigned char seen, FlowStr* out) {
  int64_t len = n;
  if (seen & 0x80) {
    len = map_utf8(m, p, n, nullptr);
    if (len > n) dst = static_cast<char*>(flow_arena_alloc(arena, len));
    map_utf8(m, p, n, dst);
  }
  out->ptr = len > 0 ? dst : "";
  out->len = len;
}

}  // namespace

extern "C" {

int64_t flow_str_len(const char* p, int64_t n) { return n; }

void flow_str_lower(FlowArena* arena, const char* p, int64_t n, FlowStr* out) {
  char* dst = static_cast<char*>(flow_arena_alloc(arena, n));
  finish_case(kLower, arena, p, n, dst, map_ascii<'A', 'Z', 'a' - 'A'>(p, n, dst), out);
}

void flow_str_upper(FlowArena* arena, const char* p, int64_t n, FlowStr* out) {
  char* dst = static_cast<char*>(flow_arena_alloc(arena, n));
  finish_case(kUpper, arena, p, n, dst, map_ascii<'a', 'z', 'A' - 'a'>(p, n, dst), out);
}

void flow_str_trim(const char* p, int64_t n, FlowStr* out) {
  int64_t b = 0;
  int64_t e = n;
  while (b < e && is_ascii_space(p[b])) ++b;
  while (e > b && is_ascii_space(p[e - 1])) --e;
  out->ptr = p + b;
  out->len = e - b;
}

int32_t flow_str_contains(const char* p, int64_t n, const char* t,
                          int64_t tn) {
  return find_bytes(p, n, t, tn) != nullptr;
}

int32_t flow_str_starts_with(const char* p, int64_t n, const char* t,
                             int64_t tn) {
  return tn <= n && (tn == 0 || memcmp(p, t, static_cast<size_t>(tn)) == 0);
}

int32_t flow_str_ends_with(const char* p, int64_t n, const char* t,
                           int64_t tn) {
  return tn <= n &&
         (tn == 0 || memcmp(p + (n - tn), t, static_cast<size_t>(tn)) == 0);
}

void flow_str_substr(const char* p, int64_t n, int64_t start, int64_t count,
                     FlowStr* out) {
  if (start < 0) start = 0;
  if (start > n) start = n;
  if (count < 0) count = 0;
  if (count > n - start) count = n - start;
  out->ptr = p + start;
  out->len = count;
}

void flow_str_replace(FlowArena* arena, const char* p, int64_t n,
                      const char* from, int64_t fn, const char* to, int64_t tn,
                      FlowStr* out) {
  out->ptr = p;
  out->len = n;
  if (fn <= 0) return;
  const char* first = find_bytes(p, n, from, fn);
  if (!first) return;
  // Count first so the result is one exact allocation.
  int64_t hits = 0;
  for (const char* h = first; h; ) {
    ++hits;
    const char* next = h + fn;
    h = find_bytes(next, (p + n) - next, from, fn);
  }
  int64_t len = n + hits * (tn - fn);
  char* dst = static_cast<char*>(flow_arena_alloc(arena, len));
  char* w = dst;
  const char* r = p;
  for (const char* h = first; h; ) {
    memcpy(w, r, static_cast<size_t>(h - r));
    w += h - r;
    if (tn > 0) memcpy(w, to, static_cast<size_t>(tn));
    w += tn;
    r = h + fn;
    h = find_bytes(r, (p + n) - r, from, fn);
  }
  memcpy(w, r, static_cast<size_t>((p + n) - r));
  out->ptr = len > 0 ? dst : "";
  out->len = len;
}

void flow_str_split_part(const char* p, int64_t n, const char* sep, int64_t sn,
                         int64_t index, FlowStr* out) {
  out->ptr = "";
  out->len = 0;
  if (index < 0) return;
  if (sn <= 0) {
    if (index == 0) {
      out->ptr = p;
      out->len = n;
    }
    return;
  }
  const char* begin = p;
  const char* end = p + n;
  for (int64_t i = 0;; ++i) {
    const char* hit = find_bytes(begin, end - begin, sep, sn);
    if (i == index) {
      out->ptr = begin;
      out->len = (hit ? hit : end) - begin;
      return;
    }
    if (!hit) return;
    begin = hit + sn;
  }
}

void flow_str_concat(FlowArena* arena, const char* a, int64_t an,
                     const char* b, int64_t bn, FlowStr* out) {
  // Either side empty: the other is already the result, no copy needed.
  if (bn == 0) {
    out->ptr = a;
    out->len = an;
    return;
  }
  if (an == 0) {
    out->ptr = b;
    out->len = bn;
    return;
  }
  char* dst = static_cast<char*>(flow_arena_alloc(arena, an + bn));
  memcpy(dst, a, static_cast<size_t>(an));
  memcpy(dst + an, b, static_cast<size_t>(bn));
  out->ptr = dst;
  out->len = an + bn;
}

void flow_str_concat_n(FlowArena* arena, const FlowStr* parts, int64_t count,
                       FlowStr* out) {
  int64_t len = 0;
  for (int64_t i = 0; i < count; ++i) len += parts[i].len;
  char* dst = static_cast<char*>(flow_arena_alloc(arena, len));
  char* w = dst;
  for (int64_t i = 0; i < count; ++i) {
    if (parts[i].len > 0) {
      memcpy(w, parts[i].ptr, static_cast<size_t>(parts[i].len));
      w += parts[i].len;
    }
  }
  out->ptr = len > 0 ? dst : "";
  out->len = len;
}

int32_t flow_str_cmp(const char* a, int64_t an, const char* b, int64_t bn) {
  int64_t m = an < bn ? an : bn;
  int c = m > 0 ? memcmp(a, b, static_cast<size_t>(m)) : 0;
  if (c != 0) return c < 0 ? -1 : 1;
  return an < bn ? -1 : (an > bn ? 1 : 0);
}

int32_t flow_str_eq(const char* a, int64_t an, const char* b, int64_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, static_cast<size_t>(an)) == 0);
}

}  // extern "C"
