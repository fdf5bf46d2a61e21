// C++ functions for udf_update: called in an update block's assignments
// and conditions.
#include <flowc/udf.h>

// The Scrabble score of a word (letters a-z, any case; other bytes 0).
extern "C" int64_t score(FlowStr word) {
  static const int kPoints[26] = {1, 3, 3, 2,  1, 4, 2, 4, 1, 8, 5, 1, 3,
                                  1, 1, 3, 10, 1, 1, 1, 1, 4, 4, 8, 4, 10};
  int64_t total = 0;
  for (int64_t i = 0; i < word.len; ++i) {
    char c = word.ptr[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c >= 'a' && c <= 'z') total += kPoints[c - 'a'];
  }
  return total;
}

// The word in capitals with a "!": new bytes from flow_udf_alloc.
extern "C" FlowStr shout(FlowStr s) {
  char* out = static_cast<char*>(flow_udf_alloc(s.len + 1));
  for (int64_t i = 0; i < s.len; ++i) {
    char c = s.ptr[i];
    out[i] = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  }
  out[s.len] = '!';
  return FlowStr{out, s.len + 1};
}

extern "C" bool longer_than(FlowStr s, int64_t n) { return s.len > n; }
