// stdlib/json_fast.h — the fast paths of JSON-lines field extraction,
// shared by json.cpp (compiled into every pipeline, where they are inlined)
// and json_full.cpp (native code only: the full scanner they fall back to).
//
// Most JSON lines are flat objects whose keys and string values have no
// escapes and are ASCII, whose other values are numbers or true/false/null,
// written by one program: the same keys in the same order, the same
// spacing. Two fast paths read such records, both returning false as soon
// as a record is anything else (the full Scanner then reads it from the
// start and decides), and both, when they return true, leave exactly what
// the full scanner would have (the record is valid JSON; last duplicate
// key wins; strings are raw views):
//   - scan_layout: the record has the layout of an earlier one
//     (FlowJsonLayout): the bytes between values (`","page_id":"`) are
//     compared whole, a few word compares, so a member costs that compare
//     and finding its value's end; no key is looked up;
//   - scan_flat_object: any flat object, member by member, the cursor in a
//     register, string ends from the stop index; it records the layout of
//     the record it read for the next ones.

#ifndef FLOWC_STDLIB_JSON_FAST_H
#define FLOWC_STDLIB_JSON_FAST_H

#include <stdint.h>
#include <string.h>

#include "flow_stdlib.h"
#include "swar.h"

namespace {

using u8 = unsigned char;

// The stop index covers this many 64-byte blocks at a time (512 bytes: a
// typical record in one kernel call).
constexpr int64_t kIndexWords = 8;

// A flat record's bytes with the stop index (flow_scan_index, the CPU's
// level) built 512 bytes at a time as the cursor needs it.
struct FlatRecord {
  const u8* p;
  int64_t n;
  uint64_t ix[kIndexWords];
  int64_t ix_from = 0;
  int64_t ix_to = 0;

  // The first stop at or after i (a quote, if the string is plain), or n.
  // (i may lie before the indexed window: scan_flat_object reads a record
  // again from the start after scan_layout gave up on it.)
  __attribute__((always_inline)) int64_t next_stop(int64_t i) {
    for (;;) {
      if (i >= ix_to || i < ix_from) {
        if (i >= n) return n;
        int64_t words = flow_scan_index(reinterpret_cast<const char*>(p + i), n - i, FLOW_SCAN_JSON,
                                        0, ix, kIndexWords);
        ix_from = i;
        ix_to = i + 64 * words < n ? i + 64 * words : n;
      }
      int64_t rel = i - ix_from;
      uint64_t w = ix[rel >> 6] >> (rel & 63);
      if (w != 0) return i + __builtin_ctzll(w);
      i = ix_from + (rel | 63) + 1;
    }
  }

  int64_t ws(int64_t i) const {
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) ++i;
    return i;
  }

  // The end of the number at i (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
  // or -1 when there is none.
  __attribute__((always_inline)) int64_t number_end(int64_t i) const {
    if (i < n && p[i] == '-') ++i;
    if (i >= n) return -1;
    if (p[i] == '0') {
      ++i;
    } else {
      int64_t d = flow_swar::skip_digits(p, i, n);
      if (d == i) return -1;
      i = d;
    }
    if (i < n && p[i] == '.') {
      int64_t d = flow_swar::skip_digits(p, i + 1, n);
      if (d == i + 1) return -1;
      i = d;
    }
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
      ++i;
      if (i < n && (p[i] == '+' || p[i] == '-')) ++i;
      int64_t d = flow_swar::skip_digits(p, i, n);
      if (d == i) return -1;
      i = d;
    }
    return i;
  }

  // The end of the scalar at i that is not a string (a number or a
  // literal) and its kind, or -1.
  __attribute__((always_inline)) int64_t scalar_end(int64_t i, int32_t* kind) const {
    u8 c = p[i];
    if (c == '-' || static_cast<u8>(c - '0') <= 9) {
      *kind = FLOW_JSON_NUMBER;
      return number_end(i);
    }
    auto word = [&](const char* w, int64_t len, int32_t k) -> int64_t {
      if (n - i < len || memcmp(p + i, w, static_cast<size_t>(len)) != 0) return -1;
      *kind = k;
      return i + len;
    };
    if (c == 't') return word("true", 4, FLOW_JSON_TRUE);
    if (c == 'f') return word("false", 5, FLOW_JSON_FALSE);
    if (c == 'n') return word("null", 4, FLOW_JSON_NULL);
    return -1;  // nested, or not JSON
  }
};

// [p, p + len) equals the layout's bytes at `at` (no load past either).
inline bool same_bytes(const u8* p, const char* want, int64_t len) {
  while (len >= 8) {
    if (flow_swar::load8(p) != flow_swar::load8(want)) return false;
    p += 8, want += 8, len -= 8;
  }
  if (len >= 4) {
    uint32_t a, b, c, d;
    memcpy(&a, p, 4), memcpy(&b, want, 4), memcpy(&c, p + len - 4, 4),
        memcpy(&d, want + len - 4, 4);
    return a == b && c == d;
  }
  if (len >= 2) {  // the usual closing bytes, `"}`
    uint16_t a, b, c, d;
    memcpy(&a, p, 2), memcpy(&b, want, 2), memcpy(&c, p + len - 2, 2),
        memcpy(&d, want + len - 2, 2);
    return a == b && c == d;
  }
  return len == 0 || p[0] == static_cast<u8>(want[0]);
}

// scan_layout: the members of `layout` in order, each its separator then
// its value (a string is read to its closing quote, which begins the next
// separator), then the closing bytes, ending exactly at n.
// The separator of `lm` at p[i..]: the usual one (8 to 16 bytes, with 8
// bytes to read) is two word compares; a shorter one a masked word.
__attribute__((always_inline)) inline bool same_sep(const FlatRecord& r, int64_t i,
                                                    const FlowJsonLayoutMember& lm,
                                                    const FlowJsonLayout* layout) {
  int64_t len = lm.sep_len;
  if (r.n - i < len) return false;
  if (len >= 8 && len <= 16) {
    return flow_swar::load8(r.p + i) == lm.head && flow_swar::load8(r.p + i + len - 8) == lm.last;
  }
  if (len < 8 && r.n - i >= 8) return ((flow_swar::load8(r.p + i) ^ lm.head) & lm.mask) == 0;
  return same_bytes(r.p + i, layout->bytes + lm.sep_at, len);
}

// A string value's end is the first stop after its start: the chain from
// one member to the next is that search, so for a record that fits the
// index (most do) the index is built whole first and the search is a
// shift and a count of trailing zeros, with no window to check. The stop
// need not be looked at: the next separator (or the closing bytes) begins
// with the closing quote, and its compare fails on anything else.
template <class Lookup>
inline bool scan_layout(FlatRecord& r, const FlowJsonLayout* layout, FlowStr* values,
                        int32_t* kinds) {
  const bool whole = r.n <= 64 * kIndexWords;
  if (whole) {
    flow_scan_index(reinterpret_cast<const char*>(r.p), r.n, FLOW_SCAN_JSON, 0, r.ix, kIndexWords);
    r.ix_from = 0;
    r.ix_to = r.n;
  }
  int64_t i = 0;
  for (int32_t m = 0; m < layout->members; ++m) {
    const FlowJsonLayoutMember& lm = layout->member[m];
    if (!same_sep(r, i, lm, layout)) return false;
    i += lm.sep_len;
    if (i >= r.n) return false;
    int64_t vb = i;
    int64_t ve;
    int32_t kind;
    if (lm.kind == FLOW_JSON_STRING) {
      if (whole) {
        // Bits at and past the end are set, but a record of whole words
        // has none: the search stops at n.
        int64_t at = vb;
        uint64_t w = r.ix[at >> 6] >> (at & 63);
        while (w == 0) {
          at = (at | 63) + 1;
          if (at >= r.n) {
            at = r.n;
            w = 1;
            break;
          }
          w = r.ix[at >> 6];
        }
        ve = at + __builtin_ctzll(w);
      } else {
        ve = r.next_stop(vb);
      }
      if (ve >= r.n) return false;
      kind = FLOW_JSON_STRING;
    } else {
      ve = r.scalar_end(vb, &kind);
      if (ve < 0) return false;
    }
    i = ve;
    if (lm.index >= 0) {
      kinds[lm.index] = kind;
      values[lm.index] = FlowStr{reinterpret_cast<const char*>(r.p + vb), ve - vb};
    }
  }
  return r.n - i == layout->tail_len &&
         same_bytes(r.p + i, layout->bytes + layout->tail_at, layout->tail_len);
}

// scan_flat_object: see above. With `learn`, a record it reads whole
// becomes the layout (when it fits in a FlowJsonLayout).
template <class Lookup>
inline bool scan_flat_object(FlatRecord& r, Lookup&& lookup, FlowStr* values, int32_t* kinds,
                             FlowJsonLayout* learn) {
  const u8* p = r.p;
  const int64_t n = r.n;
  // The layout being recorded: where each member's separator starts (the
  // end of the previous value), its value's start and kind, its index.
  struct Seen {
    int64_t sep_at, value_at;
    int32_t kind;
    int64_t index;
  };
  Seen seen[FLOW_JSON_LAYOUT_MEMBERS];
  int32_t members = 0;
  bool recording = learn != nullptr;
  int64_t prev_end = 0;
  // The index past byte `c` expected at i after optional whitespace, or -1.
  // Compact JSON has no whitespace: the byte is looked at first.
  auto expect = [&](int64_t i, u8 c) -> int64_t {
    if (__builtin_expect(i < n && p[i] == c, 1)) return i + 1;
    i = r.ws(i);
    return i < n && p[i] == c ? i + 1 : -1;
  };
  int64_t i = r.ws(0);
  if (i >= n || p[i] != '{') return false;
  i = r.ws(i + 1);
  if (i < n && p[i] == '}') return r.ws(i + 1) == n;
  for (;;) {
    if (i >= n || p[i] != '"') return false;
    int64_t kb = i + 1;
    int64_t ke = r.next_stop(kb);
    if (ke >= n || p[ke] != '"') return false;
    int64_t idx = lookup(reinterpret_cast<const char*>(p + kb), ke - kb);
    i = expect(ke + 1, ':');
    if (i < 0) return false;
    if (i < n && p[i] <= ' ') i = r.ws(i);
    if (i >= n) return false;
    int64_t vb = i;
    int64_t ve;
    int32_t kind;
    if (p[i] == '"') {
      vb = i + 1;
      ve = r.next_stop(vb);
      if (ve >= n || p[ve] != '"') return false;
      kind = FLOW_JSON_STRING;
      i = ve + 1;
    } else {
      ve = r.scalar_end(i, &kind);
      if (ve < 0) return false;
      i = ve;
    }
    if (idx >= 0) {
      kinds[idx] = kind;
      values[idx] = FlowStr{reinterpret_cast<const char*>(p + vb), ve - vb};
    }
    if (recording) {
      if (members == FLOW_JSON_LAYOUT_MEMBERS) {
        recording = false;
      } else {
        seen[members++] = Seen{prev_end, vb, kind, idx};
        prev_end = ve;  // a string's closing quote begins the next separator
      }
    }
    if (i < n && p[i] <= ' ') i = r.ws(i);
    if (i < n && p[i] == ',') {
      i = i + 1;
      if (i < n && p[i] <= ' ') i = r.ws(i);
      continue;
    }
    if (i < n && p[i] == '}') {
      if (r.ws(i + 1) != n) return false;
      break;
    }
    return false;
  }
  if (recording) {
    // The separators' bytes, one after the other, and the closing bytes.
    int64_t total = n - prev_end;
    for (int32_t m = 0; m < members; ++m) total += seen[m].value_at - seen[m].sep_at;
    if (total <= FLOW_JSON_LAYOUT_BYTES) {
      int32_t at = 0;
      for (int32_t m = 0; m < members; ++m) {
        int32_t len = static_cast<int32_t>(seen[m].value_at - seen[m].sep_at);
        memcpy(learn->bytes + at, p + seen[m].sep_at, static_cast<size_t>(len));
        FlowJsonLayoutMember& lm = learn->member[m];
        lm = FlowJsonLayoutMember{at, len, seen[m].kind, static_cast<int32_t>(seen[m].index), 0,
                                  0,  0};
        uint64_t word[2] = {0, 0};
        memcpy(word, p + seen[m].sep_at, static_cast<size_t>(len < 16 ? len : 16));
        lm.head = word[0];
        if (len >= 8) lm.last = flow_swar::load8(p + seen[m].sep_at + len - 8);
        lm.mask = len >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * len)) - 1;
        at += len;
      }
      learn->tail_at = at;
      learn->tail_len = static_cast<int32_t>(n - prev_end);
      memcpy(learn->bytes + at, p + prev_end, static_cast<size_t>(n - prev_end));
      learn->members = members;
    }
  }
  return true;
}

// Tries the fast paths on [p, p + n); true when one read the record (then
// values and kinds are final), false when the full scanner must decide.
// `layout`: the source's layout (or null).
template <class Lookup>
inline bool scan_fast(const char* p, int64_t n, Lookup&& lookup, FlowStr* values, int32_t* kinds,
                      int64_t count, FlowJsonLayout* layout) {
  auto clear = [&] {
    for (int64_t i = 0; i < count; ++i) {
      kinds[i] = FLOW_JSON_MISSING;
      values[i] = FlowStr{"", 0};
    }
  };
  clear();
  FlatRecord r{reinterpret_cast<const u8*>(p), n, {}};
  if (layout != nullptr && layout->members > 0 &&
      __builtin_expect(scan_layout<Lookup>(r, layout, values, kinds), 1)) {
    return true;
  }
  clear();  // the layout may have set some
  return __builtin_expect(scan_flat_object(r, lookup, values, kinds, layout), 1);
}

}  // namespace

#endif  // FLOWC_STDLIB_JSON_FAST_H
