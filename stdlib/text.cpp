// stdlib/text.cpp — string functions of LANGUAGE.md 8. Strings are bytes:
// lower/upper/trim only touch ASCII, so UTF-8 passes through unchanged.
#include <string.h>

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

void map_ascii(FlowArena* arena, const char* p, int64_t n, FlowStr* out,
               char lo, char hi, int delta) {
  char* dst = static_cast<char*>(flow_arena_alloc(arena, n));
  for (int64_t i = 0; i < n; ++i) {
    char c = p[i];
    dst[i] = (c >= lo && c <= hi) ? static_cast<char>(c + delta) : c;
  }
  out->ptr = n > 0 ? dst : "";
  out->len = n;
}

}  // namespace

extern "C" {

int64_t flow_str_len(const char* p, int64_t n) { return n; }

void flow_str_lower(FlowArena* arena, const char* p, int64_t n, FlowStr* out) {
  map_ascii(arena, p, n, out, 'A', 'Z', 'a' - 'A');
}

void flow_str_upper(FlowArena* arena, const char* p, int64_t n, FlowStr* out) {
  map_ascii(arena, p, n, out, 'a', 'z', 'A' - 'a');
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
