// bench/base_wordcount.cpp — the hand-written twin of wordcount.flow:
// split every line into words on runs of ASCII whitespace (words(line):
// space, \t, \n, \v, \f, \r) and count each word.
//
//   base_wordcount FILE
//
// What a careful engineer would write for this one job, single-threaded:
// the file mmap'd (pages released behind); since a newline is whitespace,
// the words of the lines are the words of the whole file, found 64 bytes at
// a time with SSE2 (whitespace flags -> word starts and ends by bit
// arithmetic); a flat open-addressing table whose slots keep the hash, the
// length and the first 16 bytes of the key inline, so that the usual short
// word is compared with two loads and no memcmp call. Prints word,n ordered
// by word.
#include <emmintrin.h>

#include <algorithm>

#include "baseline.h"

namespace {

// Whitespace flags of 64 bytes at p (bit i: p[i] is whitespace).
inline uint64_t space_mask(const char* p) {
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i below = _mm_set1_epi8(9 - 1);
  const __m128i above = _mm_set1_epi8(13 + 1);
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    __m128i ws = _mm_or_si128(_mm_cmpeq_epi8(v, space),
                              _mm_and_si128(_mm_cmpgt_epi8(v, below), _mm_cmplt_epi8(v, above)));
    m |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(ws))) << (16 * k);
  }
  return m;
}

inline bool is_space(char c) { return c == ' ' || (c >= 9 && c <= 13); }

class WordTable {
 public:
  struct Slot {
    uint64_t hash;  // 0: empty
    uint32_t len;
    uint32_t pad;
    char head[16];     // the first 16 bytes (zero-filled)
    const char* tail;  // the whole key, when longer than 16 bytes
    int64_t count;
  };

  WordTable() { slots_.resize(1 << 16); }

  void add(const char* p, size_t n) {
    uint64_t h = bench::hash_bytes(std::string_view(p, n)) | 1;
    char head[16] = {};
    std::memcpy(head, p, std::min<size_t>(n, 16));
    uint64_t a, b;
    std::memcpy(&a, head, 8), std::memcpy(&b, head + 8, 8);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.hash == h && s.len == n) {
        uint64_t sa, sb;
        std::memcpy(&sa, s.head, 8), std::memcpy(&sb, s.head + 8, 8);
        if (sa == a && sb == b && (n <= 16 || std::memcmp(s.tail + 16, p + 16, n - 16) == 0)) {
          ++s.count;
          return;
        }
      }
      if (s.hash == 0) {
        if ((used_ + 1) * 2 > slots_.size()) {
          grow();
          add(p, n);
          return;
        }
        ++used_;
        s.hash = h, s.len = static_cast<uint32_t>(n), s.count = 1;
        std::memcpy(s.head, head, 16);
        s.tail = n > 16 ? copy(p, n) : nullptr;
        return;
      }
    }
  }

  template <class Fn>
  void each(Fn&& fn) const {
    for (const Slot& s : slots_) {
      if (s.hash != 0) fn(std::string_view(s.len > 16 ? s.tail : s.head, s.len), s.count);
    }
  }

 private:
  const char* copy(const char* p, size_t n) {
    char* c = new char[n];
    std::memcpy(c, p, n);
    owned_.emplace_back(c);
    return c;
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
  std::vector<std::unique_ptr<char[]>> owned_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: base_wordcount FILE\n");
    return 2;
  }
  bench::MappedFile file(argv[1]);
  const char* data = file.data();
  const size_t size = file.size();
  WordTable words;
  // Blocks of 64 bytes; a word may span blocks (word_start carries over).
  size_t word_start = SIZE_MAX;  // SIZE_MAX: between words
  size_t i = 0;
  for (; i + 64 <= size; i += 64) {
    uint64_t ws = space_mask(data + i);
    // Positions where the state flips between word and space.
    uint64_t prev_ws = (ws << 1) | (word_start == SIZE_MAX ? 1 : 0);
    uint64_t flips = ws ^ prev_ws;
    while (flips != 0) {
      size_t at = i + static_cast<size_t>(__builtin_ctzll(flips));
      flips &= flips - 1;
      if (word_start == SIZE_MAX) {
        word_start = at;
      } else {
        words.add(data + word_start, at - word_start);
        word_start = SIZE_MAX;
      }
    }
    if ((i & ((1 << 24) - 1)) == 0) file.release_before(data + std::min(i, word_start));
  }
  for (; i < size; ++i) {
    bool s = is_space(data[i]);
    if (word_start == SIZE_MAX && !s) word_start = i;
    else if (word_start != SIZE_MAX && s)
      words.add(data + word_start, i - word_start), word_start = SIZE_MAX;
  }
  if (word_start != SIZE_MAX) words.add(data + word_start, size - word_start);

  std::vector<std::pair<std::string_view, int64_t>> rows;
  words.each([&](std::string_view w, int64_t n) { rows.emplace_back(w, n); });
  std::sort(rows.begin(), rows.end());
  bench::Writer out;
  out.s("word,n"), out.nl();
  for (const auto& [w, n] : rows) out.s(w), out.c(','), out.i(n), out.nl();
  return 0;
}
