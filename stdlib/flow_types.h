// stdlib/flow_types.h — the plain C types shared by the stdlib, the runtime
// and generated code. Kept tiny: generated code mirrors these layouts.
#ifndef FLOWC_STDLIB_FLOW_TYPES_H
#define FLOWC_STDLIB_FLOW_TYPES_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// A string: bytes, not NUL-terminated, may contain NUL. LLVM type {ptr, i64}.
typedef struct FlowStr {
  const char* ptr;
  int64_t len;
} FlowStr;

// A bump allocator for strings built while processing records (lower(),
// concatenation, unescaped JSON/CSV fields). The runtime resets it between
// calls into generated code; nothing allocated here outlives a call.
typedef struct FlowArenaBlock FlowArenaBlock;
typedef struct FlowArena {
  char* cur;
  char* end;
  FlowArenaBlock* blocks;  // owned chain, reused after flow_arena_reset
} FlowArena;

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // FLOWC_STDLIB_FLOW_TYPES_H
