// Iteration for `explode`, owned strings for keyed state, and the sorted
// session lists of session windows.
#include <cstdlib>
#include <cstring>

#include "flow_stdlib.h"
#include "swar.h"

namespace {

bool ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The high bit of each byte of w that ascii_space accepts: ' ' or 9..13.
uint64_t space_bytes(uint64_t w) {
  using namespace flow_swar;
  return eq(w, ' ') | (ge7(w, '\t') & ~ge7(w, '\r' + 1) & ~w & kHigh);
}

}  // namespace

extern "C" {

// *pos is the start of the next part, or -1 once the last part was given.
int32_t flow_str_next_split(const char* p, int64_t n, const char* sep, int64_t sn,
                            int64_t* pos, FlowStr* out) {
  int64_t start = *pos;
  if (start < 0 || start > n) return 0;
  if (sn > 0) {
    for (int64_t i = start; i + sn <= n; ++i) {
      if (p[i] == sep[0] && std::memcmp(p + i, sep, static_cast<size_t>(sn)) == 0) {
        out->ptr = p + start;
        out->len = i - start;
        *pos = i + sn;
        return 1;
      }
    }
  }
  out->ptr = p + start;
  out->len = n - start;
  *pos = -1;
  return 1;
}

int32_t flow_str_next_word(const char* p, int64_t n, int64_t* pos, FlowStr* out) {
  int64_t i = *pos;
  while (i < n && ascii_space(p[i])) ++i;  // usually one separator
  if (i >= n) {
    *pos = n;
    return 0;
  }
  int64_t start = i;
  // The word's end, 8 bytes a step (SWAR whitespace flags; no load past n).
  ++i;
  for (;;) {
    if (n - i >= 8) {
      uint64_t ws = space_bytes(flow_swar::load8(p + i));
      if (ws == 0) {
        i += 8;
        continue;
      }
      i += __builtin_ctzll(ws) >> 3;
      break;
    }
    while (i < n && !ascii_space(p[i])) ++i;
    break;
  }
  out->ptr = p + start;
  out->len = i - start;
  *pos = i;
  return 1;
}

void flow_strbuf_set(FlowStrBuf* buf, const char* p, int64_t n) {
  if (n > buf->cap) {
    int64_t cap = n < 16 ? 16 : n;
    char* bytes = static_cast<char*>(std::realloc(buf->ptr, static_cast<size_t>(cap)));
    if (bytes == nullptr) std::abort();
    buf->ptr = bytes;
    buf->cap = cap;
  }
  if (n > 0) std::memmove(buf->ptr, p, static_cast<size_t>(n));
  buf->len = n;
}

void flow_strbuf_free(FlowStrBuf* buf) {
  std::free(buf->ptr);
  buf->ptr = nullptr;
  buf->len = 0;
  buf->cap = 0;
}

char* flow_bytes_dup(const char* p, int64_t n) {
  char* out = static_cast<char*>(std::malloc(n > 0 ? static_cast<size_t>(n) : 1));
  if (out == nullptr) std::abort();
  if (n > 0) std::memcpy(out, p, static_cast<size_t>(n));
  return out;
}

void flow_bytes_free(char* p) { std::free(p); }

int64_t flow_sessions_lower(const FlowSessionList* s, int64_t elem_size, int64_t t,
                            int64_t gap) {
  int64_t from;
  if (__builtin_sub_overflow(t, gap, &from)) from = INT64_MIN;
  int64_t lo = 0, hi = s->len;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    int64_t last;
    std::memcpy(&last, s->data + mid * elem_size + 8, sizeof last);
    if (last < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void* flow_sessions_insert(FlowSessionList* s, int64_t elem_size, int64_t pos) {
  if (s->len == s->cap) {
    int64_t cap = s->cap < 4 ? 4 : s->cap * 2;
    char* data = static_cast<char*>(std::realloc(s->data, static_cast<size_t>(cap * elem_size)));
    if (data == nullptr) std::abort();
    s->data = data;
    s->cap = cap;
  }
  char* at = s->data + pos * elem_size;
  std::memmove(at + elem_size, at, static_cast<size_t>((s->len - pos) * elem_size));
  std::memset(at, 0, static_cast<size_t>(elem_size));
  ++s->len;
  return at;
}

void flow_sessions_erase(FlowSessionList* s, int64_t elem_size, int64_t pos, int64_t n) {
  if (n <= 0) return;
  char* at = s->data + pos * elem_size;
  std::memmove(at, at + n * elem_size, static_cast<size_t>((s->len - pos - n) * elem_size));
  s->len -= n;
  if (s->len == 0) {
    flow_sessions_free(s);
  } else if (s->cap > 8 && s->len <= s->cap / 4) {
    int64_t cap = s->cap / 2;
    char* data = static_cast<char*>(std::realloc(s->data, static_cast<size_t>(cap * elem_size)));
    if (data != nullptr) {
      s->data = data;
      s->cap = cap;
    }
  }
}

void flow_sessions_free(FlowSessionList* s) {
  std::free(s->data);
  s->data = nullptr;
  s->len = 0;
  s->cap = 0;
}

}  // extern "C"
