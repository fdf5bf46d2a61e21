// is_view.cpp — the C++ function of ysb_udf.flow (bench/udf.sh): the same
// test as ysb_window.flow's built-in `event_type == "view"`.
#include <flowc/udf.h>

#include <cstring>

extern "C" bool is_view(FlowStr event_type) {
  return event_type.len == 4 && std::memcmp(event_type.ptr, "view", 4) == 0;
}
