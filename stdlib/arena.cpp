// stdlib/arena.cpp — the bump allocator behind every string the stdlib
// builds. The fast path is a compare and an add so that, once inlined into
// generated code, lower()/concatenation cost no call.
#include <stdlib.h>
#include <string.h>

#include "flow_stdlib.h"

// Blocks are malloc'd with this header in front of their bytes. The chain
// starts at the newest block, which is also the largest (sizes double).
struct FlowArenaBlock {
  FlowArenaBlock* next;
  int64_t size;  // usable bytes after the header
};

namespace {

// Small enough not to matter per pipeline, large enough that a batch of
// short strings fits in one block after the first reset.
constexpr int64_t kMinBlockBytes = 64 * 1024;
constexpr int64_t kAlign = 8;  // doubles and pointers stored in arena memory
// Far above any record (64 MiB) times any expansion; keeps sizes from
// overflowing when doubled.
constexpr int64_t kMaxAllocBytes = int64_t{1} << 46;

char* block_data(FlowArenaBlock* b) {
  return reinterpret_cast<char*>(b) + sizeof(FlowArenaBlock);
}

}  // namespace

extern "C" {

void* flow_arena_alloc(FlowArena* arena, int64_t n) {
  // Block sizes and bump steps are multiples of kAlign, so n fitting means
  // the rounded size fits too; the unsigned compare also rejects n < 0.
  if (__builtin_expect(static_cast<uint64_t>(n) <=
                           static_cast<uint64_t>(arena->end - arena->cur),
                       1)) {
    char* p = arena->cur;
    arena->cur += (n + (kAlign - 1)) & ~(kAlign - 1);
    return p;
  }
  return flow_arena_alloc_slow(arena, n);
}

__attribute__((noinline)) void* flow_arena_alloc_slow(FlowArena* arena,
                                                      int64_t n) {
  if (n < 0) n = 0;
  if (n > kMaxAllocBytes) abort();  // a bug upstream, not a big record
  int64_t rounded = (n + (kAlign - 1)) & ~(kAlign - 1);
  int64_t size = kMinBlockBytes;
  if (arena->blocks && arena->blocks->size * 2 > size) {
    size = arena->blocks->size * 2;
  }
  if (rounded > size) size = rounded;
  auto* b = static_cast<FlowArenaBlock*>(
      malloc(sizeof(FlowArenaBlock) + static_cast<size_t>(size)));
  if (!b) abort();  // out of memory: there is no record to blame
  b->next = arena->blocks;
  b->size = size;
  arena->blocks = b;
  char* p = block_data(b);
  arena->cur = p + rounded;
  arena->end = p + size;
  return p;
}

void flow_arena_reset(FlowArena* arena) {
  FlowArenaBlock* keep = arena->blocks;
  if (!keep) return;
  // Older blocks are smaller; dropping them makes the arena converge to a
  // single block big enough for a whole call.
  FlowArenaBlock* b = keep->next;
  while (b) {
    FlowArenaBlock* next = b->next;
    free(b);
    b = next;
  }
  keep->next = nullptr;
  arena->cur = block_data(keep);
  arena->end = arena->cur + keep->size;
}

void flow_arena_free(FlowArena* arena) {
  FlowArenaBlock* b = arena->blocks;
  while (b) {
    FlowArenaBlock* next = b->next;
    free(b);
    b = next;
  }
  arena->cur = nullptr;
  arena->end = nullptr;
  arena->blocks = nullptr;
}

const char* flow_arena_copy(FlowArena* arena, const char* p, int64_t n) {
  if (n <= 0) return "";
  char* dst = static_cast<char*>(flow_arena_alloc(arena, n));
  memcpy(dst, p, static_cast<size_t>(n));
  return dst;
}

}  // extern "C"
