// runtime/udf_alloc.cpp — flow_udf_alloc, the allocator of C++ functions
// (udf.h, LANGUAGE.md 13).
//
// A C++ function has no context argument, so the arena is found through a
// thread-local pointer that flow_scratch sets: the scratch arena of the
// pipeline running on this thread, reset by the runtime after each group
// of records (FlowContext::deliver). It is native code, never JIT-compiled,
// so thread_local needs nothing of the JIT.
#include "udf_alloc.h"

#include "flow_stdlib.h"
#include "udf.h"

namespace flowrt {

namespace {

// A function called before any pipeline ran on this thread (a static
// constructor of the C++ file) gets memory that lives until the thread ends.
struct OwnArena {
  FlowArena arena{};
  ~OwnArena() { flow_arena_free(&arena); }
};

thread_local FlowArena* t_arena = nullptr;
thread_local OwnArena t_own;

}  // namespace

void udf_use_arena(FlowArena* arena) { t_arena = arena; }

}  // namespace flowrt

extern "C" void* flow_udf_alloc(int64_t bytes) {
  FlowArena* arena = flowrt::t_arena != nullptr ? flowrt::t_arena : &flowrt::t_own.arena;
  // Never null, as udf.h promises (flow_arena_alloc may give null for 0).
  return flow_arena_alloc(arena, bytes > 0 ? bytes : 1);
}
