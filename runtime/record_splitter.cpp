// runtime/record_splitter.cpp — bytes -> records; see record_splitter.h.
#include "record_splitter.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "flow_stdlib.h"

namespace flowrt {

RecordSplitter::RecordSplitter(int32_t format, char delimiter, int64_t max_record)
    : format_(format), delimiter_(delimiter), max_record_(max_record) {}

RecordSplitter::~RecordSplitter() = default;

void RecordSplitter::reset() {
  data_ = buf_.get();
  begin_ = scan_ = end_ = 0;
  base_offset_ = 0;
  line_ = record_line_ = 1;
  csv_ = Csv::kFieldStart;
  quote_from_ = quote_at_ = quote_end_ = 0;
  nl_from_ = nl_to_ = 0;
  skipping_ = false;
  finished_ = false;
}

void RecordSplitter::restart_at(int64_t offset, int64_t line, bool skipping,
                                int32_t csv_state) {
  reset();
  base_offset_ = offset;
  line_ = record_line_ = line;
  skipping_ = skipping;
  if (skipping && csv_state >= 0 && csv_state <= static_cast<int32_t>(Csv::kQuoteInQuoted)) {
    csv_ = static_cast<Csv>(csv_state);
  }
}

char* RecordSplitter::fill_ptr(size_t want) {
  // Drop consumed bytes (and, while skipping a too-long record, the part of
  // it already scanned) so the buffer never holds more than one record.
  int64_t keep_from = skipping_ ? scan_ : begin_;
  if (keep_from > 0) {
    size_t live = static_cast<size_t>(end_ - keep_from);
    if (live > 0) std::memmove(buf_.get(), buf_.get() + keep_from, live);
    base_offset_ += keep_from;
    begin_ -= std::min(begin_, keep_from);
    scan_ -= keep_from;
    end_ -= keep_from;
    // The cached quote search moves with the bytes (a quote_at_ that falls
    // before them goes negative: below scan_, so it is searched again).
    quote_from_ = std::max(quote_from_, keep_from) - keep_from;
    quote_at_ -= keep_from;
    quote_end_ -= keep_from;
  }
  size_t need = static_cast<size_t>(end_) + want;
  if (need > cap_) {
    size_t cap = std::max<size_t>(cap_ * 2, need);
    std::unique_ptr<char[]> grown(new char[cap]);
    if (end_ > 0) std::memcpy(grown.get(), buf_.get(), static_cast<size_t>(end_));
    buf_ = std::move(grown);
    cap_ = cap;
  }
  data_ = buf_.get();
  nl_from_ = nl_to_ = 0;
  return buf_.get() + end_;
}

void RecordSplitter::commit(size_t n) {
  end_ += static_cast<int64_t>(n);
  nl_from_ = nl_to_ = 0;
}

void RecordSplitter::expose(const char* p, int64_t n) {
  data_ = p;
  end_ = n;
  nl_from_ = nl_to_ = 0;
}

inline int64_t RecordSplitter::next_newline(int64_t from) {
  while (from < end_) {
    if (from < nl_from_ || from >= nl_to_) {
      int64_t words =
          flow_scan_index(data_ + from, end_ - from, FLOW_SCAN_BYTE, '\n', nl_bits_, kNewlineWords);
      nl_from_ = from;
      nl_to_ = std::min(end_, from + 64 * words);
    }
    // Words without a newline (most of a record's) cost a load and a test.
    const int64_t rel = from - nl_from_;
    const int64_t last = (nl_to_ - nl_from_ - 1) >> 6;
    int64_t word = rel >> 6;
    uint64_t w = nl_bits_[word] & (~uint64_t{0} << (rel & 63));
    while (w == 0 && word < last) w = nl_bits_[++word];
    if (w != 0) {
      int64_t at = nl_from_ + 64 * word + __builtin_ctzll(w);
      return at < end_ ? at : -1;  // bits past the end are set
    }
    from = nl_to_;
  }
  return -1;
}

void RecordSplitter::finish() { finished_ = true; }

int64_t RecordSplitter::cut(FlowRecord* out, int64_t max) {
  if (skipping_ || scan_ != begin_) return 0;
  const bool csv = format_ == FLOW_FORMAT_CSV;
  int64_t k = 0;
  while (k < max && begin_ < end_) {
    // The end of the record from the newline bitmap (next_newline): a
    // 4 KiB window at a time, a bit search per record.
    const char* p = data_ + begin_;
    int64_t stop = next_newline(begin_);
    if (stop < 0) break;  // no terminator yet: next() waits for more
    if (stop - begin_ > max_record_) break;  // next() reports it
    // CSV: no quote in the record, by the cached search when it covers the
    // record (no quote in [quote_from_, quote_at_)), else by next_quote.
    if (csv && !(quote_from_ <= begin_ && quote_at_ > stop)) {
      scan_ = begin_;  // next_quote searches from scan_
      if (next_quote(stop - begin_) != nullptr) break;  // quoted: next() reads it
    }
    int64_t len = stop - begin_;
    if (len > 0 && data_[stop - 1] == '\r') --len;
    FlowRecord& rec = out[k++];
    rec.ptr = p;
    rec.len = len;
    rec.line = line_;
    rec.offset = base_offset_ + begin_;
    ++line_;
    begin_ = scan_ = stop + 1;
    record_line_ = line_;
  }
  return k;
}

// The first `"` in [scan_, scan_ + seg), or null. Searches the rest of the
// buffer at most once per quote found (see quote_at_).
const char* RecordSplitter::next_quote(int64_t seg) {
  const int64_t limit = scan_ + seg;
  const bool cached = quote_from_ <= scan_ && (quote_at_ < quote_end_ ? quote_at_ >= scan_ : quote_end_ >= limit);
  if (!cached) {
    const char* p = data_ + scan_;
    const char* q = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end_ - scan_)));
    quote_from_ = scan_;
    quote_end_ = end_;
    quote_at_ = q ? scan_ + (q - p) : end_;
  }
  return quote_at_ < limit ? data_ + quote_at_ : nullptr;
}

bool RecordSplitter::scan_csv() {
  const char* b = data_;
  while (scan_ < end_) {
    const char* p = b + scan_;
    size_t left = static_cast<size_t>(end_ - scan_);
    if (csv_ == Csv::kFieldStart || csv_ == Csv::kUnquoted) {
      // Outside quotes only `\n` and `"` matter; the state at a quote
      // depends on the byte before it (a delimiter: the quote opens a field).
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', left));
      size_t seg = nl ? static_cast<size_t>(nl - p) : left;
      const char* q = next_quote(static_cast<int64_t>(seg));
      size_t skip = q ? static_cast<size_t>(q - p) : seg;
      if (skip > 0) csv_ = p[skip - 1] == delimiter_ ? Csv::kFieldStart : Csv::kUnquoted;
      scan_ += static_cast<int64_t>(skip);
      if (q == nullptr) {
        if (nl) return true;
        continue;
      }
      csv_ = csv_ == Csv::kFieldStart ? Csv::kQuoted : Csv::kUnquoted;  // literal quote
      ++scan_;
      continue;
    }
    if (csv_ == Csv::kQuoted) {
      // Inside quotes: jump to the next quote, counting the newlines passed.
      const char* q = static_cast<const char*>(std::memchr(p, '"', left));
      size_t skip = q ? static_cast<size_t>(q - p) : left;
      for (const char* n = p; (n = static_cast<const char*>(std::memchr(n, '\n', skip - (n - p))));
           ++n) {
        ++line_;
      }
      scan_ += static_cast<int64_t>(skip);
      if (q == nullptr) continue;
      csv_ = Csv::kQuoteInQuoted;
      ++scan_;
      continue;
    }
    // After a quote inside a quoted field: a doubled quote, the field's end,
    // or (leniently) text after the closing quote.
    char c = *p;
    if (c == '"') csv_ = Csv::kQuoted;
    else if (c == '\n') return true;
    else if (c == delimiter_) csv_ = Csv::kFieldStart;
    else csv_ = Csv::kUnquoted;
    ++scan_;
  }
  return false;
}

bool RecordSplitter::scan_to_terminator() {
  if (format_ == FLOW_FORMAT_CSV) return scan_csv();
  if (scan_ >= end_) return false;
  const char* p = data_ + scan_;
  const char* nl = static_cast<const char*>(
      std::memchr(p, '\n', static_cast<size_t>(end_ - scan_)));
  if (nl == nullptr) {
    scan_ = end_;
    return false;
  }
  scan_ += nl - p;
  return true;
}

RecordSplitter::Next RecordSplitter::emit(int64_t end, int64_t next_start,
                                          FlowRecord* rec) {
  int64_t len = end - begin_;
  if (len > 0 && data_[end - 1] == '\r') --len;
  rec->ptr = data_ + begin_;
  rec->len = len;
  rec->line = record_line_;
  rec->offset = base_offset_ + begin_;
  begin_ = scan_ = next_start;
  csv_ = Csv::kFieldStart;
  return Next::kRecord;
}

RecordSplitter::Next RecordSplitter::next(FlowRecord* rec, const char** message) {
  for (;;) {
    if (scan_ == begin_ && !skipping_) record_line_ = line_;
    bool found = scan_to_terminator();
    if (skipping_) {
      if (!found) {
        // The scanned part is dropped: the consumed position (and line)
        // move with it, so that a checkpoint resumes the skip here.
        begin_ = scan_;
        if (!finished_) return Next::kNeedMore;
        begin_ = scan_ = end_;
        skipping_ = false;
        return Next::kEnd;
      }
      ++line_;
      begin_ = scan_ = scan_ + 1;
      csv_ = Csv::kFieldStart;
      skipping_ = false;
      continue;
    }
    if (found) {
      if (scan_ - begin_ > max_record_) break;  // too long; reported below
      ++line_;
      return emit(scan_, scan_ + 1, rec);
    }
    if (scan_ - begin_ > max_record_) break;
    if (!finished_) return Next::kNeedMore;
    if (begin_ == end_) return Next::kEnd;
    if (format_ == FLOW_FORMAT_CSV && (csv_ == Csv::kQuoted)) {
      emit(end_, end_, rec);
      *message = "unclosed quote";
      return Next::kBad;
    }
    return emit(end_, end_, rec);
  }
  // A record longer than the limit: report a prefix, then drop bytes until
  // the record's terminator without keeping them.
  rec->ptr = data_ + begin_;
  rec->len = std::min<int64_t>(scan_ - begin_, kBadRecordPrefixBytes);
  rec->line = record_line_;
  rec->offset = base_offset_ + begin_;
  *message = max_record_ == kMaxRecordBytes ? "record longer than 64 MiB"
                                            : "record longer than the limit";
  bool at_terminator = scan_ < end_ && data_[scan_] == '\n';
  if (at_terminator) {
    ++line_;
    begin_ = scan_ = scan_ + 1;
    csv_ = Csv::kFieldStart;
  } else {
    skipping_ = true;
    begin_ = scan_;
  }
  return Next::kBad;
}

bool RecordSplitter::only_blank_left() const {
  if (skipping_) return false;
  if (format_ == FLOW_FORMAT_LINES) return begin_ == end_;
  for (int64_t i = begin_; i < end_; ++i) {
    if (data_[i] != '\n' && data_[i] != '\r') return false;
  }
  return true;
}

}  // namespace flowrt
