// runtime/sink_file.cpp — file(...) and stdout() sinks: rows as lines
// appended to a descriptor, written at each batch end (or each
// kSinkFlushBytes). A file remembers its length after the last written
// batch: a failed batch is cut back to it, and checkpoints record it
// (exactly once, checkpoint.h). stdout cannot be taken back
// (at-least-once); a reader that goes away (`| head`) stops the run quietly.
#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_util.h"
#include "sink.h"

namespace flowrt {
namespace {

class StdoutSink final : public Sink {
 public:
  StdoutSink(int32_t i, const FlowSinkDesc* d) : Sink(i, d, RowFormat::Framing::kLines) {}

  bool open(FlowContext* ctx, int64_t) override {
    fd_ = ctx->io.stdout_fd;
    // A terminal gets one table per batch, a pipe or a file CSV.
    if (!choose_format(ctx, ctx->stdout_is_tty ? FLOW_FORMAT_TABLE : FLOW_FORMAT_CSV)) {
      return false;
    }
    // An incremental run (LANGUAGE.md 13) that finds nothing new runs no
    // batch and prints nothing: its header comes with its first batch.
    if (ctx->after_end) {
      header_due_ = true;
      return true;
    }
    if (!format_.add_csv_header()) return true;  // CSV: at start
    return drain(ctx);
  }

  bool write_batch(FlowContext* ctx) override {
    format_.render_batch_table(ctx->batch.number);
    return drain(ctx);
  }

 protected:
  bool drain(FlowContext* ctx) override {
    std::string& text = format_.pending().text;
    if (text.empty() || fd_ < 0) return true;
    if (header_due_) {
      header_due_ = false;
      std::string rows = std::move(text);
      text.clear();
      format_.add_csv_header();
      text += rows;
    }
    if (ctx->stdout_closed) {
      text.clear();
      return true;
    }
    int err = write_all(fd_, text);
    text.clear();
    if (err == 0) return true;
    if (err == EPIPE) {
      // The reader went away (`| head`): stop quietly, like other filters.
      ctx->stdout_closed = true;
      return true;
    }
    ctx->set_error("cannot write to \"stdout\": " + errno_text(err));
    return false;
  }

 private:
  int fd_ = -1;
  bool header_due_ = false;
};

class FileSink final : public Sink {
 public:
  FileSink(int32_t i, const FlowSinkDesc* d)
      : Sink(i, d, RowFormat::Framing::kLines), path_(d->path ? d->path : "") {}
  ~FileSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // Creates the file (and its directory) or appends to it; a CSV header is
  // written only when the file is empty (after the cut back to the
  // checkpoint's length, on a resumed run).
  bool open(FlowContext* ctx, int64_t restore_length) override {
    // A file's format is decided by the compiler (from its extension when
    // the pipeline names none): FLOW_FORMAT_DEFAULT is stdout's alone.
    if (!choose_format(ctx, FLOW_FORMAT_DEFAULT)) return false;
    if (int err = make_parent_dirs(path_)) {
      ctx->set_error("cannot create the directory of \"" + path_ + "\": " + errno_text(err));
      return false;
    }
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd_ < 0) {
      ctx->set_error("cannot open \"" + path_ + "\": " + errno_text(errno));
      return false;
    }
    struct stat st;
    committed_ = ::fstat(fd_, &st) == 0 ? st.st_size : 0;
    if (restore_length >= 0 && restore_length != committed_) {
      // Rows after the checkpoint's commit are written again by this run.
      if (::ftruncate(fd_, restore_length) != 0) {
        ctx->set_error("cannot truncate \"" + path_ + "\": " + errno_text(errno));
        return false;
      }
      committed_ = restore_length;
    }
    if (committed_ != 0 || !format_.add_csv_header()) return true;
    return write_batch(ctx);
  }

  bool write_batch(FlowContext* ctx) override {
    format_.render_batch_table(ctx->batch.number);
    if (!drain(ctx)) return false;
    struct stat st;
    if (::fstat(fd_, &st) == 0) committed_ = st.st_size;
    return true;
  }

  void abort_batch(FlowContext* ctx) override {
    Sink::abort_batch(ctx);
    if (fd_ >= 0 && ::ftruncate(fd_, committed_) != 0) {
      ctx->set_error("cannot truncate \"" + path_ + "\": " + errno_text(errno));
    }
  }

  int file_fd() const override { return fd_; }
  int64_t committed_length() const override { return committed_; }

 protected:
  bool drain(FlowContext* ctx) override {
    std::string& text = format_.pending().text;
    if (text.empty() || fd_ < 0) return true;
    int err = write_all(fd_, text);
    text.clear();
    if (err == 0) return true;
    ctx->set_error("cannot write to \"" + path_ + "\": " + errno_text(err));
    return false;
  }

 private:
  std::string path_;
  int fd_ = -1;
  int64_t committed_ = 0;  // the file's length after the last written batch
};

}  // namespace

std::unique_ptr<Sink> make_stdout_sink(int32_t index, const FlowSinkDesc* desc) {
  return std::make_unique<StdoutSink>(index, desc);
}

std::unique_ptr<Sink> make_file_sink(int32_t index, const FlowSinkDesc* desc) {
  return std::make_unique<FileSink>(index, desc);
}

}  // namespace flowrt
