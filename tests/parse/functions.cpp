// The C++ functions of functions.flow.
#include <flowc/udf.h>

// Lowercase letters and digits; runs of anything else become one '-'.
extern "C" FlowStr slug(FlowStr title) {
  char* out = static_cast<char*>(flow_udf_alloc(title.len));
  int64_t n = 0;
  bool dash = false;
  for (int64_t i = 0; i < title.len; ++i) {
    char c = title.ptr[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep && dash && n > 0) out[n++] = '-';
    if (keep) out[n++] = c;
    dash = !keep;
  }
  return FlowStr{out, n};
}

extern "C" double score(int64_t words, double boost) { return boost * static_cast<double>(words); }
