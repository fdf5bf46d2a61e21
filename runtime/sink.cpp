// runtime/sink.cpp — sink files, CSV and JSON lines, and the sink ABI.
#include "sink.h"

#include <cerrno>
#include <cmath>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "flow_stdlib.h"
#include "io_util.h"
#include "json_text.h"
#include "kafka_connector.h"

namespace flowrt {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

Sink::Sink(int32_t index, const FlowSinkDesc* desc) : index_(index), desc_(desc) {}

Sink::~Sink() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

bool Sink::open(FlowContext* ctx, int64_t restore_length) {
  const char* path = desc_->path ? desc_->path : "";
  format_ = desc_->format;
  if (desc_->kind == FLOW_SINK_STDOUT) {
    display_ = "stdout";
    fd_ = ctx->io.stdout_fd;
    if (format_ == FLOW_FORMAT_DEFAULT) {
      format_ = ctx->stdout_is_tty ? FLOW_FORMAT_TABLE : FLOW_FORMAT_CSV;
    }
  } else if (desc_->kind == FLOW_SINK_FILE) {
    display_ = path;
    if (format_ == FLOW_FORMAT_DEFAULT) {
      format_ = ends_with(path, ".jsonl") || ends_with(path, ".json") ? FLOW_FORMAT_JSON
                                                                       : FLOW_FORMAT_CSV;
    }
    if (int err = make_parent_dirs(path)) {
      ctx->set_error("cannot create the directory of \"" + display_ + "\": " + errno_text(err));
      return false;
    }
    fd_ = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd_ < 0) {
      ctx->set_error("cannot open \"" + display_ + "\": " + errno_text(errno));
      return false;
    }
    owns_fd_ = true;
    struct stat st;
    committed_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
    if (restore_length >= 0 && restore_length != committed_) {
      // Rows after the checkpoint's commit are written again by this run.
      if (::ftruncate(fd_, restore_length) != 0) {
        ctx->set_error("cannot truncate \"" + display_ + "\": " + errno_text(errno));
        return false;
      }
      committed_ = restore_length;
    }
  } else if (desc_->kind == FLOW_SINK_KAFKA) {
    // One row per message (no newline, no CSV header): sink_kafka.cpp.
    display_ = "kafka topic of '" + std::string(desc_->name ? desc_->name : "?") + "'";
    if (format_ == FLOW_FORMAT_DEFAULT) format_ = FLOW_FORMAT_JSON;
    kafka_ = std::make_unique<KafkaProducer>(desc_, ctx->io.stderr_fd);
    if (!kafka_->open(ctx)) return false;
  } else {
    ctx->set_error("sink of '" + std::string(desc_->name ? desc_->name : "?") +
                   "': unknown sink kind " + std::to_string(desc_->kind));
    return false;
  }
  if (format_ != FLOW_FORMAT_CSV && format_ != FLOW_FORMAT_JSON &&
      format_ != FLOW_FORMAT_TABLE) {
    ctx->set_error("sink \"" + display_ + "\": format " + std::to_string(format_) +
                   " cannot be written");
    return false;
  }

  for (int32_t c = 0; c < desc_->column_count; ++c) {
    std::string key;
    append_json_string(&key, desc_->columns[c].name ? desc_->columns[c].name : "");
    key += ':';
    json_keys_.push_back(std::move(key));
  }
  // CSV: the header once, when the output is created (stdout: at start).
  if (format_ == FLOW_FORMAT_CSV && committed_ == 0 && !kafka_) {
    for (int32_t c = 0; c < desc_->column_count; ++c) {
      if (c > 0) buf_ += ',';
      append_csv_field(&buf_, desc_->columns[c].name ? desc_->columns[c].name : "", ',');
    }
    buf_ += '\n';
    if (!commit_batch(ctx)) return false;
  }
  return true;
}

void Sink::begin_row() {
  col_ = 0;
  if (format_ == FLOW_FORMAT_TABLE) rows_.emplace_back();
}

void Sink::value_prefix() {
  if (format_ == FLOW_FORMAT_CSV) {
    if (col_ > 0) buf_ += ',';
  } else {
    buf_ += col_ == 0 ? '{' : ',';
    if (col_ < static_cast<int32_t>(json_keys_.size())) {
      buf_ += json_keys_[static_cast<size_t>(col_)];
    } else {
      buf_ += "\"_" + std::to_string(col_) + "\":";  // more values than columns
    }
  }
  ++col_;
}

void Sink::cell(std::string text, Align align) {
  if (rows_.empty()) rows_.emplace_back();
  if (align_.size() <= static_cast<size_t>(col_)) align_.resize(static_cast<size_t>(col_) + 1);
  align_[static_cast<size_t>(col_)] = align;
  rows_.back().push_back(std::move(text));
  ++col_;
}

void Sink::put_bool(bool v) {
  if (format_ == FLOW_FORMAT_TABLE) return cell(v ? "true" : "false", Align::kLeft);
  value_prefix();
  buf_ += v ? "true" : "false";
}

void Sink::put_int(int64_t v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_int(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) return cell(std::string(tmp, static_cast<size_t>(n)), Align::kRight);
  value_prefix();
  buf_.append(tmp, static_cast<size_t>(n));
}

void Sink::put_float(double v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_float(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) return cell(std::string(tmp, static_cast<size_t>(n)), Align::kRight);
  value_prefix();
  // JSON has no nan or inf: they are written as strings (LANGUAGE.md 12).
  bool quote = format_ == FLOW_FORMAT_JSON && !std::isfinite(v);
  if (quote) buf_ += '"';
  buf_.append(tmp, static_cast<size_t>(n));
  if (quote) buf_ += '"';
}

void Sink::put_string(std::string_view v) {
  if (format_ == FLOW_FORMAT_TABLE) return cell(std::string(v), Align::kLeft);
  value_prefix();
  if (format_ == FLOW_FORMAT_CSV) {
    append_csv_field(&buf_, v, ',');
  } else {
    append_json_string(&buf_, v);
  }
}

void Sink::put_timestamp(int64_t v) {
  char tmp[FLOW_FORMAT_BUF];
  int64_t n = flow_format_timestamp(v, tmp);
  if (format_ == FLOW_FORMAT_TABLE) return cell(std::string(tmp, static_cast<size_t>(n)), Align::kLeft);
  value_prefix();
  if (format_ == FLOW_FORMAT_JSON) buf_ += '"';
  buf_.append(tmp, static_cast<size_t>(n));
  if (format_ == FLOW_FORMAT_JSON) buf_ += '"';
}

void Sink::end_row(FlowContext* ctx) {
  ++ctx->counters.rows_out;
  ++rows_out_;
  if (format_ == FLOW_FORMAT_TABLE) return;
  if (kafka_) {
    if (format_ == FLOW_FORMAT_JSON) buf_ += '}';
    kafka_->add_row(ctx, buf_, key_);
    buf_.clear();
    key_.clear();
    return;
  }
  buf_ += format_ == FLOW_FORMAT_CSV ? "\n" : "}\n";
  if (buf_.size() >= kSinkFlushBytes) write_buffer(ctx);
}

bool Sink::write_buffer(FlowContext* ctx) {
  if (buf_.empty() || fd_ < 0) return true;
  if (desc_->kind == FLOW_SINK_STDOUT && ctx->stdout_closed) {
    buf_.clear();
    return true;
  }
  int err = write_all(fd_, buf_);
  buf_.clear();
  if (err == 0) return true;
  if (err == EPIPE && desc_->kind == FLOW_SINK_STDOUT) {
    // The reader went away (`| head`): stop quietly, like other filters.
    ctx->stdout_closed = true;
    return true;
  }
  ctx->set_error("cannot write to \"" + display_ + "\": " + errno_text(err));
  return false;
}

bool Sink::commit_batch(FlowContext* ctx) {
  if (format_ == FLOW_FORMAT_TABLE && !rows_.empty()) {
    std::vector<std::string> header;
    std::vector<bool> right;
    for (int32_t c = 0; c < desc_->column_count; ++c) {
      header.push_back(desc_->columns[c].name ? desc_->columns[c].name : "");
    }
    for (size_t c = 0; c < header.size(); ++c) {
      right.push_back(c < align_.size() && align_[c] == Align::kRight);
    }
    buf_ += render_table(ctx->batch.number, header, right, rows_);
    rows_.clear();
  }
  if (kafka_) return kafka_->flush(ctx);
  if (!write_buffer(ctx)) return false;
  if (owns_fd_) {
    struct stat st;
    if (::fstat(fd_, &st) == 0) committed_ = st.st_size;
  }
  return true;
}

void Sink::abort_batch(FlowContext* ctx) {
  buf_.clear();
  rows_.clear();
  if (kafka_) kafka_->abort(ctx);
  if (owns_fd_ && ::ftruncate(fd_, committed_) != 0) {
    ctx->set_error("cannot truncate \"" + display_ + "\": " + errno_text(errno));
  }
}

}  // namespace flowrt

// ---- the sink ABI: bounds-checked, so a codegen slip cannot crash ----

namespace {

flowrt::Sink* sink_at(FlowContext* ctx, int32_t sink) {
  if (sink < 0 || static_cast<size_t>(sink) >= ctx->sinks.size()) return nullptr;
  return ctx->sinks[static_cast<size_t>(sink)].get();
}

}  // namespace

extern "C" {

void flow_sink_begin_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = sink_at(ctx, sink)) s->begin_row();
}
void flow_sink_bool(FlowContext* ctx, int32_t sink, int32_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_bool(v != 0);
}
void flow_sink_int(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_int(v);
}
void flow_sink_float(FlowContext* ctx, int32_t sink, double v) {
  if (auto* s = sink_at(ctx, sink)) s->put_float(v);
}
void flow_sink_string(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = sink_at(ctx, sink)) {
    s->put_string(n > 0 ? std::string_view(p, static_cast<size_t>(n)) : std::string_view());
  }
}
void flow_sink_timestamp(FlowContext* ctx, int32_t sink, int64_t v) {
  if (auto* s = sink_at(ctx, sink)) s->put_timestamp(v);
}
void flow_sink_key(FlowContext* ctx, int32_t sink, const char* p, int64_t n) {
  if (auto* s = sink_at(ctx, sink)) {
    s->set_key(n > 0 ? std::string_view(p, static_cast<size_t>(n)) : std::string_view());
  }
}
void flow_sink_end_row(FlowContext* ctx, int32_t sink) {
  if (auto* s = sink_at(ctx, sink)) s->end_row(ctx);
}

}  // extern "C"
