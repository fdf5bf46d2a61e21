// runtime/udf_alloc.h — where flow_udf_alloc (udf.h) allocates.
#ifndef FLOWC_RUNTIME_UDF_ALLOC_H
#define FLOWC_RUNTIME_UDF_ALLOC_H

#include "flow_types.h"

namespace flowrt {

// Makes `arena` the one flow_udf_alloc allocates from on this thread.
// flow_scratch calls it: generated code asks for the scratch arena at the
// start of every call into it, before any C++ function can run.
void udf_use_arena(FlowArena* arena);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_UDF_ALLOC_H
