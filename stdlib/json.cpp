// stdlib/json.cpp — the part of JSON-lines field extraction compiled into
// every pipeline (LANGUAGE.md 4.2 and 12): the layout path (json_fast.h),
// inlined into the record loop, and the call to flow_json_scan_rest
// (json_full.cpp, native code: the flat scan, then the full scanner) for
// any record it does not take.
#include "json_fast.h"

namespace {

inline void clear_fields(FlowStr* values, int32_t* kinds, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    kinds[i] = FLOW_JSON_MISSING;
    values[i] = FlowStr{"", 0};
  }
}

}  // namespace

extern "C" {

// scan_fast in two halves: the layout path here, inlined into the record
// loop; the rest (flow_json_scan_rest) in json_full.cpp, native code.
FLOW_INLINE_INTO_PIPELINE int32_t flow_json_scan_layout(const char* p, int64_t n, FlowStr* values,
                                                        int32_t* kinds, int64_t count,
                                                        FlowJsonLayout* layout) {
  FlatRecord r{reinterpret_cast<const u8*>(p), n, {}};
  clear_fields(values, kinds, count);
  return layout != nullptr && layout->members > 0 &&
         __builtin_expect(scan_layout<FlowJsonKeyFn>(r, layout, values, kinds), 1);
}

FLOW_INLINE_INTO_PIPELINE int32_t flow_json_scan(const char* p, int64_t n, FlowJsonKeyFn lookup,
                                                 FlowStr* values, int32_t* kinds, int64_t count,
                                                 FlowArena* arena, FlowJsonLayout* layout) {
  if (flow_json_scan_layout(p, n, values, kinds, count, layout)) return FLOW_JSON_OK;
  return flow_json_scan_rest(p, n, lookup, values, kinds, count, arena, layout);
}

const char* flow_json_error_text(int32_t code) {
  switch (code) {
    case FLOW_JSON_OK: return "ok";
    case FLOW_JSON_MALFORMED: return "malformed JSON";
    case FLOW_JSON_NOT_OBJECT: return "expected a JSON object";
    case FLOW_JSON_INVALID_UTF8: return "invalid UTF-8";
    case FLOW_JSON_TOO_DEEP: return "JSON nested deeper than 1000 levels";
    default: return "unknown JSON error";
  }
}

}  // extern "C"
