// fuzz/fuzz_writers.cpp — what flowc writes must read back (runtime/
// json_text.cpp against stdlib/json.cpp and csv.cpp, two independent
// pieces): for arbitrary bytes S,
//   - a dead-letter `record` (append_json_string_utf8) is valid JSON whose
//     string is S with invalid UTF-8 replaced: re-parsed by flow_json_fields
//     it is a string; for valid UTF-8 S it is S itself;
//   - a JSON sink string (append_json_string) of valid UTF-8 reads back as S;
//   - a CSV sink field (append_csv_field) reads back through flow_csv_split
//     as S, one field, for each delimiter.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "flow_stdlib.h"
#include "json_text.h"

namespace {

bool read_back(const std::string& object, FlowStr* value, int32_t* kind, FlowArena* arena) {
  FlowStr name{"r", 1};
  return flow_json_fields(object.data(), static_cast<int64_t>(object.size()), &name, 1, value, kind,
                          arena) == FLOW_JSON_OK;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  FlowArena arena{};

  // Is S valid UTF-8? (the JSON parser says so for a string holding it raw)
  std::string raw_object = "{\"r\":\"";
  bool plain = true;
  for (char c : s) plain = plain && c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20;
  raw_object.append(s);
  raw_object += "\"}";
  FlowStr v{};
  int32_t kind = 0;
  const bool utf8_known = plain;
  const bool valid_utf8 = plain && read_back(raw_object, &v, &kind, &arena);

  std::string dead = "{\"r\":";
  flowrt::append_json_string_utf8(&dead, s);
  dead += "}";
  if (!read_back(dead, &v, &kind, &arena) || kind != FLOW_JSON_STRING) abort();
  if (utf8_known && valid_utf8 &&
      (v.len != static_cast<int64_t>(size) || (size && std::memcmp(v.ptr, data, size) != 0))) {
    abort();
  }

  if (utf8_known && valid_utf8) {
    std::string sink = "{\"r\":";
    flowrt::append_json_string(&sink, s);
    sink += "}";
    if (!read_back(sink, &v, &kind, &arena) || kind != FLOW_JSON_STRING ||
        v.len != static_cast<int64_t>(size) || (size && std::memcmp(v.ptr, data, size) != 0)) {
      abort();
    }
  }

  for (char delim : {',', ';', '\t', '|'}) {
    std::string field;
    flowrt::append_csv_field(&field, s, delim);
    FlowStr cols[2];
    int64_t n = flow_csv_split(field.data(), static_cast<int64_t>(field.size()), delim, cols, 2,
                               &arena);
    if (n != 1 || cols[0].len != static_cast<int64_t>(size) ||
        (size && std::memcmp(cols[0].ptr, data, size) != 0)) {
      abort();
    }
  }
  flow_arena_free(&arena);
  return 0;
}
