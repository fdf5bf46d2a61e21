// fuzz/fuzz_splitter.cpp — the record splitter (runtime/record_splitter.cpp)
// that cuts csv, json, lines and regex inputs into records, on arbitrary
// bytes. Three runs over the same input must agree:
//   - the whole input in one piece (the reference);
//   - the input in chunks of fuzzer-chosen sizes (how read(2) delivers it);
//   - a restart from the checkpoint position (consumed_offset, line,
//     skipping, csv_state) taken after the k-th record, fed the input from
//     that offset: it must hand out exactly the reference's remaining
//     records (what a resumed run relies on).
// - the chunked run again through the fast path (cut, as TextSource::pump
//   calls it) with the bytes exposed in place (zero copy, as a mapped file
//   is): the same records.
// The header byte picks the format, a small record limit (to reach the
// too-long-record path) and the chunking; a second byte picks k.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "record_splitter.h"

namespace {

struct Out {
  int kind;  // 0 record, 1 bad
  std::string bytes;  // records only: a bad record's prefix depends on chunking
  int64_t line;
  int64_t offset;
  bool operator==(const Out&) const = default;
};

struct Snapshot {
  int64_t offset = -1, line = 0;
  bool skipping = false;
  int32_t csv_state = 0;
};

// Feeds input[from..] in chunks (sizes cycle through `chunks`; empty: one
// piece) and collects what next() hands out. After the `snap_at`-th output
// (when >= 0), records the checkpoint position into *snap.
std::vector<Out> run(int32_t format, int64_t max_record, const std::string& input, size_t from,
                     const std::vector<size_t>& chunks, flowrt::RecordSplitter* sp,
                     int64_t snap_at = -1, Snapshot* snap = nullptr, bool fast = false) {
  std::vector<Out> out;
  size_t pos = from;
  size_t ci = 0;
  for (int guard = 0; guard < 1000000; ++guard) {
    if (fast) {
      FlowRecord batch[3];
      int64_t got = sp->cut(batch, 3);
      for (int64_t k = 0; k < got; ++k) {
        const FlowRecord& rec = batch[k];
        if (rec.len < 0 || rec.line < 1 || rec.offset < 0 || rec.len > max_record) abort();
        out.push_back(
            {0, std::string(rec.ptr, static_cast<size_t>(rec.len)), rec.line, rec.offset});
      }
      if (got > 0) continue;
    }
    FlowRecord rec{};
    const char* message = nullptr;
    auto st = sp->next(&rec, &message);
    if (st == flowrt::RecordSplitter::Next::kEnd) return out;
    if (st == flowrt::RecordSplitter::Next::kNeedMore) {
      if (pos >= input.size()) {
        sp->finish();
        continue;
      }
      size_t want = chunks.empty() ? input.size() - pos : chunks[ci++ % chunks.size()];
      want = std::min(want, input.size() - pos);
      if (fast) {  // zero copy: the bytes stay where they are, more of them seen
        sp->expose(input.data() + sp->base_offset(),
                   static_cast<int64_t>(pos + want) - sp->base_offset());
      } else {
        char* dst = sp->fill_ptr(want);
        std::copy(input.data() + pos, input.data() + pos + want, dst);
        sp->commit(want);
      }
      pos += want;
      continue;
    }
    if (rec.len < 0 || rec.line < 1 || rec.offset < 0) abort();
    if (st == flowrt::RecordSplitter::Next::kBad) {
      if (message == nullptr) abort();
      out.push_back({1, "", rec.line, rec.offset});
    } else {
      if (rec.len > max_record) abort();
      out.push_back({0, std::string(rec.ptr, static_cast<size_t>(rec.len)), rec.line, rec.offset});
    }
    if (snap != nullptr && static_cast<int64_t>(out.size()) == snap_at) {
      snap->offset = sp->consumed_offset();
      snap->line = sp->consumed_line();
      snap->skipping = sp->skipping();
      snap->csv_state = sp->csv_state();
    }
  }
  abort();  // no progress: a hang
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const int32_t kFormats[] = {FLOW_FORMAT_CSV, FLOW_FORMAT_JSON, FLOW_FORMAT_LINES,
                                     FLOW_FORMAT_CSV};
  const int32_t format = kFormats[data[0] & 3];
  const int64_t max_record = (data[0] & 4) ? 16 + (data[0] >> 4) * 8 : flowrt::kMaxRecordBytes;
  const char delim = (data[0] & 8) ? ';' : ',';
  const int64_t snap_at = data[1] & 15;
  std::string input(reinterpret_cast<const char*>(data) + 2, size - 2);
  std::vector<size_t> chunks;
  for (size_t i = 0; i < 4; ++i) chunks.push_back(1 + ((data[1] >> 4) + 3 * i) % 7);

  flowrt::RecordSplitter whole(format, delim, max_record);
  Snapshot snap;
  std::vector<Out> ref = run(format, max_record, input, 0, {}, &whole, snap_at, &snap);

  flowrt::RecordSplitter chunked(format, delim, max_record);
  std::vector<Out> got = run(format, max_record, input, 0, chunks, &chunked);
  if (got.size() != ref.size()) abort();
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!(got[i] == ref[i])) abort();
  }

  flowrt::RecordSplitter fast(format, delim, max_record);
  std::vector<Out> quick = run(format, max_record, input, 0, chunks, &fast, -1, nullptr, true);
  if (quick.size() != ref.size()) abort();
  for (size_t i = 0; i < ref.size(); ++i) {
    // A bad record's prefix may differ with chunking; everything else not.
    if (!(quick[i] == ref[i])) abort();
  }

  if (snap.offset >= 0) {
    if (snap.offset > static_cast<int64_t>(input.size())) abort();
    flowrt::RecordSplitter resumed(format, delim, max_record);
    resumed.restart_at(snap.offset, snap.line, snap.skipping, snap.csv_state);
    std::vector<Out> rest =
        run(format, max_record, input, static_cast<size_t>(snap.offset), chunks, &resumed);
    if (rest.size() != ref.size() - static_cast<size_t>(snap_at)) abort();
    for (size_t i = 0; i < rest.size(); ++i) {
      if (!(rest[i] == ref[static_cast<size_t>(snap_at) + i])) abort();
    }
  }
  return 0;
}
