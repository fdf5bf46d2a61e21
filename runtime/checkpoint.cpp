// runtime/checkpoint.cpp — writing checkpoints after batches and resuming
// from them at start-up; see checkpoint.h.
#include "checkpoint.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint_stream.h"
#include "context.h"
#include "io_util.h"
#include "metrics.h"
#include "sink.h"

namespace flowrt {
namespace {

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

const char* source_kind_name(int32_t kind) {
  switch (kind & ~FLOW_SOURCE_TABLE_BIT) {
    case FLOW_SOURCE_FILE: return "a file";
    case FLOW_SOURCE_STDIN: return "stdin";
    case FLOW_SOURCE_SOCKET: return "a socket";
    case FLOW_SOURCE_GENERATE: return "generate()";
    case FLOW_SOURCE_KAFKA: return "kafka";
    case FLOW_SOURCE_DIR: return "a folder";
    default: return "an input";
  }
}

// The paths of the dead-letter files, each once, in source order.
std::vector<std::string> dead_letter_paths(const FlowPipeline* p) {
  std::vector<std::string> paths;
  std::set<std::string> seen;
  for (int32_t i = 0; i < p->source_count; ++i) {
    const FlowSourceDesc& d = p->sources[i];
    if (d.on_error != FLOW_ON_ERROR_DEAD_LETTER || d.dead_letter_path == nullptr ||
        *d.dead_letter_path == '\0') {
      continue;
    }
    if (seen.insert(d.dead_letter_path).second) paths.emplace_back(d.dead_letter_path);
  }
  return paths;
}

// The size of the file at `path`: 0 when it does not exist, -1 (with
// *err) when it cannot be looked at.
int64_t file_size(const std::string& path, int* err) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return static_cast<int64_t>(st.st_size);
  if (errno == ENOENT) return 0;
  *err = errno;
  return -1;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Checkpointer::Checkpointer(std::string dir, int64_t every_ms)
    : dir_(std::move(dir)), every_ms_(every_ms) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  const char* trace = std::getenv("FLOWC_CHECKPOINT_TRACE");
  trace_ = trace != nullptr && *trace != '\0' && *trace != '0';
}

Checkpointer::~Checkpointer() {
  if (dir_fd_ >= 0) ::close(dir_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

int64_t Checkpointer::sink_length(int32_t index) const {
  if (index < 0 || static_cast<size_t>(index) >= sink_lengths_.size()) return -1;
  return sink_lengths_[static_cast<size_t>(index)];
}

bool Checkpointer::lock(FlowContext* ctx) {
  if (int err = make_parent_dirs(dir_ + "/" + kCheckpointFileName)) {
    ctx->set_error("cannot create the checkpoint directory " + quoted(dir_) + ": " +
                   errno_text(err));
    return false;
  }
  dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd_ < 0) {
    ctx->set_error("cannot open the checkpoint directory " + quoted(dir_) + ": " +
                   errno_text(errno));
    return false;
  }
  // One run per directory: a second one would interleave checkpoints and
  // sink writes. The lock goes with the process (kill -9 included).
  std::string lock_path = dir_ + "/lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    ctx->set_error("cannot open " + quoted(lock_path) + ": " + errno_text(errno));
    return false;
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ctx->set_error(errno == EWOULDBLOCK
                       ? "another run is using the checkpoint directory " + quoted(dir_)
                       : "cannot lock " + quoted(lock_path) + ": " + errno_text(errno));
    return false;
  }
  return true;
}

Checkpointer::Start Checkpointer::start(FlowContext* ctx) {
  const FlowPipeline* p = ctx->pipeline;
  sink_lengths_.assign(static_cast<size_t>(p->sink_count), -1);
  if (!lock(ctx)) return Start::kRefused;

  for (const auto& s : ctx->sources) {
    if (s->is_table || s->resumable()) continue;
    ctx->log_line("flowc: warning: source '" + std::string(s->desc->name ? s->desc->name : "?") +
                  "' reads " + source_kind_name(s->desc->kind) +
                  ", which cannot be resumed from a checkpoint: after a restart it reads on "
                  "from whatever comes next (state and file sinks are still restored)");
  }

  std::string bytes;
  int err = read_checkpoint_file(dir_, &bytes);
  if (err == ENOENT) {
    // LANGUAGE.md 12: the first checkpoint records each file sink's length
    // before anything is written.
    ::unlink((dir_ + "/" + kCheckpointTempName).c_str());
    if (!write(ctx, ctx->next_batch, false)) return Start::kRefused;
    return Start::kFresh;
  }
  const std::string path = dir_ + "/" + kCheckpointFileName;
  const std::string fresh =
      "\n  nothing was changed; to start over, delete " + quoted(dir_) +
      " and the output of the file sinks (a fresh run appends to them)";
  if (err != 0) {
    ctx->set_error("cannot read the checkpoint " + quoted(path) + ": " + errno_text(err));
    return Start::kRefused;
  }
  CheckpointData data;
  std::string why;
  if (decode_checkpoint(bytes, &data, &why) != DecodeStatus::kOk) {
    ctx->set_error("the checkpoint " + quoted(path) + " cannot be used: " + why + fresh);
    return Start::kRefused;
  }
  if (data.fingerprint != p->fingerprint) {
    ctx->set_error("the checkpoint " + quoted(path) +
                   " was written by a different pipeline (its sources, schemas, stages or "
                   "sinks changed); " +
                   describe_plan_change(data.plan_text, p->plan_text ? p->plan_text : "") + fresh);
    return Start::kRefused;
  }
  if (!resume(ctx, data)) {
    std::string e = ctx->error;
    ctx->error.clear();
    ctx->set_error("the checkpoint " + quoted(path) + " cannot be used: " + e + fresh);
    return Start::kRefused;
  }
  last_write_ms_ = now_ms();
  if (data.finished) {
    if (!ctx->opts.quiet) {
      ctx->log_line("flowc: continuing from the checkpoint in " + quoted(dir_) +
                    " (its run ended after " + int_text(data.next_batch) +
                    " batches): reading what arrived since");
    }
    return Start::kContinued;
  }
  if (!ctx->opts.quiet) {
    ctx->log_line("flowc: resuming from the checkpoint in " + quoted(dir_) + " at batch " +
                  int_text(data.next_batch));
  }
  return Start::kResumed;
}

bool Checkpointer::resume(FlowContext* ctx, const CheckpointData& data) {
  const FlowPipeline* p = ctx->pipeline;
  // Everything is checked before anything on disk changes.
  if (data.sources.size() != ctx->sources.size()) {
    ctx->set_error("it holds " + int_text(static_cast<int64_t>(data.sources.size())) +
                   " sources, the pipeline has " + int_text(static_cast<int64_t>(ctx->sources.size())));
    return false;
  }
  for (size_t i = 0; i < data.sources.size(); ++i) {
    const Source& s = *ctx->sources[i];
    std::string name = s.desc->name ? s.desc->name : "";
    if (data.sources[i].name != name) {
      ctx->set_error("its source " + int_text(static_cast<int64_t>(i)) + " is '" +
                     data.sources[i].name + "', the pipeline's is '" + name + "'");
      return false;
    }
  }
  std::vector<bool> covered(static_cast<size_t>(p->sink_count), false);
  for (const CheckpointSink& cs : data.sinks) {
    if (cs.index < 0 || cs.index >= p->sink_count || p->sinks[cs.index].kind != FLOW_SINK_FILE) {
      ctx->set_error("it names a file sink the pipeline does not have");
      return false;
    }
    const FlowSinkDesc& d = p->sinks[cs.index];
    std::string path = d.path ? d.path : "";
    if (path != cs.path) {
      ctx->set_error("the sink of '" + std::string(d.name ? d.name : "?") + "' now writes " +
                     quoted(path) + ", but the checkpoint committed rows to " + quoted(cs.path) +
                     " (did a --param change?)");
      return false;
    }
    int e = 0;
    int64_t size = file_size(path, &e);
    if (size < 0) {
      ctx->set_error("cannot look at the sink file " + quoted(path) + ": " + errno_text(e));
      return false;
    }
    if (size < cs.length) {
      ctx->set_error("the sink file " + quoted(path) + " holds " + int_text(size) +
                     " bytes, fewer than the " + int_text(cs.length) +
                     " committed: it was changed outside this pipeline");
      return false;
    }
    covered[static_cast<size_t>(cs.index)] = true;
  }
  for (int32_t i = 0; i < p->sink_count; ++i) {
    if (p->sinks[i].kind == FLOW_SINK_FILE && !covered[static_cast<size_t>(i)]) {
      ctx->set_error("it has no committed length for the sink file " +
                     quoted(p->sinks[i].path ? p->sinks[i].path : ""));
      return false;
    }
  }
  std::vector<std::string> dead = dead_letter_paths(p);
  for (const CheckpointDeadLetter& dl : data.dead_letters) {
    int e = 0;
    int64_t size = file_size(dl.path, &e);
    if (size < 0) {
      ctx->set_error("cannot look at the dead-letter file " + quoted(dl.path) + ": " + errno_text(e));
      return false;
    }
    if (size < dl.length) {
      ctx->set_error("the dead-letter file " + quoted(dl.path) + " holds " + int_text(size) +
                     " bytes, fewer than the " + int_text(dl.length) +
                     " committed: it was changed outside this pipeline");
      return false;
    }
  }

  // Sources: seek (nothing on disk changes).
  for (size_t i = 0; i < data.sources.size(); ++i) {
    Source& s = *ctx->sources[i];
    const CheckpointSource& cs = data.sources[i];
    if (s.is_table || !cs.resumable || !s.resumable()) continue;
    std::string e;
    if (!s.restore_position(ctx, cs.position, &e)) {
      ctx->set_error("source '" + cs.name + "': " + e);
      return false;
    }
  }
  // Operator state. After a run that ended, the generated restore sets the
  // watermark from each source's own (pipeline_codegen.cpp), not the
  // +infinity of the end of input.
  ctx->watermark = data.finished ? std::numeric_limits<int64_t>::min() : data.watermark;
  if (p->restore != nullptr) {
    FlowCkptReader reader;
    reader.bytes = data.state;
    if (p->restore(ctx, &reader) == 0 || reader.failed) {
      ctx->set_error("its operator state does not read back");
      return false;
    }
  } else if (!data.state.empty()) {
    ctx->set_error("it holds operator state, but the pipeline restores none");
    return false;
  }

  // Checked: now cut the dead-letter files back (the file sinks are cut
  // when they open, see sink_length).
  for (const CheckpointDeadLetter& dl : data.dead_letters) {
    if (::truncate(dl.path.c_str(), dl.length) != 0 && errno != ENOENT) {
      ctx->set_error("cannot truncate " + quoted(dl.path) + ": " + errno_text(errno));
      return false;
    }
  }
  for (const CheckpointSink& cs : data.sinks) {
    sink_lengths_[static_cast<size_t>(cs.index)] = cs.length;
  }
  ctx->next_batch = data.next_batch;
  // A restart goes on counting the run's bad and late records (the first
  // ten bad ones per source are printed once per run); an incremental run
  // (a checkpoint of a run that ended) is a run of its own and counts its
  // own, as records in are counted per run.
  if (!data.finished) {
    ctx->counters.bad = data.bad;
    ctx->counters.late = data.late;
    for (size_t i = 0; i < data.sources.size(); ++i) {
      ctx->bad.set_count(static_cast<int32_t>(i), data.sources[i].bad);
    }
  }
  return true;
}

bool Checkpointer::due(bool force) const {
  return force || every_ms_ <= 0 || now_ms() - last_write_ms_ >= every_ms_;
}

bool Checkpointer::commit(FlowContext* ctx, int64_t number, bool ended) {
  auto started = std::chrono::steady_clock::now();
  bool ok = write(ctx, number + 1, ended);
  metrics_checkpoint_took(
      ctx, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return ok;
}

bool Checkpointer::collect(FlowContext* ctx, CheckpointData* data, bool sync) {
  const FlowPipeline* p = ctx->pipeline;
  for (int32_t i = 0; i < p->sink_count; ++i) {
    const FlowSinkDesc& d = p->sinks[i];
    if (d.kind != FLOW_SINK_FILE) continue;
    CheckpointSink cs;
    cs.index = i;
    cs.path = d.path ? d.path : "";
    if (static_cast<size_t>(i) < ctx->sinks.size()) {
      // Open: its committed length; its rows reach the disk first.
      const Sink& sink = *ctx->sinks[static_cast<size_t>(i)];
      if (sync && sink.file_fd() >= 0 && ::fdatasync(sink.file_fd()) != 0) {
        ctx->set_error("cannot fsync " + quoted(cs.path) + ": " + errno_text(errno));
        return false;
      }
      cs.length = sink.committed_length();
    } else {
      // Not open yet (the first checkpoint): its length on disk.
      int e = 0;
      cs.length = file_size(cs.path, &e);
      if (cs.length < 0) {
        ctx->set_error("cannot look at the sink file " + quoted(cs.path) + ": " + errno_text(e));
        return false;
      }
    }
    data->sinks.push_back(std::move(cs));
  }
  for (const std::string& path : dead_letter_paths(p)) {
    CheckpointDeadLetter dl;
    dl.path = path;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      bool ok = ::fstat(fd, &st) == 0 && (!sync || ::fdatasync(fd) == 0);
      int e = errno;
      ::close(fd);
      if (!ok) {
        ctx->set_error("cannot fsync " + quoted(path) + ": " + errno_text(e));
        return false;
      }
      dl.length = static_cast<int64_t>(st.st_size);
    } else if (errno != ENOENT) {
      ctx->set_error("cannot open " + quoted(path) + ": " + errno_text(errno));
      return false;
    }
    data->dead_letters.push_back(std::move(dl));
  }
  return true;
}

bool Checkpointer::write(FlowContext* ctx, int64_t next_batch, bool finished) {
  auto t0 = std::chrono::steady_clock::now();
  const FlowPipeline* p = ctx->pipeline;
  CheckpointData data;
  data.fingerprint = p->fingerprint;
  data.finished = finished;
  data.plan_text = p->plan_text ? p->plan_text : "";
  data.next_batch = next_batch;
  data.watermark = ctx->watermark;
  data.records_in = ctx->counters.records_in;
  data.rows_out = ctx->counters.rows_out;
  data.batches = ctx->counters.batches;
  data.bad = ctx->counters.bad;
  data.late = ctx->counters.late;
  for (const auto& s : ctx->sources) {
    CheckpointSource cs;
    cs.name = s->desc->name ? s->desc->name : "";
    cs.kind = s->desc->kind;
    cs.table = s->is_table;
    cs.resumable = !s->is_table && s->resumable();
    cs.bad = ctx->bad.count(s->index);
    if (cs.resumable) s->save_position(&cs.position);
    data.sources.push_back(std::move(cs));
  }
  if (!ctx->error.empty()) return false;  // a source could not save its position (source_dir.cpp)
  if (!collect(ctx, &data, true)) return false;
  auto t1 = std::chrono::steady_clock::now();
  if (p->snapshot != nullptr) {
    FlowCkptWriter writer;
    writer.bytes.reserve(last_state_bytes_ + last_state_bytes_ / 8);  // state grows slowly
    p->snapshot(ctx, &writer);
    data.state = std::move(writer.bytes);
    last_state_bytes_ = data.state.size();
  }
  double snapshot_ms = ms_since(t1);
  auto t2 = std::chrono::steady_clock::now();
  std::string head, tail;
  encode_checkpoint_parts(data, &head, &tail);
  const size_t file_bytes = head.size() + data.state.size() + tail.size();
  double encode_ms = ms_since(t2);
  auto t3 = std::chrono::steady_clock::now();
  const char* step = "write";
  if (int err = write_checkpoint_file(dir_, dir_fd_, {head, data.state, tail}, &step)) {
    ctx->set_error(std::string("cannot ") + step + " the checkpoint in " + quoted(dir_) + ": " +
                   errno_text(err));
    return false;
  }
  double write_ms = ms_since(t3);
  last_write_ms_ = now_ms();
  if (trace_) {
    char line[256];
    std::snprintf(line, sizeof line,
                  "flowc: checkpoint: next batch %lld, %zu bytes (state %zu), total %.2f ms "
                  "(sinks %.2f, snapshot %.2f, encode+crc %.2f, write+fsync %.2f)",
                  static_cast<long long>(next_batch), file_bytes, data.state.size(), ms_since(t0),
                  std::chrono::duration<double, std::milli>(t1 - t0).count(), snapshot_ms,
                  encode_ms, write_ms);
    ctx->log_line(line);
  }
  return true;
}

}  // namespace flowrt
