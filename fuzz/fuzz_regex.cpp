// fuzz/fuzz_regex.cpp — the regex format and functions (runtime/
// source_regex.cpp, RE2) on arbitrary patterns and records. Input:
// `PATTERN\nRECORD`. The pattern goes through compile_source_regex (a
// source with fields a, b, ts) and flow_regex_compile; the record through
// flow_regex_fields, flow_regex_match and flow_regex_extract. Captured
// fields must be views into the record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "context.h"
#include "sink.h"
#include "source_regex.h"

extern "C" int32_t flow_regex_fields(FlowContext* ctx, int32_t source, const FlowRecord* rec,
                                     FlowStr* out);
extern "C" void* flow_regex_compile(const char* pattern, int64_t len);
extern "C" int32_t flow_regex_match(void* re, const char* s, int64_t n);
extern "C" void flow_regex_extract(FlowContext* ctx, void* re, const char* s, int64_t n,
                                   int64_t group, FlowStr* out);

namespace {

class FuzzSource : public flowrt::Source {
 public:
  using Source::Source;
  bool open(FlowContext*) override { return true; }
  Pump pump(FlowContext*, int64_t) override { return Pump::kEnded; }
  bool probe_end(FlowContext*) override { return true; }
};

bool inside(const FlowStr& s, const std::vector<char>& rec) {
  if (s.len == 0) return true;
  return s.ptr >= rec.data() && s.ptr + s.len <= rec.data() + rec.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string all(reinterpret_cast<const char*>(data), size);
  size_t nl = all.find('\n');
  if (nl == std::string::npos || nl > 256) return 0;
  std::string pattern = all.substr(0, nl);  // may hold NUL bytes
  std::vector<char> rec(all.begin() + static_cast<long>(nl) + 1, all.end());
  const char* p = rec.empty() ? nullptr : rec.data();
  const int64_t n = static_cast<int64_t>(rec.size());

  // The regex format: a C string pattern (as generated code passes it).
  static const FlowColumn kFields[] = {{"a", FLOW_TYPE_STRING}, {"b", FLOW_TYPE_INT},
                                       {"ts", FLOW_TYPE_TIMESTAMP}};
  std::string cpattern = pattern.substr(0, pattern.find('\0'));
  FlowSourceDesc desc{};
  desc.name = "fuzz";
  desc.format = FLOW_FORMAT_REGEX;
  desc.regex = cpattern.c_str();
  desc.fields = kFields;
  desc.field_count = 3;
  FlowContext ctx;
  ctx.sources.push_back(std::make_unique<FuzzSource>(0, &desc));
  if (flowrt::compile_source_regex(&ctx, ctx.sources[0].get())) {
    FlowRecord record{p, n, 1, 0};
    FlowStr out[3];
    if (flow_regex_fields(&ctx, 0, &record, out)) {
      for (const FlowStr& s : out) {
        if (s.len < 0 || !inside(s, rec)) abort();
      }
    }
  } else if (ctx.error.empty()) {
    abort();  // a refused pattern must say why
  }
  if (flow_regex_fields(&ctx, 7, nullptr, nullptr) != 0) abort();  // no such source

  // regex_match / regex_extract: a pattern of any bytes.
  void* re = flow_regex_compile(pattern.data(), static_cast<int64_t>(pattern.size()));
  if (re != nullptr) {
    (void)flow_regex_match(re, p, n);
    for (int64_t g : {int64_t{-1}, int64_t{0}, int64_t{1}, int64_t{2}, int64_t{63}, int64_t{64}}) {
      FlowStr s{nullptr, -1};
      flow_regex_extract(&ctx, re, p, n, g, &s);
      if (s.len < 0 || s.ptr == nullptr || !inside(s, rec)) abort();
    }
    delete static_cast<RE2*>(re);
  }
  return 0;
}
