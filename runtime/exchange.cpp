// runtime/exchange.cpp — keyed state partitioned by key hash (abi.h
// flow_xchg_*): how `update` runs on every worker thread and still sees
// each key's records in arrival order.
//
// In a morsel, the fused loop stops at the update: the row it would have
// applied goes into the calling worker's buffer for its key's part, tagged
// with the morsel's sequence number. A worker takes morsels oldest first
// (worker.h), so each of its buffers is in arrival order; at the batch's
// end one job per part merges the workers' buffers of that part by
// sequence number — arrival order again — and applies the rows to that
// part's table. A key lives in one part, so it sees its records in the
// order one thread would have: the state, and what the batch's end emits
// from it (in key order), do not depend on the thread count.
#include <cstring>
#include <functional>
#include <vector>

#include "context.h"
#include "flow_stdlib.h"
#include "worker.h"

namespace flowrt {
namespace {

// One worker's rows of one update stage: per part, entries of [seq][row].
struct ExchangeBuffer {
  std::vector<std::vector<char>> parts;
  FlowArena strings{};  // the rows' string bytes

  ~ExchangeBuffer() { flow_arena_free(&strings); }
  bool empty() const {
    for (const auto& p : parts) {
      if (!p.empty()) return false;
    }
    return true;
  }
};

constexpr int64_t kSeqBytes = 8;

// The rows of one part, merged from every worker's buffer by seq.
class Cursor {
 public:
  Cursor(void** slots, int32_t workers, int32_t part, int64_t size)
      : entry_(static_cast<size_t>(size + kSeqBytes)) {
    for (int32_t w = 0; w < workers; ++w) {
      auto* buf = static_cast<ExchangeBuffer*>(slots[w]);
      if (buf == nullptr || static_cast<size_t>(part) >= buf->parts.size()) continue;
      const std::vector<char>& rows = buf->parts[static_cast<size_t>(part)];
      if (!rows.empty()) runs_.push_back({rows.data(), rows.data() + rows.size()});
    }
  }

  // The next row in arrival order, or null. Rows of one morsel are in one
  // buffer, one after another: the smallest head is looked for only when
  // a morsel's rows end.
  const void* next() {
    if (current_ != nullptr && current_->at < current_->end && seq(current_->at) == seq_) {
      return take(*current_);
    }
    current_ = nullptr;
    for (Run& r : runs_) {
      if (r.at < r.end && (current_ == nullptr || seq(r.at) < seq_)) {
        current_ = &r;
        seq_ = seq(r.at);
      }
    }
    return current_ != nullptr ? take(*current_) : nullptr;
  }

 private:
  struct Run {
    const char* at;
    const char* end;
  };
  static int64_t seq(const char* at) {
    int64_t s;
    std::memcpy(&s, at, sizeof s);
    return s;
  }
  const void* take(Run& r) {
    const char* row = r.at + kSeqBytes;
    r.at += entry_;
    return row;
  }

  size_t entry_;
  std::vector<Run> runs_;
  Run* current_ = nullptr;
  int64_t seq_ = 0;
};

// Empties the workers' buffers (capacity kept for the next batch).
void clear_buffers(void** slots, int32_t threads) {
  for (int32_t w = 0; w < threads; ++w) {
    auto* buf = static_cast<ExchangeBuffer*>(slots[w]);
    if (buf == nullptr) continue;
    for (auto& p : buf->parts) p.clear();
    flow_arena_reset(&buf->strings);
  }
}

}  // namespace
}  // namespace flowrt

extern "C" {

void* flow_xchg_append(void** slot, int32_t parts, int32_t part, int64_t seq, int64_t size) {
  auto* buf = static_cast<flowrt::ExchangeBuffer*>(*slot);
  if (buf == nullptr) {  // freed with the process: one per worker and stage
    buf = new flowrt::ExchangeBuffer();
    *slot = buf;
  }
  if (buf->parts.size() < static_cast<size_t>(parts)) buf->parts.resize(static_cast<size_t>(parts));
  std::vector<char>& rows = buf->parts[static_cast<size_t>(part)];
  const size_t at = rows.size();
  rows.resize(at + static_cast<size_t>(size + flowrt::kSeqBytes));
  std::memcpy(rows.data() + at, &seq, sizeof seq);
  return rows.data() + at + flowrt::kSeqBytes;
}

const char* flow_xchg_copy(void** slot, const char* bytes, int64_t len) {
  return flow_arena_copy(&static_cast<flowrt::ExchangeBuffer*>(*slot)->strings, bytes, len);
}

const void* flow_xchg_next(void* cursor) { return static_cast<flowrt::Cursor*>(cursor)->next(); }

void flow_xchg_replay(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                      void (*replay)(FlowContext*, const FlowBatch*, int32_t, void*)) {
  flowrt::Workers* workers = ctx->workers.get();
  const int32_t threads = workers != nullptr ? workers->threads() : 1;
  bool any = false;
  for (int32_t w = 0; w < threads; ++w) {
    auto* buf = static_cast<flowrt::ExchangeBuffer*>(slots[w]);
    any = any || (buf != nullptr && !buf->empty());
  }
  if (!any) return;
  const int32_t parts = ctx->state_parts;
  auto run_part = [=](int32_t part) {
    flowrt::Cursor cursor(slots, threads, part, size);
    replay(ctx, batch, part, &cursor);
  };
  if (workers != nullptr && workers->parallel()) {
    std::vector<std::function<void()>> jobs;
    for (int32_t part = 0; part < parts; ++part) jobs.emplace_back([=] { run_part(part); });
    workers->run_jobs(jobs);
  } else {
    for (int32_t part = 0; part < parts; ++part) run_part(part);
  }
  for (int32_t w = 0; w < threads; ++w) {
    auto* buf = static_cast<flowrt::ExchangeBuffer*>(slots[w]);
    if (buf == nullptr) continue;
    for (auto& p : buf->parts) p.clear();  // capacity kept for the next batch
    flow_arena_reset(&buf->strings);
  }
}

void flow_xchg_replay_one(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                          void (*replay)(FlowContext*, const FlowBatch*, int32_t, void*)) {
  flowrt::Workers* workers = ctx->workers.get();
  const int32_t threads = workers != nullptr ? workers->threads() : 1;
  {
    flowrt::Cursor cursor(slots, threads, 0, size);
    replay(ctx, batch, 0, &cursor);
  }
  flowrt::clear_buffers(slots, threads);
}

}  // extern "C"
