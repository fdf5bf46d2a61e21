// runtime/bad_records.cpp — bad records: count, print, fail, dead letter.
#include "bad_records.h"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "connectors.h"
#include "context.h"
#include "io_util.h"
#include "json_text.h"

namespace flowrt {

BadRecords::~BadRecords() {
  for (auto& [path, file] : dead_letters_) {
    if (file.fd >= 0) ::close(file.fd);
  }
}

void BadRecords::init(const FlowPipeline* pipeline) {
  counts_.assign(static_cast<size_t>(pipeline->source_count), 0);
  run_counts_.assign(counts_.size(), 0);
  delivered_bad_.assign(counts_.size(), 0);
  first_.assign(counts_.size(), std::string());
}

void BadRecords::report(FlowContext* ctx, int32_t source, const FlowRecord* rec,
                        std::string_view message) {
  if (Worker* w = current_worker(); w != nullptr && w->out != nullptr) {
    // A morsel on a worker thread: reported when the morsel commits, in
    // morsel order (worker.h), with the record's bytes copied.
    PendingBad bad;
    bad.source = source;
    if (rec != nullptr) {
      bad.has_rec = true;
      bad.rec = *rec;
      if (rec->ptr != nullptr && rec->len > 0)
        bad.bytes.assign(rec->ptr, static_cast<size_t>(rec->len));
    }
    bad.message = message;
    w->out->bad.push_back(std::move(bad));
    return;
  }
  ctx->settle();  // after the bad records of morsels handed over before it
  if (source_at(ctx, source) == nullptr || static_cast<size_t>(source) >= counts_.size()) {
    return;  // an internal error (connectors.h)
  }
  const Source& src = *ctx->sources[static_cast<size_t>(source)];
  int64_t n = ++counts_[static_cast<size_t>(source)];
  int64_t in_run = ++run_counts_[static_cast<size_t>(source)];
  if (src.delivering) ++delivered_bad_[static_cast<size_t>(source)];
  ++ctx->counters.bad;

  const std::string position = src.record_position(rec);

  if (in_run == 1) {
    std::string& first = first_[static_cast<size_t>(source)];
    first = position;
    first += ": bad record: ";
    first += message;
  }

  switch (src.desc->on_error) {
    case FLOW_ON_ERROR_DEAD_LETTER: {
      const char* path = src.desc->dead_letter_path;
      if (path == nullptr || *path == '\0') break;
      std::string& out = dead_letters_[path].buffer;
      out += "{\"source\":";
      append_json_string(&out, src.desc->name ? src.desc->name : "");
      out += ",\"position\":";
      append_json_string(&out, position);
      out += ",\"error\":";
      append_json_string_utf8(&out, message);
      out += ",\"record\":";
      std::string_view raw;
      if (rec != nullptr && rec->ptr != nullptr && rec->len > 0) {
        raw = std::string_view(rec->ptr, static_cast<size_t>(rec->len));
      }
      append_json_string_utf8(&out, raw);
      out += "}\n";
      return;
    }
    case FLOW_ON_ERROR_FAIL:
      ctx->fail_batch = true;
      [[fallthrough]];
    default:
      if (n <= kShownBadRecords) {
        std::string line = position;
        line += ": bad record: ";
        line += message;
        ctx->log_line(line);
      }
      return;
  }
}

bool BadRecords::flush(FlowContext* ctx) {
  for (auto& [path, file] : dead_letters_) {
    if (file.buffer.empty()) continue;
    if (file.fd < 0) {
      make_parent_dirs(path);
      file.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
      if (file.fd < 0) {
        ctx->set_error("cannot open \"" + path + "\": " + errno_text(errno));
        return false;
      }
    }
    if (int err = write_all(file.fd, file.buffer)) {
      ctx->set_error("cannot write to \"" + path + "\": " + errno_text(err));
      return false;
    }
    file.buffer.clear();
  }
  return true;
}

std::vector<std::string> BadRecords::hidden_lines(const FlowContext* ctx) const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < counts_.size(); ++i) {
    const FlowSourceDesc& d = ctx->pipeline->sources[i];
    if (d.on_error == FLOW_ON_ERROR_DEAD_LETTER || counts_[i] <= kShownBadRecords) continue;
    lines.push_back("flowc: source '" + std::string(d.name ? d.name : "?") + "': " +
                    int_text(counts_[i] - kShownBadRecords) +
                    " more bad records not shown");
  }
  return lines;
}

std::vector<std::string> BadRecords::all_bad_lines(const FlowContext* ctx) const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < run_counts_.size() && i < ctx->sources.size(); ++i) {
    // Every record handed over was bad, and there was at least one bad.
    if (run_counts_[i] == 0 || delivered_bad_[i] < ctx->sources[i]->records_in) continue;
    const FlowSourceDesc& d = ctx->pipeline->sources[i];
    lines.push_back("flowc: warning: every record of source '" +
                    std::string(d.name ? d.name : "?") + "' was bad; first: " + first_[i]);
  }
  return lines;
}

}  // namespace flowrt

extern "C" void flow_bad_record(FlowContext* ctx, int32_t source,
                                const FlowRecord* rec, const char* message,
                                int64_t message_len) {
  std::string_view msg;
  if (message != nullptr && message_len > 0) {
    msg = std::string_view(message, static_cast<size_t>(message_len));
  }
  ctx->bad.report(ctx, source, rec, msg);
}

// The common message of a field that does not convert:
//   field "latency_ms": expected float, got "abc"
// The raw text is shown as a JSON string (quotes and control bytes escaped)
// and cut at kShownRawBytes so one huge field cannot flood stderr.
extern "C" void flow_bad_field(FlowContext* ctx, int32_t source, const FlowRecord* rec,
                               const char* field, int64_t field_len, const char* expected,
                               const char* raw, int64_t raw_len) {
  constexpr int64_t kShownRawBytes = 200;
  std::string msg = "field \"";
  msg.append(field, static_cast<size_t>(field_len));
  msg += "\": expected ";
  msg += expected;
  msg += ", got ";
  std::string_view text(raw ? raw : "", raw ? static_cast<size_t>(std::min(raw_len, kShownRawBytes)) : 0);
  flowrt::append_json_string_utf8(&msg, text);
  if (raw_len > kShownRawBytes) msg += "...";
  ctx->bad.report(ctx, source, rec, msg);
}
