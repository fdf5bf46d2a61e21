// fuzz/fuzz_json.cpp — flow_json_fields (stdlib/json.cpp) on one arbitrary
// record, asking for a few field names (fixed ones, and names taken from the
// input: `NAME\0RECORD`). Values must lie inside the record or the arena; a
// record that parses must parse the same when asked for no field at all.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "flow_stdlib.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string all(reinterpret_cast<const char*>(data), size);
  std::string extra;
  size_t nul = all.find('\0');
  if (nul != std::string::npos && nul < 64) {
    extra = all.substr(0, nul);
    all.erase(0, nul + 1);
  }
  std::vector<char> rec(all.begin(), all.end());
  const char* p = rec.empty() ? nullptr : rec.data();
  const int64_t n = static_cast<int64_t>(rec.size());

  // Distinct names, as a schema's are.
  std::vector<FlowStr> names = {{"a", 1}, {"id", 2}, {"user", 4}, {"", 0}, {"\xc3\xa9", 2}};
  bool fresh = true;
  for (const FlowStr& s : names) {
    fresh = fresh && !(s.len == static_cast<int64_t>(extra.size()) && memcmp(s.ptr, extra.data(), extra.size()) == 0);
  }
  if (!extra.empty() && fresh) names.push_back({extra.data(), static_cast<int64_t>(extra.size())});
  std::vector<FlowStr> values(names.size());
  std::vector<int32_t> kinds(names.size(), -1);
  FlowArena arena{};
  int32_t rc = flow_json_fields(p, n, names.data(), static_cast<int64_t>(names.size()),
                                values.data(), kinds.data(), &arena);
  if (rc < FLOW_JSON_OK || rc > FLOW_JSON_TOO_DEEP) abort();
  if (flow_json_error_text(rc) == nullptr) abort();
  if (rc == FLOW_JSON_OK) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (kinds[i] < FLOW_JSON_MISSING || kinds[i] > FLOW_JSON_NESTED) abort();
      if (kinds[i] == FLOW_JSON_MISSING) continue;
      if (values[i].len < 0) abort();
      if (values[i].len > 0) {
        volatile char c = values[i].ptr[0];
        c = values[i].ptr[values[i].len - 1];
        (void)c;
      }
    }
  }
  // Validation does not depend on which fields are wanted.
  FlowArena arena2{};
  int32_t rc2 = flow_json_fields(p, n, nullptr, 0, nullptr, nullptr, &arena2);
  if (rc2 != rc) abort();
  flow_arena_free(&arena);
  flow_arena_free(&arena2);
  return 0;
}
