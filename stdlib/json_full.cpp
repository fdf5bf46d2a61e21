// stdlib/json_full.cpp — field extraction from one JSON-lines record
// (LANGUAGE.md 4.2 and 12), the full scanner: any record, every error found
// and named. A single forward pass: wanted values are
// recorded, every other value is skipped but still validated (grammar,
// UTF-8, nesting depth), because a record is either valid JSON or bad.
//
// String bodies (ids, UUIDs: most of a JSON line) are crossed with an index
// of the bytes that stop a plain run ('"', '\\', control characters,
// non-ASCII), built 512 bytes at a time by flow_scan_index (SIMD, the CPU's
// level): a string's end is then a bit scan, and only escapes and non-ASCII
// bytes are looked at one by one. Keys are matched by the caller's lookup
// function: generated code passes one specialised to the schema's names
// (a switch on the length and word compares). Two fast paths come first
// (json_fast.h): the layout path inlined into every pipeline by json.cpp,
// the flat scan here (flow_json_scan_rest). This file is native code only
// (stdlib/CMakeLists.txt): compiled once, not into every pipeline.
//
// The scan never stops early, even once every wanted field was found: the
// rest of the record must still be valid JSON (LANGUAGE.md 12: UTF-8 and
// nesting are checked anywhere in the record, ignored fields included), and
// a later duplicate of a wanted key would replace its value (the last one
// wins). Reading the rest costs the same as validating it.
//
// The input is untrusted: every read is bounds-checked against `end`, there
// is no recursion (nesting uses a fixed stack of FLOW_JSON_MAX_DEPTH bytes),
// and nothing is allocated unless a wanted string or a key has escapes.
#include <string.h>

#include "flow_stdlib.h"
#include "json_fast.h"

namespace {

constexpr int64_t kMaxDepth = FLOW_JSON_MAX_DEPTH;

inline bool is_ws(u8 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline int hex_value(u8 c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the valid UTF-8 sequence at p (lead byte >= 0x80), 0 when
// invalid, -1 when the input ends inside it. Rejects overlongs, surrogates
// and code points above U+10FFFF (RFC 3629).
int utf8_sequence(const u8* p, const u8* end) {
  u8 c = p[0];
  int len;
  u8 lo = 0x80;
  u8 hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  for (int i = 1; i < len; ++i) {
    if (p + i >= end) return -1;
    u8 b = p[i];
    if (b < lo || b > hi) return 0;
    lo = 0x80;
    hi = 0xBF;
  }
  return len;
}

char* put_utf8(char* w, uint32_t cp) {
  if (cp < 0x80) {
    *w++ = static_cast<char>(cp);
  } else if (cp < 0x800) {
    *w++ = static_cast<char>(0xC0 | (cp >> 6));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    *w++ = static_cast<char>(0xE0 | (cp >> 12));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    *w++ = static_cast<char>(0xF0 | (cp >> 18));
    *w++ = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    *w++ = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    *w++ = static_cast<char>(0x80 | (cp & 0x3F));
  }
  return w;
}

uint32_t hex4(const u8* p) {
  return static_cast<uint32_t>(hex_value(p[0]) << 12 | hex_value(p[1]) << 8 | hex_value(p[2]) << 4 |
                               hex_value(p[3]));
}

// Unescapes a validated string body [b, e) into dst; returns the length.
// Output never exceeds input: an escape of k bytes yields at most k bytes.
int64_t unescape(const u8* b, const u8* e, char* dst) {
  char* w = dst;
  while (b < e) {
    u8 c = *b++;
    if (c != '\\') {
      *w++ = static_cast<char>(c);
      continue;
    }
    c = *b++;
    switch (c) {
      case 'b': *w++ = '\b'; break;
      case 'f': *w++ = '\f'; break;
      case 'n': *w++ = '\n'; break;
      case 'r': *w++ = '\r'; break;
      case 't': *w++ = '\t'; break;
      case 'u': {
        uint32_t cp = hex4(b);
        b += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // validated: a low one follows
          uint32_t low = hex4(b + 2);
          b += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        w = put_utf8(w, cp);
        break;
      }
      default: *w++ = static_cast<char>(c); break;  // " \ /
    }
  }
  return w - dst;
}

struct Scanner {
  Scanner(const char* p, int64_t n)
      : cur_(reinterpret_cast<const u8*>(p)), end_(reinterpret_cast<const u8*>(p) + n) {}

  const u8* cur_;
  const u8* end_;
  // The stop index: bit i of ix_[w] flags byte ix_from_[64 w + i]; it
  // covers [ix_from_, ix_to_). Built on the first string and again each
  // time a string runs past it.
  const u8* ix_from_ = nullptr;
  const u8* ix_to_ = nullptr;
  uint64_t ix_[kIndexWords];

  // The first byte at or after p that stops a plain string run, or end_.
  __attribute__((always_inline)) const u8* next_stop(const u8* p) {
    for (;;) {
      if (p >= ix_to_) {
        if (p >= end_) return end_;
        int64_t left = end_ - p;
        int64_t words = flow_scan_index(reinterpret_cast<const char*>(p), left, FLOW_SCAN_JSON, 0,
                                        ix_, kIndexWords);
        ix_from_ = p;
        ix_to_ = p + (left < 64 * words ? left : 64 * words);
      }
      int64_t rel = p - ix_from_;
      uint64_t w = ix_[rel >> 6] >> (rel & 63);
      if (w != 0) return p + __builtin_ctzll(w);
      p = ix_from_ + (rel | 63) + 1;
    }
  }

  void skip_ws() {
    while (cur_ < end_ && is_ws(*cur_)) ++cur_;
  }

  // The error for an unexpected byte (or the end) where grammar wanted
  // something else: invalid UTF-8 is reported as such wherever it is.
  int32_t unexpected() const {
    if (cur_ < end_ && *cur_ >= 0x80 && utf8_sequence(cur_, end_) == 0) {
      return FLOW_JSON_INVALID_UTF8;
    }
    return FLOW_JSON_MALFORMED;
  }

  // cur_ is just past the opening quote. On success cur_ is just past the
  // closing quote, [*b, *e) is the body and *escaped tells if it has '\'.
  int32_t scan_string(const u8** b, const u8** e, bool* escaped) {
    *b = cur_;
    *escaped = false;
    // The usual string: no escape, ASCII only, so its first stop is the
    // closing quote.
    const u8* q = next_stop(cur_);
    if (__builtin_expect(q < end_ && *q == '"', 1)) {
      *e = q;
      cur_ = q + 1;
      return FLOW_JSON_OK;
    }
    cur_ = q;
    return scan_string_rest(e, escaped);
  }

  // The rest of a string body from a stop at cur_ that is not its closing
  // quote (an escape, a control character, non-ASCII, or the end).
  __attribute__((noinline)) int32_t scan_string_rest(const u8** e, bool* escaped) {
    for (;; cur_ = next_stop(cur_)) {
      if (cur_ >= end_) return FLOW_JSON_MALFORMED;  // unterminated
      u8 c = *cur_;
      if (c == '"') {
        *e = cur_++;
        return FLOW_JSON_OK;
      }
      if (c == '\\') {
        *escaped = true;
        int32_t err = scan_escape();
        if (err) return err;
      } else if (c < 0x20) {
        return FLOW_JSON_MALFORMED;
      } else if (c >= 0x80) {
        int len = utf8_sequence(cur_, end_);
        if (len < 0) return FLOW_JSON_MALFORMED;  // cut inside a character
        if (len == 0) return FLOW_JSON_INVALID_UTF8;
        cur_ += len;
      } else {
        ++cur_;  // not a stop (the index flags exactly): never reached
      }
    }
  }

  // cur_ is at '\\'. Surrogates must pair, as in valid UTF-8.
  int32_t scan_escape() {
    if (end_ - cur_ < 2) return FLOW_JSON_MALFORMED;
    u8 c = cur_[1];
    if (c != 'u') {
      if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
          c == 't') {
        cur_ += 2;
        return FLOW_JSON_OK;
      }
      return FLOW_JSON_MALFORMED;
    }
    uint32_t cp = 0;
    if (!read_u_escape(cur_, &cp)) return FLOW_JSON_MALFORMED;
    cur_ += 6;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return FLOW_JSON_INVALID_UTF8;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low = 0;
      if (end_ - cur_ < 2 || cur_[0] != '\\' || cur_[1] != 'u') {
        return FLOW_JSON_INVALID_UTF8;
      }
      if (!read_u_escape(cur_, &low)) return FLOW_JSON_MALFORMED;
      if (low < 0xDC00 || low > 0xDFFF) return FLOW_JSON_INVALID_UTF8;
      cur_ += 6;
    }
    return FLOW_JSON_OK;
  }

  // p points at "\uXXXX"; checks bounds and hex digits.
  bool read_u_escape(const u8* p, uint32_t* cp) const {
    if (end_ - p < 6) return false;
    for (int i = 2; i < 6; ++i) {
      if (hex_value(p[i]) < 0) return false;
    }
    *cp = hex4(p + 2);
    return true;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  int32_t scan_number() {
    if (cur_ < end_ && *cur_ == '-') ++cur_;
    if (cur_ >= end_) return FLOW_JSON_MALFORMED;
    if (*cur_ == '0') {
      ++cur_;
    } else if (*cur_ >= '1' && *cur_ <= '9') {
      while (cur_ < end_ && *cur_ >= '0' && *cur_ <= '9') ++cur_;
    } else {
      return FLOW_JSON_MALFORMED;
    }
    if (cur_ < end_ && *cur_ == '.') {
      ++cur_;
      if (!digits()) return FLOW_JSON_MALFORMED;
    }
    if (cur_ < end_ && (*cur_ == 'e' || *cur_ == 'E')) {
      ++cur_;
      if (cur_ < end_ && (*cur_ == '+' || *cur_ == '-')) ++cur_;
      if (!digits()) return FLOW_JSON_MALFORMED;
    }
    return FLOW_JSON_OK;
  }

  bool digits() {
    const u8* start = cur_;
    while (cur_ < end_ && *cur_ >= '0' && *cur_ <= '9') ++cur_;
    return cur_ != start;
  }

  bool literal(const char* word, int64_t len) {
    if (end_ - cur_ < len || memcmp(cur_, word, static_cast<size_t>(len)) != 0) {
      return false;
    }
    cur_ += len;
    return true;
  }

  // A scalar at cur_ (not '{' or '['); kind and raw span out.
  int32_t scan_scalar(int32_t* kind, const u8** b, const u8** e, bool* escaped) {
    *escaped = false;
    u8 c = cur_ < end_ ? *cur_ : 0;
    switch (c) {
      case '"': {
        ++cur_;
        *kind = FLOW_JSON_STRING;
        return scan_string(b, e, escaped);
      }
      case 't': *kind = FLOW_JSON_TRUE; break;
      case 'f': *kind = FLOW_JSON_FALSE; break;
      case 'n': *kind = FLOW_JSON_NULL; break;
      default: {
        if (c != '-' && !(c >= '0' && c <= '9')) return unexpected();
        *kind = FLOW_JSON_NUMBER;
        *b = cur_;
        int32_t err = scan_number();
        *e = cur_;
        return err;
      }
    }
    static constexpr const char* kWords[] = {"true", "false", "null"};
    static constexpr int64_t kLens[] = {4, 5, 4};
    int idx = *kind - FLOW_JSON_TRUE;
    *b = cur_;
    if (!literal(kWords[idx], kLens[idx])) return FLOW_JSON_MALFORMED;
    *e = cur_;
    return FLOW_JSON_OK;
  }

  // Skips the object or array at cur_, opened at nesting level `level`
  // (the top-level object is level 1). Iterative: a stack of open
  // containers, so hostile nesting cannot overflow the C stack.
  int32_t skip_container(int64_t level) {
    u8 stack[kMaxDepth + 1];
    int64_t sp = 0;
    bool escaped;
    const u8* b;
    const u8* e;
    int32_t kind;
    for (;;) {
      // At a value's start: open containers until a scalar or an empty one.
      u8 c = *cur_;
      if (c == '{' || c == '[') {
        if (level + sp > kMaxDepth) return FLOW_JSON_TOO_DEEP;
        stack[sp++] = c;
        ++cur_;
        skip_ws();
        if (cur_ >= end_) return FLOW_JSON_MALFORMED;
        if (*cur_ == (c == '{' ? '}' : ']')) {
          ++cur_;
          --sp;
        } else {
          if (c == '{') {
            int32_t err = skip_key();
            if (err) return err;
          }
          if (*cur_ == '{' || *cur_ == '[') continue;
          int32_t err = scan_scalar(&kind, &b, &e, &escaped);
          if (err) return err;
        }
      } else {
        int32_t err = scan_scalar(&kind, &b, &e, &escaped);
        if (err) return err;
      }
      // After a value: commas and closers until the next value or the end.
      for (;;) {
        if (sp == 0) return FLOW_JSON_OK;
        skip_ws();
        if (cur_ >= end_) return FLOW_JSON_MALFORMED;
        u8 top = stack[sp - 1];
        if (*cur_ == (top == '{' ? '}' : ']')) {
          ++cur_;
          --sp;
          continue;
        }
        if (*cur_ != ',') return unexpected();
        ++cur_;
        skip_ws();
        if (top == '{') {
          int32_t err = skip_key();
          if (err) return err;
        }
        if (cur_ >= end_) return FLOW_JSON_MALFORMED;
        break;
      }
    }
  }

  // At a member's key (after '{' or ',' and whitespace): the key, ':' and
  // the whitespace before the value, leaving cur_ at the value (checked).
  int32_t skip_key() {
    if (cur_ >= end_ || *cur_ != '"') return unexpected();
    ++cur_;
    const u8* b;
    const u8* e;
    bool escaped;
    int32_t err = scan_string(&b, &e, &escaped);
    if (err) return err;
    skip_ws();
    if (cur_ >= end_ || *cur_ != ':') return unexpected();
    ++cur_;
    skip_ws();
    if (cur_ >= end_) return FLOW_JSON_MALFORMED;
    return FLOW_JSON_OK;
  }
};
// The full scanner: any record, every error found and named.
template <class Lookup>
int32_t scan_full(const char* p, int64_t n, Lookup&& lookup, FlowStr* values, int32_t* kinds,
                  int64_t count, FlowArena* arena) {
  for (int64_t i = 0; i < count; ++i) {
    kinds[i] = FLOW_JSON_MISSING;
    values[i] = FlowStr{"", 0};
  }
  Scanner s(p, n);
  s.skip_ws();
  if (s.cur_ >= s.end_) return FLOW_JSON_MALFORMED;
  if (*s.cur_ != '{') {
    u8 c = *s.cur_;
    bool other_value = c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' ||
                       c == 'f' || c == 'n';
    return other_value ? FLOW_JSON_NOT_OBJECT : s.unexpected();
  }
  ++s.cur_;
  s.skip_ws();
  if (s.cur_ < s.end_ && *s.cur_ == '}') {
    ++s.cur_;
  } else {
    for (;;) {
      if (s.cur_ >= s.end_ || *s.cur_ != '"') return s.unexpected();
      ++s.cur_;
      const u8* kb;
      const u8* ke;
      bool kesc;
      int32_t err = s.scan_string(&kb, &ke, &kesc);
      if (err) return err;
      const char* key = reinterpret_cast<const char*>(kb);
      int64_t key_len = ke - kb;
      if (kesc) {  // rare: escaped keys are matched after unescaping
        char* dst = static_cast<char*>(flow_arena_alloc(arena, key_len));
        key_len = unescape(kb, ke, dst);
        key = dst;
      }
      s.skip_ws();
      if (s.cur_ >= s.end_ || *s.cur_ != ':') return s.unexpected();
      ++s.cur_;
      s.skip_ws();
      if (s.cur_ >= s.end_) return FLOW_JSON_MALFORMED;
      int64_t idx = lookup(key, key_len);
      const u8* vb = s.cur_;
      const u8* ve;
      int32_t kind;
      bool vesc = false;
      if (*s.cur_ == '"') {  // the usual value: a string, scanned here
        ++s.cur_;
        kind = FLOW_JSON_STRING;
        err = s.scan_string(&vb, &ve, &vesc);
      } else if (*s.cur_ == '{' || *s.cur_ == '[') {
        err = s.skip_container(2);
        kind = FLOW_JSON_NESTED;
        ve = s.cur_;
      } else {
        err = s.scan_scalar(&kind, &vb, &ve, &vesc);
      }
      if (err) return err;
      if (idx >= 0) {  // a duplicate key: the last one wins
        kinds[idx] = kind;
        if (vesc) {
          char* dst = static_cast<char*>(flow_arena_alloc(arena, ve - vb));
          values[idx] = FlowStr{dst, unescape(vb, ve, dst)};
        } else {
          values[idx] = FlowStr{reinterpret_cast<const char*>(vb), ve - vb};
        }
      }
      s.skip_ws();
      if (s.cur_ < s.end_ && *s.cur_ == ',') {
        ++s.cur_;
        s.skip_ws();
        continue;
      }
      if (s.cur_ < s.end_ && *s.cur_ == '}') {
        ++s.cur_;
        break;
      }
      return s.unexpected();
    }
  }
  s.skip_ws();
  if (s.cur_ != s.end_) return s.unexpected();
  return FLOW_JSON_OK;
}

}  // namespace

extern "C" {

int32_t flow_json_fields(const char* p, int64_t n, const FlowStr* names, int64_t name_count,
                         FlowStr* values, int32_t* kinds, FlowArena* arena) {
  return flow_json_fields_path(p, n, names, name_count, values, kinds, arena, 1);
}

int32_t flow_json_fields_path(const char* p, int64_t n, const FlowStr* names, int64_t name_count,
                              FlowStr* values, int32_t* kinds, FlowArena* arena, int32_t fast) {
  // Records usually repeat one key order, so the name after the previous
  // match is tried first.
  int64_t hint = 0;
  auto find_name = [&](const char* key, int64_t len) -> int64_t {
    auto is = [&](int64_t i) {
      return names[i].len == len &&
             (len == 0 || memcmp(names[i].ptr, key, static_cast<size_t>(len)) == 0);
    };
    if (hint < name_count && is(hint)) return hint++;
    for (int64_t i = 0; i < name_count; ++i) {
      if (is(i)) return (hint = i + 1) - 1;
    }
    return -1;
  };
  if (fast != 0 && scan_fast(p, n, find_name, values, kinds, name_count, nullptr))
    return FLOW_JSON_OK;
  return scan_full(p, n, find_name, values, kinds, name_count, arena);
}

int32_t flow_json_scan_full(const char* p, int64_t n, FlowJsonKeyFn lookup, FlowStr* values,
                            int32_t* kinds, int64_t count, FlowArena* arena) {
  return scan_full(p, n, lookup, values, kinds, count, arena);
}

int32_t flow_json_scan_rest(const char* p, int64_t n, FlowJsonKeyFn lookup, FlowStr* values,
                            int32_t* kinds, int64_t count, FlowArena* arena,
                            FlowJsonLayout* layout) {
  for (int64_t i = 0; i < count; ++i) {  // the layout path may have set some
    kinds[i] = FLOW_JSON_MISSING;
    values[i] = FlowStr{"", 0};
  }
  FlatRecord r{reinterpret_cast<const u8*>(p), n, {}};
  if (scan_flat_object(r, lookup, values, kinds, layout)) return FLOW_JSON_OK;
  return scan_full(p, n, lookup, values, kinds, count, arena);
}

}  // extern "C"

extern "C" int64_t flow_utf8_invalid_at(const char* p, int64_t n) {
  const u8* begin = reinterpret_cast<const u8*>(p);
  const u8* end = begin + n;
  for (const u8* at = begin; at < end;) {
    if (*at < 0x80) {
      ++at;
      continue;
    }
    int len = utf8_sequence(at, end);
    if (len <= 0) return at - begin;
    at += len;
  }
  return -1;
}
