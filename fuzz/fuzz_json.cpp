// fuzz/fuzz_json.cpp — flow_json_fields (stdlib/json.cpp) on one arbitrary
// record, asking for a few field names (fixed ones, and names taken from the
// input: `NAME\0RECORD`). Values must lie inside the record or the arena; a
// record that parses must parse the same when asked for no field at all.
// The fast paths must agree with the full scanner alone: flow_json_fields
// (flat objects) and flow_json_scan with a layout learned from the input's
// first line (`NAME\0PREVIOUS\nRECORD`: records laid out like an earlier
// one) give the same answer and values as flow_json_fields_path without
// them.
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
  std::string previous;
  size_t nl = all.find('\n');
  if (nl != std::string::npos) {
    previous = all.substr(0, nl);
    all.erase(0, nl + 1);
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
  // The fast paths agree with the full scanner.
  std::vector<FlowStr> slow_values(names.size());
  std::vector<int32_t> slow_kinds(names.size(), -1);
  FlowArena arena3{};
  int32_t slow = flow_json_fields_path(p, n, names.data(), static_cast<int64_t>(names.size()),
                                       slow_values.data(), slow_kinds.data(), &arena3, 0);
  if (slow != rc) abort();
  auto same = [&](const std::vector<FlowStr>& v, const std::vector<int32_t>& k) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (k[i] != slow_kinds[i] || v[i].len != slow_values[i].len ||
          (v[i].len > 0 &&
           memcmp(v[i].ptr, slow_values[i].ptr, static_cast<size_t>(v[i].len)) != 0)) {
        abort();
      }
    }
  };
  if (rc == FLOW_JSON_OK) same(values, kinds);
  FlowJsonLayout layout{};
  auto lookup = [](const char* key, int64_t len) -> int64_t {
    static const FlowStr kFixed[] = {{"a", 1}, {"id", 2}, {"user", 4}, {"", 0}, {"\xc3\xa9", 2}};
    for (int64_t i = 0; i < 5; ++i) {
      if (kFixed[i].len == len && memcmp(kFixed[i].ptr, key, static_cast<size_t>(len)) == 0)
        return i;
    }
    return -1;
  };
  std::vector<FlowStr> layout_values(5);
  std::vector<int32_t> layout_kinds(5, -1);
  FlowArena arena4{};
  {
    std::vector<char> prev(previous.begin(), previous.end());  // learns the layout
    flow_json_scan(prev.empty() ? nullptr : prev.data(), static_cast<int64_t>(prev.size()), lookup,
                   layout_values.data(), layout_kinds.data(), 5, &arena4, &layout);
  }
  int32_t by_layout =
      flow_json_scan(p, n, lookup, layout_values.data(), layout_kinds.data(), 5, &arena4, &layout);
  if (by_layout != rc) abort();
  if (rc == FLOW_JSON_OK) {
    for (size_t i = 0; i < 5; ++i) {
      if (layout_kinds[i] != slow_kinds[i] || layout_values[i].len != slow_values[i].len ||
          (layout_values[i].len > 0 && memcmp(layout_values[i].ptr, slow_values[i].ptr,
                                              static_cast<size_t>(layout_values[i].len)) != 0)) {
        abort();
      }
    }
  }
  flow_arena_free(&arena3);
  flow_arena_free(&arena4);
  // Validation does not depend on which fields are wanted.
  FlowArena arena2{};
  int32_t rc2 = flow_json_fields(p, n, nullptr, 0, nullptr, nullptr, &arena2);
  if (rc2 != rc) abort();
  flow_arena_free(&arena);
  flow_arena_free(&arena2);
  return 0;
}
