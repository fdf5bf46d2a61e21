// runtime/source_generate.cpp — generate(count:, rate:, start:, step:)
// (LANGUAGE.md 4.1): hands ranges of `value` to the generated function,
// which computes the records itself.
#include <algorithm>

#include "checkpoint_file.h"
#include "context.h"
#include "io_util.h"
#include "sources.h"

namespace flowrt {
namespace {

class GenerateSource final : public Source {
 public:
  using Source::Source;

  bool open(FlowContext* ctx) override {
    position_name = desc->name ? desc->name : "generate";
    // Alone, larger chunks (a batch still holds the first
    // --max-batch-records values whatever the chunk); beside other sources,
    // chunks of kChunkRecords so that each gets its turns within a batch.
    // Never a function of --threads: the batches' contents are not either.
    int streams = 0;
    for (const auto& s : ctx->sources) streams += s->is_table ? 0 : 1;
    chunk_ = streams == 1 ? kMorselValues : kChunkRecords;
    return true;
  }

  Pump pump(FlowContext* ctx, int64_t budget) override {
    if (ended) return Pump::kEnded;
    int64_t n = std::min(budget, chunk_);
    if (desc->gen_count > 0) n = std::min(n, desc->gen_count - next_);
    if (desc->gen_rate > 0) {
      int64_t now = now_ms();
      if (rate_start_ < 0) rate_start_ = now;
      // Records due by now: the first at once, then `rate` per second.
      double elapsed_s = static_cast<double>(now - rate_start_) / 1000.0;
      double due = elapsed_s * static_cast<double>(desc->gen_rate) + 1.0;
      int64_t allowed = due >= 9e18 ? n : static_cast<int64_t>(due) - next_;
      if (allowed <= 0) return Pump::kIdle;
      n = std::min(n, allowed);
    }
    if (n > 0) {
      ctx->deliver_generate(this, next_, n);
      next_ += n;
    }
    if (desc->gen_count > 0 && next_ >= desc->gen_count) ended = true;
    return Pump::kProgress;
  }

  int64_t wait_ms(int64_t now) const override {
    if (desc->gen_rate <= 0 || rate_start_ < 0) return 0;
    // When record number next_ becomes due.
    double due_at = static_cast<double>(rate_start_) +
                    static_cast<double>(next_) * 1000.0 / static_cast<double>(desc->gen_rate);
    double wait = due_at - static_cast<double>(now);
    return wait <= 0 ? 0 : static_cast<int64_t>(wait) + 1;
  }

  bool probe_end(FlowContext*) override {
    if (desc->gen_count > 0 && next_ >= desc->gen_count) ended = true;
    return ended;
  }

  bool resumable() const override { return true; }

  void save_position(std::string* out) const override {
    CkptOut(out).u64(static_cast<uint64_t>(next_));
  }

  bool restore_position(FlowContext*, std::string_view position, std::string* error) override {
    CkptIn r(position);
    auto next = static_cast<int64_t>(r.u64());
    if (r.failed() || !r.at_end() || next < 0) {
      *error = "its position does not read back";
      return false;
    }
    next_ = next;
    if (desc->gen_count > 0 && next_ >= desc->gen_count) ended = true;
    if (desc->gen_rate > 0) {
      // The rate goes on from here: record next_ is due now.
      rate_start_ = now_ms() - static_cast<int64_t>(static_cast<double>(next_) * 1000.0 /
                                                    static_cast<double>(desc->gen_rate));
    }
    return true;
  }

 private:
  int64_t next_ = 0;        // the next `value`
  int64_t chunk_ = kChunkRecords;  // values per pump at most
  int64_t rate_start_ = -1; // when the first record was due (rate > 0)
};

}  // namespace

std::unique_ptr<Source> make_generate_source(int32_t index, const FlowSourceDesc* desc) {
  return std::make_unique<GenerateSource>(index, desc);
}

}  // namespace flowrt
