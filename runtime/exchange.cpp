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
//
// A row also carries its place in its morsel (among the rows of every
// part): with the rows each morsel sent, that gives its place in the
// batch's arrival order (flow_xchg_arrival), which a session window's
// first/last compare as one thread's counter would.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "context.h"
#include "flow_stdlib.h"
#include "worker.h"

namespace flowrt {
namespace {

// One part's rows in one worker's buffer: chunks filled one after another
// (an entry never straddles two), kept from batch to batch. (A vector
// doubled as a batch's rows grew, copying them all into fresh pages on
// the thread whose row went over the edge while the others waited for it
// at the batch's end: 25 to 50 ms at a time in a two-thread ysb_update's
// first batches.)
class RowChunks {
 public:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t used = 0;
    size_t size = 0;
  };

  char* append(size_t bytes) {
    while (current_ < chunks_.size() && chunks_[current_].size - chunks_[current_].used < bytes) {
      ++current_;
    }
    if (current_ == chunks_.size()) {
      const size_t grown =
          chunks_.empty() ? kFirstBytes : std::min(2 * chunks_.back().size, kMaxBytes);
      const size_t size = std::max(bytes, grown);
      chunks_.push_back({std::unique_ptr<char[]>(new char[size]), 0, size});  // not zeroed
    }
    Chunk& c = chunks_[current_];
    char* at = c.data.get() + c.used;
    c.used += bytes;
    return at;
  }
  // Empty, its chunks kept.
  void clear() {
    for (Chunk& c : chunks_) c.used = 0;
    current_ = 0;
  }
  bool empty() const {
    return std::all_of(chunks_.begin(), chunks_.end(), [](const Chunk& c) { return c.used == 0; });
  }
  const std::vector<Chunk>& chunks() const { return chunks_; }

 private:
  static constexpr size_t kFirstBytes = size_t{64} << 10;
  static constexpr size_t kMaxBytes = size_t{1} << 20;
  std::vector<Chunk> chunks_;
  size_t current_ = 0;  // the chunk being filled
};

// One worker's rows of one stage: per part, entries of [seq][place][row]
// (place: the row's index among its morsel's rows of every part).
struct ExchangeBuffer {
  std::vector<RowChunks> parts;
  // The morsels this worker ran, in order: {seq, rows sent}.
  std::vector<std::pair<int64_t, int64_t>> morsels;
  FlowArena strings{};  // the rows' string bytes

  ~ExchangeBuffer() { flow_arena_free(&strings); }
  bool empty() const {
    for (const auto& p : parts) {
      if (!p.empty()) return false;
    }
    return true;
  }
};

constexpr int64_t kHeadBytes = 16;  // seq, place

// Where each morsel's rows begin in the batch's arrival order: {seq,
// first}, by seq.
using MorselStarts = std::vector<std::pair<int64_t, int64_t>>;

// The rows of one part, merged from every worker's buffer by seq.
class Cursor {
 public:
  Cursor(void** slots, int32_t workers, int32_t part, int64_t size, const MorselStarts& starts)
      : entry_(static_cast<size_t>(size + kHeadBytes)), starts_(starts) {
    for (int32_t w = 0; w < workers; ++w) {
      auto* buf = static_cast<ExchangeBuffer*>(worker_ptr(slots, w));
      if (buf == nullptr || static_cast<size_t>(part) >= buf->parts.size()) continue;
      const std::vector<RowChunks::Chunk>& chunks = buf->parts[static_cast<size_t>(part)].chunks();
      Run r{chunks.data(), chunks.data() + chunks.size(), nullptr, nullptr};
      if (settle(r)) runs_.push_back(r);
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
    if (current_ == nullptr) return nullptr;
    auto it = std::lower_bound(starts_.begin(), starts_.end(), std::make_pair(seq_, INT64_MIN));
    first_ = it != starts_.end() && it->first == seq_ ? it->second : 0;
    return take(*current_);
  }

  int64_t arrival() const { return arrival_; }

 private:
  // One worker's rows: [at, end), what is left of the chunk being read,
  // then the chunks from `chunk` up to `last`.
  struct Run {
    const RowChunks::Chunk* chunk;  // the next chunk to read
    const RowChunks::Chunk* last;   // past the last
    const char* at;
    const char* end;
  };
  // Moves r on to its next chunk with rows when at its current one's end;
  // false: no rows left.
  static bool settle(Run& r) {
    while (r.at == r.end && r.chunk != r.last) {
      r.at = r.chunk->data.get();
      r.end = r.at + r.chunk->used;
      ++r.chunk;
    }
    return r.at != r.end;
  }
  static int64_t seq(const char* at) {
    int64_t s;
    std::memcpy(&s, at, sizeof s);
    return s;
  }
  const void* take(Run& r) {
    int64_t place;
    std::memcpy(&place, r.at + 8, sizeof place);
    arrival_ = first_ + place;
    const char* row = r.at + kHeadBytes;
    r.at += entry_;
    settle(r);
    return row;
  }

  size_t entry_;
  const MorselStarts& starts_;
  std::vector<Run> runs_;
  Run* current_ = nullptr;
  int64_t seq_ = 0;
  int64_t first_ = 0;    // the current morsel's first row's arrival
  int64_t arrival_ = 0;  // of the row last taken
};

// Every worker's morsels, by seq, each with where its rows begin; `total`
// gets the rows of all.
MorselStarts morsel_starts(void** slots, int32_t workers, int64_t& total) {
  MorselStarts starts;
  for (int32_t w = 0; w < workers; ++w) {
    auto* buf = static_cast<ExchangeBuffer*>(worker_ptr(slots, w));
    if (buf != nullptr) starts.insert(starts.end(), buf->morsels.begin(), buf->morsels.end());
  }
  std::sort(starts.begin(), starts.end());
  total = 0;
  for (auto& [seq, n] : starts) {
    const int64_t rows = n;
    n = total;
    total += rows;
  }
  return starts;
}

// Empties the workers' buffers (capacity kept for the next batch).
void clear_buffers(void** slots, int32_t threads) {
  for (int32_t w = 0; w < threads; ++w) {
    auto* buf = static_cast<ExchangeBuffer*>(worker_ptr(slots, w));
    if (buf == nullptr) continue;
    for (auto& p : buf->parts) p.clear();
    buf->morsels.clear();
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
  // A worker runs a morsel to its end before the next.
  if (buf->morsels.empty() || buf->morsels.back().first != seq) buf->morsels.push_back({seq, 0});
  const int64_t place = buf->morsels.back().second++;
  char* entry =
      buf->parts[static_cast<size_t>(part)].append(static_cast<size_t>(size + flowrt::kHeadBytes));
  std::memcpy(entry, &seq, sizeof seq);
  std::memcpy(entry + 8, &place, sizeof place);
  // Zeroed as a new vector element was: the row's fields are written
  // next, but none is left to what the chunk held last batch.
  std::memset(entry + flowrt::kHeadBytes, 0, static_cast<size_t>(size));
  return entry + flowrt::kHeadBytes;
}

const char* flow_xchg_copy(void** slot, const char* bytes, int64_t len) {
  return flow_arena_copy(&static_cast<flowrt::ExchangeBuffer*>(*slot)->strings, bytes, len);
}

const void* flow_xchg_next(void* cursor) { return static_cast<flowrt::Cursor*>(cursor)->next(); }

int64_t flow_xchg_arrival(void* cursor) { return static_cast<flowrt::Cursor*>(cursor)->arrival(); }

int64_t flow_xchg_replay(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                         void (*replay)(FlowContext*, const FlowBatch*, int32_t, void*)) {
  flowrt::Workers* workers = ctx->workers.get();
  const int32_t threads = workers != nullptr ? workers->threads() : 1;
  bool any = false;
  for (int32_t w = 0; w < threads; ++w) {
    auto* buf = static_cast<flowrt::ExchangeBuffer*>(flowrt::worker_ptr(slots, w));
    any = any || (buf != nullptr && !buf->empty());
  }
  if (!any) return 0;
  const int32_t parts = ctx->state_parts;
  int64_t total = 0;
  const flowrt::MorselStarts starts = flowrt::morsel_starts(slots, threads, total);
  auto run_part = [=, &starts](int32_t part) {
    flowrt::Cursor cursor(slots, threads, part, size, starts);
    replay(ctx, batch, part, &cursor);
  };
  if (workers != nullptr && workers->parallel()) {
    std::vector<std::function<void()>> jobs;
    for (int32_t part = 0; part < parts; ++part) jobs.emplace_back([=] { run_part(part); });
    workers->run_jobs(jobs);
  } else {
    for (int32_t part = 0; part < parts; ++part) run_part(part);
  }
  flowrt::clear_buffers(slots, threads);
  return total;
}

void flow_xchg_replay_one(FlowContext* ctx, const FlowBatch* batch, void** slots, int64_t size,
                          void (*replay)(FlowContext*, const FlowBatch*, int32_t, void*)) {
  flowrt::Workers* workers = ctx->workers.get();
  const int32_t threads = workers != nullptr ? workers->threads() : 1;
  {
    int64_t total = 0;
    const flowrt::MorselStarts starts = flowrt::morsel_starts(slots, threads, total);
    flowrt::Cursor cursor(slots, threads, 0, size, starts);
    replay(ctx, batch, 0, &cursor);
  }
  flowrt::clear_buffers(slots, threads);
}

}  // extern "C"
