// runtime/source_text.cpp — text sources (file, stdin, socket): bytes from
// a ByteInput, cut into records by a RecordSplitter, handed to `process`
// in chunks. Also builds the CSV header's column map. A fed text source
// (input_feed.h) reads its feed's inputs one after the other.
#include <algorithm>

#include "byte_input.h"
#include "byte_input_gzip.h"
#include "checkpoint_file.h"
#include "context.h"
#include "input_digest.h"
#include "input_feed.h"
#include "record_splitter.h"
#include "source_regex.h"
#include "sources.h"
#include "worker.h"

namespace flowrt {

Source::Source(int32_t i, const FlowSourceDesc* d) : desc(d), index(i) {}
Source::~Source() = default;

namespace {

bool is_blank(const FlowRecord& rec, int32_t format) {
  if (rec.len == 0) return true;
  if (format != FLOW_FORMAT_JSON) return false;
  // JSON: a line of spaces is no object either.
  for (int64_t i = 0; i < rec.len; ++i) {
    if (rec.ptr[i] != ' ' && rec.ptr[i] != '\t') return false;
  }
  return true;
}

// The fields of a CSV header record, unquoted (RFC 4180).
std::vector<std::string> split_header(std::string_view rec, char delim) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  bool at_start = true;
  for (size_t i = 0; i < rec.size(); ++i) {
    char c = rec[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < rec.size() && rec[i + 1] == '"') {
          fields.back() += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        fields.back() += c;
      }
    } else if (c == delim) {
      fields.emplace_back();
      at_start = true;
      continue;
    } else if (c == '"' && at_start) {
      quoted = true;
    } else {
      fields.back() += c;
    }
    at_start = false;
  }
  for (std::string& f : fields) {
    size_t b = f.find_first_not_of(" \t");
    size_t e = f.find_last_not_of(" \t");
    f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
  }
  return fields;
}

class TextSource final : public Source {
 public:
  TextSource(int32_t i, const FlowSourceDesc* d, std::unique_ptr<InputFeed> feed = nullptr)
      : Source(i, d),
        feed_(std::move(feed)),
        splitter_(d->format, d->csv_delimiter > 0 ? static_cast<char>(d->csv_delimiter) : ','),
        skip_blank_(d->format != FLOW_FORMAT_LINES),
        header_pending_(d->format == FLOW_FORMAT_CSV && d->csv_header),
        records_(static_cast<size_t>(kChunkRecords)) {
    column_map.assign(static_cast<size_t>(std::max(d->field_count, 0)), -1);
    if (d->format == FLOW_FORMAT_CSV && !d->csv_header) {
      for (size_t f = 0; f < column_map.size(); ++f) column_map[f] = static_cast<int32_t>(f);
    }
  }

  bool open(FlowContext* ctx) override {
    std::string error;
    const char* path = desc->path ? desc->path : "";
    if (feed_) {
      // The first input opens at the first pump, after a restore.
      position_name = path;
      if (!feed_->open(ctx, &error)) {
        ctx->set_error(error);
        return false;
      }
      if (desc->format == FLOW_FORMAT_REGEX && !compile_source_regex(ctx, this)) return false;
      return true;
    }
    switch (desc->kind & ~FLOW_SOURCE_TABLE_BIT) {
      case FLOW_SOURCE_FILE:
        position_name = path;
        input_ = open_path_input(path, desc->follow != 0 && !is_table, &error);
        break;
      case FLOW_SOURCE_STDIN:
        position_name = "<stdin>";
        input_ = fd_input(ctx->io.stdin_fd);
        break;
      case FLOW_SOURCE_SOCKET:
        position_name = path;
        input_ = connect_socket_input(path, &error);
        break;
    }
    if (!input_) {
      ctx->set_error(error);
      return false;
    }
    if (desc->format == FLOW_FORMAT_REGEX && !compile_source_regex(ctx, this)) return false;
    return true;
  }

  Pump pump(FlowContext* ctx, int64_t budget) override {
    if (ended) return Pump::kEnded;
    if (!input_) return await_input(ctx);
    int64_t limit = std::min(budget, kChunkRecords);
    int64_t n = 0;
    bool progressed = false;
    bool did_read = false;
    while (n < limit) {
      if (!header_pending_) {
        // The fast path: whole runs of ordinary records at once.
        FlowRecord* out = records_.data() + n;
        int64_t got = splitter_.cut(out, limit - n);
        int64_t kept = got;
        if (skip_blank_) {
          kept = 0;
          for (int64_t k = 0; k < got; ++k) {
            if (!is_blank(out[k], desc->format)) out[kept++] = out[k];
          }
        }
        n += kept;
        if (got > 0) {
          progressed = true;
          continue;
        }
      }
      FlowRecord rec;
      const char* message = nullptr;
      RecordSplitter::Next st = splitter_.next(&rec, &message);
      if (st == RecordSplitter::Next::kRecord) {
        if (skip_blank_ && is_blank(rec, desc->format)) continue;
        if (header_pending_) {
          read_header(rec);
          progressed = true;
          continue;
        }
        records_[static_cast<size_t>(n++)] = rec;
        continue;
      }
      if (st == RecordSplitter::Next::kBad) {
        header_pending_ = false;
        ctx->bad.report(ctx, index, &rec, message);
        progressed = true;
        continue;
      }
      if (st == RecordSplitter::Next::kEnd) {
        if (feed_) {
          // An input is drained: the feed's next one (after handing over
          // views into this one's buffer).
          if (n > 0) break;
          ctx->settle();  // morsels point into the buffer the next input reuses
          feed_->finished_current();
          input_.reset();
          progressed = true;
          if (await_input(ctx) != Pump::kProgress) break;
          continue;
        }
        if (!rotating_) {
          ended = true;
          break;
        }
        // A rotated file is drained: continue with the new file at the path
        // (after handing over views into the old buffer).
        if (n > 0) break;
        ctx->settle();  // the old file's morsels commit under its name
        if (!input_->reopen()) break;
        splitter_.reset();
        header_pending_ = desc->format == FLOW_FORMAT_CSV && desc->csv_header;
        rotating_ = false;
        progressed = true;
        continue;
      }
      // kNeedMore: the views in records_ die at the next read, and one read
      // per pump lets other sources take their turn.
      if (n > 0 || did_read) break;
      did_read = true;
      std::string error;
      // Morsels reading mapped bytes in place settle before they move, and
      // keep the pages they read.
      if (bytes_stay() && input_->read_moves_bytes(splitter_)) ctx->settle();
      share_with_workers(ctx);
      switch (input_->read_into(&splitter_, &error)) {
        case ByteInput::Read::kData:
          progressed = true;
          continue;
        case ByteInput::Read::kWouldBlock:
          break;
        case ByteInput::Read::kEof:
          splitter_.finish();
          continue;
        case ByteInput::Read::kRotated:
          splitter_.finish();
          rotating_ = true;
          continue;
        case ByteInput::Read::kError:
          ctx->set_error(error);
          ended = true;
          break;
      }
      break;
    }
    if (n > 0) ctx->deliver(this, records_.data(), n);
    if (n > 0 || progressed) return Pump::kProgress;
    return ended ? Pump::kEnded : Pump::kIdle;
  }

  bool bytes_stay() const override { return input_ && input_->bytes_stay(); }
  int wait_fd() const override {
    if (input_) return input_->wait_fd();
    return feed_ ? feed_->wait_fd() : -1;
  }
  int64_t wait_ms(int64_t now) const override {
    if (input_) return input_->wait_ms(now);
    return feed_ ? feed_->wait_ms(now) : kNoWait;
  }

  bool probe_end(FlowContext* ctx) override {
    if (ended) return true;
    if (feed_ && !feed_->exhausted()) return false;
    if (feed_ && !input_) return ended = true;
    if (rotating_ || header_pending_ || !splitter_.only_blank_left()) return false;
    if (!splitter_.finished()) {
      std::string error;
      if (bytes_stay() && input_->read_moves_bytes(splitter_)) ctx->settle();
      share_with_workers(ctx);
      if (input_->read_into(&splitter_, &error) != ByteInput::Read::kEof) return false;
      splitter_.finish();
    }
    if (!splitter_.only_blank_left()) return false;
    if (feed_) {
      ctx->settle();
      feed_->finished_current();
      input_.reset();
    }
    ended = true;
    return true;
  }

  // Files resume at the record after the last one handed over: the
  // splitter's consumed position, not the read position (a batch may end
  // in the middle of a read chunk).
  bool resumable() const override {
    return feed_ || (desc->kind & ~FLOW_SOURCE_TABLE_BIT) == FLOW_SOURCE_FILE;
  }

  // A file's position: its path, where the next record starts and the
  // splitter's state there, the CSV column map, and a digest of the bytes
  // before it (input_digest.h: a replaced file is refused, not misread).
  // A fed source writes its feed's part first, then this for the current
  // input (an empty path when none is open).
  void save_position(std::string* out) const override {
    CkptOut w(out);
    if (feed_) feed_->save(w);
    const std::string path = feed_        ? (input_ ? position_name : std::string())
                             : desc->path ? desc->path
                                          : "";
    w.str(path);
    w.u64(static_cast<uint64_t>(splitter_.consumed_offset()));
    w.u64(static_cast<uint64_t>(splitter_.consumed_line()));
    w.u64((splitter_.skipping() ? 1u : 0u) | (header_pending_ ? 0u : 2u));
    w.i64(splitter_.csv_state());
    w.u64(column_map.size());
    for (int32_t c : column_map) w.i64(c);
    InputDigest digest;
    const bool checked = !path.empty() && (feed_ || desc->follow == 0) &&
                         input_digest(path, splitter_.consumed_offset(), &digest);
    w.u64(checked ? 1 : 0);
    w.u64(digest.crc);
    w.u64(static_cast<uint64_t>(digest.bytes));
  }

  bool restore_position(FlowContext* ctx, std::string_view position, std::string* error) override {
    CkptIn r(position);
    if (feed_) {
      input_.reset();
      if (!feed_->restore(ctx, r, &input_, &position_name, error)) return false;
      header_pending_ = desc->format == FLOW_FORMAT_CSV && desc->csv_header;
    }
    std::string path(r.str());
    auto offset = static_cast<int64_t>(r.u64());
    auto line = static_cast<int64_t>(r.u64());
    uint64_t flags = r.u64();
    auto csv_state = static_cast<int32_t>(r.i64());
    std::vector<int32_t> map(static_cast<size_t>(std::min<uint64_t>(r.u64(), r.left())));
    for (int32_t& c : map) c = static_cast<int32_t>(r.i64());
    const bool checked = r.u64() != 0;
    InputDigest digest;
    digest.crc = static_cast<uint32_t>(r.u64());
    digest.bytes = static_cast<int64_t>(r.u64());
    if (r.failed() || !r.at_end() || offset < 0 || line < 1 || digest.bytes < 0 ||
        digest.bytes > kDigestBytes) {
      *error = "its position does not read back";
      return false;
    }
    if (feed_ && !input_) return true;  // between inputs
    std::string now = feed_ ? position_name : desc->path ? desc->path : "";
    if (path != now) {
      *error = "it now reads \"" + now + "\", but the checkpoint's position is in \"" + path +
               "\" (did a --param change?)";
      return false;
    }
    if (!input_->seek(offset, error)) return false;
    if (checked && !input_digest_matches(path, offset, digest, error)) return false;
    splitter_.restart_at(offset, line, (flags & 1) != 0, csv_state);
    if ((flags & 2) != 0) {
      header_pending_ = false;
      if (map.size() == column_map.size()) column_map = std::move(map);
    }
    return true;
  }

 private:
  // Before a read of a mapped file whose morsels run on worker threads:
  // the pages morsels still read stay (keep_from), and the input's side
  // work goes to a pool thread (ByteInput::run_aside_with).
  void share_with_workers(FlowContext* ctx) {
    if (!bytes_stay()) return;
    input_->keep_from(ctx->read_in_place_from(this));
    Workers* w = ctx->workers.get();
    if (w != nullptr && w->parallel() && desc->parallel && !is_table) {
      input_->run_aside_with([w](std::function<void()> job) { w->run_aside(std::move(job)); });
    }
  }

  void read_header(const FlowRecord& rec) {
    header_pending_ = false;
    std::string_view text(rec.ptr, static_cast<size_t>(rec.len));
    if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);  // a UTF-8 BOM
    char delim = desc->csv_delimiter > 0 ? static_cast<char>(desc->csv_delimiter) : ',';
    std::vector<std::string> names = split_header(text, delim);
    for (int32_t f = 0; f < desc->field_count; ++f) {
      const char* want = desc->fields[f].name ? desc->fields[f].name : "";
      auto it = std::find(names.begin(), names.end(), want);
      column_map[static_cast<size_t>(f)] =
          it == names.end() ? -1 : static_cast<int32_t>(it - names.begin());
    }
  }

  // A fed source: the feed's next input, reset to read it from its start
  // (line 1, its own CSV header). kProgress: one is open; kIdle: none yet;
  // kEnded: none will come.
  Pump await_input(FlowContext* ctx) {
    std::string error;
    if (next_input(&error)) return Pump::kProgress;
    if (!error.empty()) {
      ctx->set_error(error);
      ended = true;
    }
    return ended ? Pump::kEnded : Pump::kIdle;
  }

  // True when an input was opened; false with *error set on failure, or
  // with `ended` set at the feed's end.
  bool next_input(std::string* error) {
    if (!feed_) return false;
    switch (feed_->next(&input_, &position_name, error)) {
      case InputFeed::Next::kInput:
        splitter_.reset();
        header_pending_ = desc->format == FLOW_FORMAT_CSV && desc->csv_header;
        return true;
      case InputFeed::Next::kEnd: ended = true; return false;
      case InputFeed::Next::kWait:
      case InputFeed::Next::kError: return false;
    }
    return false;
  }

  std::unique_ptr<InputFeed> feed_;
  RecordSplitter splitter_;
  std::unique_ptr<ByteInput> input_;
  bool skip_blank_;
  bool header_pending_;
  bool rotating_ = false;
  std::vector<FlowRecord> records_;
};

}  // namespace

std::unique_ptr<Source> make_text_source(int32_t index, const FlowSourceDesc* desc) {
  return std::make_unique<TextSource>(index, desc);
}

std::unique_ptr<Source> make_fed_text_source(int32_t index, const FlowSourceDesc* desc,
                                             std::unique_ptr<InputFeed> feed) {
  return std::make_unique<TextSource>(index, desc, std::move(feed));
}

}  // namespace flowrt
