// A C++ function with a syntax error: flowc shows clang's own message,
// with this file's path, then its error at the declaration.
#include <flowc/udf.h>

extern "C" bool is_view(FlowStr s) {
  return s.len == 4 && s.ptr[0] == 'v'
}
