// bench/baseline.h — the small toolkit the hand-written baselines share:
// large buffered reads split into lines, a string-keyed open-addressing hash
// table, hand-rolled CSV/JSON field access and the output text forms of
// LANGUAGE.md 3. Plain libstdc++, single-threaded: what a careful engineer
// would write for one fixed query, with no generality to pay for.
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// Calls fn(std::string_view line) for every line of the file (no '\n', a
// trailing '\r' kept), reading 1 MiB at a time like the flowc runtime.
// `chunk_done()` runs after each read's complete lines (the baselines'
// "end of batch" point for watermarks).
template <class Fn, class Chunk>
void for_each_line(const char* path, Fn&& fn, Chunk&& chunk_done) {
  int fd = ::open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    std::exit(1);
  }
  constexpr size_t kRead = 1 << 20;
  std::vector<char> buf(2 * kRead);
  size_t have = 0;
  for (;;) {
    if (buf.size() - have < kRead) buf.resize(have + kRead);
    ssize_t got = ::read(fd, buf.data() + have, kRead);
    if (got < 0) {
      std::perror(path);
      std::exit(1);
    }
    if (got == 0) break;
    have += static_cast<size_t>(got);
    const char* p = buf.data();
    const char* end = p + have;
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      if (!nl) break;
      fn(std::string_view(p, static_cast<size_t>(nl - p)));
      p = nl + 1;
    }
    have = static_cast<size_t>(end - p);
    std::memmove(buf.data(), p, have);
    chunk_done();
  }
  if (have > 0) fn(std::string_view(buf.data(), have));
  ::close(fd);
}

template <class Fn>
void for_each_line(const char* path, Fn&& fn) {
  for_each_line(path, fn, [] {});
}

// A whole file mapped read-only (MADV_SEQUENTIAL: read-ahead, and pages
// behind may go). release_before(p) drops the pages before p from this
// process (they stay in the page cache), so that peak RSS stays flat
// however large the file: what a careful engineer does with mmap.
class MappedFile {
 public:
  explicit MappedFile(const char* path) {
    int fd = ::open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0) {
      std::perror(path);
      std::exit(1);
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* m = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (m == MAP_FAILED) {
        std::perror(path);
        std::exit(1);
      }
      data_ = static_cast<const char*>(m);
      ::madvise(m, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  void release_before(const char* p) {
    constexpr size_t kStep = size_t{16} << 20;
    size_t upto = static_cast<size_t>(p - data_) & ~(size_t{4095});
    if (upto < released_ + kStep) return;
    ::madvise(const_cast<char*>(data_) + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
  }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  size_t released_ = 0;
};

// wyhash-style: 8 bytes at a time, multiply-fold.
inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    h = mix(h ^ v, 0xe7037ed1a0b428dbULL);
    p += 8, n -= 8;
  }
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return mix(h ^ v, 0x8ebc6af09c88c6e3ULL);
}

inline uint64_t hash_i64(int64_t v) { return mix(mix(static_cast<uint64_t>(v) ^ 0xa0761d6478bd642fULL, 0xe7037ed1a0b428dbULL), 0x8ebc6af09c88c6e3ULL); }

// Open addressing, linear probing, power-of-two capacity, stored hash; keys
// copied once into a bump arena.
template <class V>
class StrTable {
 public:
  struct Slot {
    uint64_t hash;
    const char* key;
    size_t len;
    V value;
  };

  StrTable() { slots_.resize(64); }

  V& get(std::string_view key) {
    uint64_t h = hash_bytes(key) | 1;  // 0 marks an empty slot
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.hash == h && s.len == key.size() && std::memcmp(s.key, key.data(), key.size()) == 0) return s.value;
      if (s.hash == 0) {
        if ((used_ + 1) * 2 > slots_.size()) {
          grow();
          return get(key);
        }
        ++used_;
        s = Slot{h, copy(key), key.size(), V{}};
        return s.value;
      }
    }
  }

  const V* find(std::string_view key) const {
    uint64_t h = hash_bytes(key) | 1;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.hash == h && s.len == key.size() && std::memcmp(s.key, key.data(), key.size()) == 0) return &s.value;
      if (s.hash == 0) return nullptr;
    }
  }

  template <class Fn>
  void each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.hash != 0) fn(std::string_view(s.key, s.len), s.value);
  }
  size_t size() const { return used_; }

 private:
  const char* copy(std::string_view key) {
    if (arena_left_ < key.size()) {
      size_t n = std::max<size_t>(key.size(), 1 << 16);
      arena_.emplace_back(new char[n]);
      arena_next_ = arena_.back().get();
      arena_left_ = n;
    }
    char* p = arena_next_;
    std::memcpy(p, key.data(), key.size());
    arena_next_ += key.size(), arena_left_ -= key.size();
    return p;
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.hash == 0) continue;
      size_t i = s.hash & mask;
      while (slots_[i].hash != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
  std::vector<std::unique_ptr<char[]>> arena_;
  char* arena_next_ = nullptr;
  size_t arena_left_ = 0;
};

// Integer-keyed version of the same table.
template <class V>
class IntTable {
 public:
  struct Slot {
    bool used;
    int64_t key;
    V value;
  };
  IntTable() { slots_.resize(64); }
  V& get(int64_t key) {
    size_t mask = slots_.size() - 1;
    for (size_t i = hash_i64(key) & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.used && s.key == key) return s.value;
      if (!s.used) {
        if ((used_ + 1) * 2 > slots_.size()) {
          grow();
          return get(key);
        }
        ++used_;
        s = Slot{true, key, V{}};
        return s.value;
      }
    }
  }
  template <class Fn>
  void each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.used) fn(s.key, s.value);
  }

 private:
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = hash_i64(s.key) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t used_ = 0;
};

// The n-th comma-separated field of an unquoted CSV line (the generated
// data never quotes); the first `count` fields into out[].
inline int split_csv(std::string_view line, std::string_view* out, int count) {
  const char* p = line.data();
  const char* end = p + line.size();
  if (p != end && end[-1] == '\r') --end;
  int n = 0;
  while (n < count) {
    const char* c = static_cast<const char*>(std::memchr(p, ',', static_cast<size_t>(end - p)));
    const char* e = c ? c : end;
    out[n++] = std::string_view(p, static_cast<size_t>(e - p));
    if (!c) break;
    p = c + 1;
  }
  return n;
}

// Column index of each wanted name in a CSV header (-1 when absent).
inline std::vector<int> header_columns(std::string_view header, std::initializer_list<std::string_view> names) {
  std::vector<std::string_view> cols(256);
  int n = split_csv(header, cols.data(), 256);
  std::vector<int> at;
  for (std::string_view name : names) {
    int found = -1;
    for (int i = 0; i < n; ++i)
      if (cols[i] == name) found = i;
    at.push_back(found);
  }
  return at;
}

// A flat JSON object scanner for the known fields: calls fn(key, value) for
// each top-level member, where value is the raw text (a string's contents
// without quotes; a number as written). Nested values are skipped. Returns
// false on malformed input. Strings with escapes are passed raw (the
// generated data has none).
template <class Fn>
bool scan_json_object(std::string_view line, Fn&& fn) {
  const char* p = line.data();
  const char* end = p + line.size();
  auto ws = [&] {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
  };
  auto string_end = [&](const char* q) -> const char* {  // q after the opening quote
    for (;;) {
      const char* c = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
      if (!c) return nullptr;
      const char* b = c;
      while (b > q && b[-1] == '\\') --b;
      if (((c - b) & 1) == 0) return c;
      q = c + 1;
    }
  };
  ws();
  if (p >= end || *p != '{') return false;
  ++p;
  ws();
  if (p < end && *p == '}') return true;
  for (;;) {
    ws();
    if (p >= end || *p != '"') return false;
    const char* ke = string_end(p + 1);
    if (!ke) return false;
    std::string_view key(p + 1, static_cast<size_t>(ke - p - 1));
    p = ke + 1;
    ws();
    if (p >= end || *p != ':') return false;
    ++p;
    ws();
    if (p >= end) return false;
    if (*p == '"') {
      const char* ve = string_end(p + 1);
      if (!ve) return false;
      fn(key, std::string_view(p + 1, static_cast<size_t>(ve - p - 1)));
      p = ve + 1;
    } else if (*p == '{' || *p == '[') {
      int depth = 0;
      for (; p < end; ++p) {
        if (*p == '"') {
          p = string_end(p + 1);
          if (!p) return false;
        } else if (*p == '{' || *p == '[') {
          ++depth;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
          ++p;
          break;
        }
      }
    } else {
      const char* v = p;
      while (p < end && *p != ',' && *p != '}' && *p != ' ') ++p;
      fn(key, std::string_view(v, static_cast<size_t>(p - v)));
    }
    ws();
    if (p < end && *p == ',') {
      ++p;
      continue;
    }
    return p < end && *p == '}';
  }
}

inline bool parse_i64(std::string_view s, int64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

inline bool parse_f64(std::string_view s, double& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Buffered stdout.
class Writer {
 public:
  ~Writer() { flush(); }
  void s(std::string_view v) { buf_.append(v); if (buf_.size() > (1 << 20)) flush(); }
  void c(char ch) { buf_.push_back(ch); }
  void i(int64_t v) {
    char t[24];
    auto r = std::to_chars(t, t + sizeof t, v);
    buf_.append(t, static_cast<size_t>(r.ptr - t));
  }
  void f(double v) {  // shortest round-trip text (LANGUAGE.md 3)
    char t[32];
    auto r = std::to_chars(t, t + sizeof t, v);
    buf_.append(t, static_cast<size_t>(r.ptr - t));
  }
  void ts(int64_t ms) {  // 2026-11-24T08:51:06.123Z
    int64_t days = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
    int64_t rem = ms - days * 86'400'000;
    // civil_from_days (H. Hinnant)
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
    char t[80];
    std::snprintf(t, sizeof t, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
                  static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(rem / 3'600'000),
                  static_cast<long long>(rem / 60'000 % 60), static_cast<long long>(rem / 1000 % 60),
                  static_cast<long long>(rem % 1000));
    buf_.append(t);
  }
  void nl() {
    buf_.push_back('\n');
    if (buf_.size() > (1 << 20)) flush();
  }
  void flush() {
    if (!buf_.empty()) std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    buf_.clear();
    std::fflush(stdout);
  }

 private:
  std::string buf_;
};

}  // namespace bench
