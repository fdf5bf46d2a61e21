// runtime/record_splitter.h — cuts a byte stream into records (LANGUAGE.md
// 12, "Input text"): lines on `\n` with a trailing `\r` stripped, CSV
// records that continue across quoted newlines (RFC 4180), a final record
// without a newline at end of input, and a bound on record length.
#ifndef FLOWC_RUNTIME_RECORD_SPLITTER_H
#define FLOWC_RUNTIME_RECORD_SPLITTER_H

#include <cstddef>
#include <cstdint>
#include <memory>

#include "abi.h"

namespace flowrt {

// LANGUAGE.md 12: a record may be up to 64 MiB; a longer one is a bad
// record, skipped without buffering it whole.
inline constexpr int64_t kMaxRecordBytes = int64_t{64} << 20;
// Bytes asked of read(2) at a time (pipes, sockets, followed files): large
// enough to keep syscalls off the per-record path, small enough that the
// reused buffer (a read plus a partial record) stays in a core's L2 cache
// while the generated code parses it.
inline constexpr size_t kReadChunkBytes = size_t{128} << 10;
// A too-long record's dead-letter copy is cut to this many bytes.
inline constexpr int64_t kBadRecordPrefixBytes = 4096;

class RecordSplitter {
 public:
  enum class Next {
    kRecord,    // *rec is a record (a view valid until the next fill)
    kBad,       // *rec is a bad record's (prefix), *message the reason
    kNeedMore,  // no complete record buffered: append bytes or finish()
    kEnd,       // finish() was called and every byte has been handed out
  };

  RecordSplitter(int32_t format, char delimiter,
                 int64_t max_record = kMaxRecordBytes);
  ~RecordSplitter();

  // Buffered input (read(2)): space for at least `want` more bytes at the
  // end of the buffered data; moves unconsumed bytes to the front, so views
  // from next() die here.
  char* fill_ptr(size_t want);
  void commit(size_t n);  // n bytes were written at fill_ptr()
  // Zero-copy input (a mapped file): the input's bytes from base_offset()
  // on are at `p`, `n` of them (n never shrinks). Records are views into
  // them, valid until the next expose(). Never mixed with fill_ptr().
  void expose(const char* p, int64_t n);
  void finish();          // end of this input: the rest is the last record
  // The input offset of the first byte held (buffered) or exposed.
  int64_t base_offset() const { return base_offset_; }

  Next next(FlowRecord* rec, const char** message);

  // The fast path: cuts complete records into out[0..max) while nothing
  // needs next()'s care (no record is too long, no CSV record holds a
  // quote, not inside a too-long record); returns how many. Records,
  // lines, offsets and positions are exactly next()'s; call next() when
  // this returns fewer than max.
  int64_t cut(FlowRecord* out, int64_t max);

  // True when no record (blank lines aside, for formats that skip them)
  // remains in the buffer.
  bool only_blank_left() const;
  bool finished() const { return finished_; }

  // Starts a new input (a rotated file): line 1, offset 0, empty buffer.
  void reset();

  // Checkpoints: where the next record not yet handed out by next() starts
  // (bytes read ahead past it are not counted), and its line.
  int64_t consumed_offset() const { return base_offset_ + begin_; }
  int64_t consumed_line() const { return scan_ == begin_ ? line_ : record_line_; }
  // Inside a too-long record (already reported): its rest is dropped.
  bool skipping() const { return skipping_; }
  // The CSV quoting state at scan_ (only meaningful while skipping: a
  // record boundary is always outside quotes).
  int32_t csv_state() const { return static_cast<int32_t>(csv_); }
  // Starts over with an empty buffer at input offset `offset`, on line
  // `line` (the input was positioned there), optionally in the middle of a
  // too-long record (with the CSV state there).
  void restart_at(int64_t offset, int64_t line, bool skipping, int32_t csv_state);

 private:
  enum class Csv : uint8_t { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };

  // Advances scan_ over the current record; true when its end (a `\n`
  // outside quotes) is at scan_.
  bool scan_to_terminator();
  bool scan_csv();
  const char* next_quote(int64_t seg);
  Next emit(int64_t end, int64_t next_start, FlowRecord* rec);

  int32_t format_;
  char delimiter_;
  int64_t max_record_;
  std::unique_ptr<char[]> buf_;  // buffered input: owns data_
  size_t cap_ = 0;
  const char* data_ = nullptr;   // buf_, or the exposed bytes
  int64_t begin_ = 0;   // first unconsumed byte (start of the current record)
  int64_t scan_ = 0;    // next byte to scan within the current record
  int64_t end_ = 0;     // end of buffered data
  int64_t base_offset_ = 0;  // input offset of data_[0]
  int64_t line_ = 1;         // line of the byte at scan_
  int64_t record_line_ = 1;  // line of the current record's first byte
  Csv csv_ = Csv::kFieldStart;
  // CSV: the buffer holds no `"` in [quote_from_, quote_at_), and when
  // quote_at_ < quote_end_ there is one at quote_at_ (quote_end_ is where
  // that search stopped). One search over the buffer then serves every
  // record before the next quote: unquoted CSV costs one memchr a line.
  int64_t quote_from_ = 0;
  int64_t quote_at_ = 0;
  int64_t quote_end_ = 0;
  // cut(): the newlines of data_[nl_from_, nl_to_), one bit a byte
  // (flow_scan_index, the CPU's SIMD level), so that a record's end is a
  // bit search rather than a memchr call per record. Bits at and past end_
  // are set; any change to data_ or end_ drops the window (nl_to_ = 0).
  int64_t next_newline(int64_t from);
  static constexpr int64_t kNewlineWords = 64;  // 4 KiB of input a window
  uint64_t nl_bits_[kNewlineWords];
  int64_t nl_from_ = 0;
  int64_t nl_to_ = 0;
  bool skipping_ = false;  // inside a too-long record: drop until its end
  bool finished_ = false;
};

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_RECORD_SPLITTER_H
