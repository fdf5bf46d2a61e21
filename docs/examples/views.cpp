// views.cpp, beside views.flow (docs/udf.md)
#include <flowc/udf.h>
#include <cstring>

extern "C" bool is_view(FlowStr event_type) {
  return event_type.len == 4 && std::memcmp(event_type.ptr, "view", 4) == 0;
}
