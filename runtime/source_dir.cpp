// runtime/source_dir.cpp — dir("PATH", pattern: "*.log", follow: true)
// (LANGUAGE.md 13 "Folder source"): the matching files of a folder, each
// read whole and once, one after the other as one text stream (the text
// source does the reading: input_feed.h).
//
// Order: the files there at start, oldest modification time first, then by
// name; then (follow) files as they appear, each batch of newcomers in the
// same order. Names beginning with `.` or `_` are skipped (Spark, Hadoop:
// files being written, `_SUCCESS`), subfolders too.
//
// Cost per batch does not grow with the folder: the folder is listed once
// at start; then inotify (IN_MOVED_TO, IN_CLOSE_WRITE) names each newcomer,
// looked up in a sorted map of known names. Without inotify (a file system
// that has none, or FLOWC_DIR_NO_INOTIFY=1), the folder is listed again
// every kDirPollMs, and only while no file is waiting to be read; a listing
// stats only names it has not seen. FLOWC_DIR_TRACE=1 prints a line per
// listing (tests count them).
//
// Checkpoints: the finished files go to a log beside the checkpoint
// (DIR/files.SOURCE: each name once, appended and fsynced when a
// checkpoint is written, which records the log's length), so a checkpoint
// stays small however many files were read; a restarted run reads the log
// up to that length (what a crash left after it is cut off), skips those
// files, and goes on in the file that was current at its byte offset.
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "byte_input_gzip.h"
#include "checkpoint.h"
#include "checkpoint_file.h"
#include "input_feed.h"
#include "io_util.h"
#include "sources.h"

namespace flowrt {
namespace {

// How often a folder without inotify is listed while nothing waits to be
// read (Spark's file stream lists once per batch interval).
constexpr int64_t kDirPollMs = 500;
// inotify events read at a time (each is 16 bytes plus a name).
constexpr size_t kEventBufferBytes = 64 << 10;

bool env_flag(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && *v != '0';
}

class DirFeed final : public InputFeed {
 public:
  explicit DirFeed(const FlowSourceDesc* d)
      : desc_(d),
        dir_(d->path ? d->path : ""),
        pattern_(d->pattern && *d->pattern ? d->pattern : "*"),
        follow_(d->follow != 0) {}

  ~DirFeed() override {
    if (inotify_fd_ >= 0) ::close(inotify_fd_);
    if (log_fd_ >= 0) ::close(log_fd_);
  }

  bool open(FlowContext* ctx, std::string* error) override {
    ctx_ = ctx;
    trace_ = env_flag("FLOWC_DIR_TRACE");
    struct stat st;
    if (::stat(dir_.c_str(), &st) != 0) {
      *error = "cannot open the folder \"" + dir_ + "\": " + errno_text(errno);
      return false;
    }
    if (!S_ISDIR(st.st_mode)) {
      *error = "cannot read \"" + dir_ + "\" as a folder: " + errno_text(ENOTDIR);
      return false;
    }
    // Watch before listing: a file moved in during the listing is then
    // seen by one or both (known_ drops the second sighting).
    if (follow_ && !env_flag("FLOWC_DIR_NO_INOTIFY")) {
      inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
      if (inotify_fd_ >= 0 &&
          ::inotify_add_watch(inotify_fd_, dir_.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        ::close(inotify_fd_);
        inotify_fd_ = -1;
      }
    }
    return scan(error);
  }

  Next next(std::unique_ptr<ByteInput>* input, std::string* name, std::string* error) override {
    if (follow_ && !catch_up(error)) return Next::kError;
    while (!pending_.empty()) {
      auto first = pending_.begin();
      std::string file = first->second;
      pending_.erase(first);
      std::string path = join(file);
      *input = open_path_input(path, false, error);
      if (*input == nullptr) {
        if (errno_was_enoent(path)) {
          // Gone before its turn (deleted by someone else): nothing to read.
          known_[file].state = State::kDone;
          unlogged_.push_back(file);
          error->clear();
          continue;
        }
        return Next::kError;
      }
      known_[file].state = State::kCurrent;
      current_ = file;
      *name = path;
      return Next::kInput;
    }
    return follow_ ? Next::kWait : Next::kEnd;
  }

  void finished_current() override {
    if (current_.empty()) return;
    known_[current_].state = State::kDone;
    unlogged_.push_back(std::move(current_));
    current_.clear();
  }

  int wait_fd() const override { return inotify_fd_; }
  int64_t wait_ms(int64_t now) const override {
    if (!follow_ || inotify_fd_ >= 0) return kNoWait;
    int64_t due = last_scan_ms_ + kDirPollMs - now;
    return due < 0 ? 0 : due;
  }

  bool exhausted() override { return !follow_ && pending_.empty(); }

  // The folder and pattern as read (a --param may change them: refused),
  // the log's committed length and entry count, and the current file.
  void save(CkptOut& out) override {
    out.str(dir_);
    out.str(pattern_);
    append_log();
    out.u64(static_cast<uint64_t>(log_bytes_));
    out.u64(static_cast<uint64_t>(log_entries_));
    out.str(current_);
  }

  bool restore(FlowContext* ctx, CkptIn& in, std::unique_ptr<ByteInput>* input, std::string* name,
               std::string* error) override {
    std::string dir(in.str());
    std::string pattern(in.str());
    auto bytes = static_cast<int64_t>(in.u64());
    auto entries = static_cast<int64_t>(in.u64());
    std::string current(in.str());
    if (in.failed() || bytes < 0 || entries < 0) {
      *error = "its position does not read back";
      return false;
    }
    if (dir != dir_ || pattern != pattern_) {
      *error = "it now reads the files \"" + pattern_ + "\" in \"" + dir_ +
               "\", but the checkpoint's are \"" + pattern + "\" in \"" + dir +
               "\" (did a --param change?)";
      return false;
    }
    std::vector<std::string> done;
    if (!read_log(bytes, entries, &done, error)) return false;
    for (std::string& file : done) mark_done(file);
    log_bytes_ = bytes;
    log_entries_ = entries;
    if (current.empty()) return true;
    // The file that was current: read on in it (the source seeks).
    auto it = known_.find(current);
    if (it != known_.end()) pending_.erase({it->second.mtime, current});
    std::string path = join(current);
    *input = open_path_input(path, false, error);
    if (*input == nullptr) {
      *error = "the checkpoint stopped in \"" + path + "\", which cannot be read now: " + *error;
      return false;
    }
    known_[current].state = State::kCurrent;
    current_ = current;
    *name = path;
    return true;
  }

 private:
  enum class State : uint8_t { kPending, kCurrent, kDone };
  struct Known {
    int64_t mtime = 0;  // ns; the pending_ key with the name
    State state = State::kPending;
  };

  std::string join(const std::string& file) const {
    if (dir_.empty() || dir_.back() == '/') return dir_ + file;
    return dir_ + "/" + file;
  }

  bool wanted(const char* file) const {
    if (file[0] == '.' || file[0] == '_') return false;
    return ::fnmatch(pattern_.c_str(), file, 0) == 0;
  }

  // A name not known yet: stat it and queue it when it is a regular file
  // (a symlink to one too).
  void consider(int dir_fd, const char* file) {
    if (!wanted(file) || known_.count(file) != 0) return;
    struct stat st;
    if (::fstatat(dir_fd, file, &st, 0) != 0 || !S_ISREG(st.st_mode)) return;
    int64_t mtime = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    known_.emplace(file, Known{mtime, State::kPending});
    pending_.emplace(mtime, file);
  }

  // Lists the folder; stats only names not seen before.
  bool scan(std::string* error) {
    last_scan_ms_ = now_ms();
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (d == nullptr) {
      if (fd >= 0) ::close(fd);
      *error = "cannot list the folder \"" + dir_ + "\": " + errno_text(errno);
      return false;
    }
    ++scans_;
    size_t before = pending_.size();
    int64_t entries = 0;
    while (dirent* e = ::readdir(d)) {
      ++entries;
      consider(fd, e->d_name);
    }
    ::closedir(d);
    if (trace_) {
      ctx_->log_line("flowc: dir \"" + dir_ + "\": listing " + int_text(scans_) + ", " +
                     int_text(entries) + " entries, " +
                     int_text(static_cast<int64_t>(pending_.size() - before)) + " new files");
    }
    return true;
  }

  // Newcomers since the last look: inotify's events, or a listing when the
  // poll period has passed (only while nothing is pending: a folder of
  // 100,000 files waiting is not listed again for each of them).
  bool catch_up(std::string* error) {
    if (inotify_fd_ < 0) {
      if (pending_.empty() && now_ms() - last_scan_ms_ >= kDirPollMs) return scan(error);
      return true;
    }
    if (event_buf_.empty()) event_buf_.resize(kEventBufferBytes);
    int dir_fd = -1;
    bool overflow = false;
    for (;;) {
      ssize_t n = ::read(inotify_fd_, event_buf_.data(), event_buf_.size());
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(event_buf_.data() + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        if ((ev->mask & IN_Q_OVERFLOW) != 0) overflow = true;
        if (ev->len == 0 || (ev->mask & IN_ISDIR) != 0) continue;
        if (dir_fd < 0) dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd >= 0) consider(dir_fd, ev->name);
      }
    }
    if (dir_fd >= 0) ::close(dir_fd);
    // Events were dropped (the queue overflowed): list the folder once.
    return !overflow || scan(error);
  }

  static bool errno_was_enoent(const std::string& path) {
    struct stat st;
    return ::stat(path.c_str(), &st) != 0 && errno == ENOENT;
  }

  void mark_done(const std::string& file) {
    auto it = known_.find(file);
    if (it == known_.end()) {
      known_.emplace(file, Known{0, State::kDone});
      return;
    }
    if (it->second.state == State::kPending) pending_.erase({it->second.mtime, file});
    it->second.state = State::kDone;
  }

  std::string log_path() const {
    const char* name = desc_->name ? desc_->name : "source";
    return ctx_->checkpoint->dir() + "/files." + name;
  }

  // Appends the files finished since the last checkpoint to the log and
  // syncs it; the checkpoint then records the new length. The first
  // append of a run cuts off what a crash left after the committed length.
  void append_log() {
    if (ctx_ == nullptr || ctx_->checkpoint == nullptr) return;
    if (log_fd_ < 0) {
      log_fd_ = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (log_fd_ < 0 || ::ftruncate(log_fd_, log_bytes_) != 0) {
        ctx_->set_error("cannot write \"" + log_path() + "\": " + errno_text(errno));
        return;
      }
    }
    if (unlogged_.empty()) return;
    std::string bytes;
    CkptOut w(&bytes);
    for (const std::string& file : unlogged_) w.str(file);
    if (::pwrite(log_fd_, bytes.data(), bytes.size(), log_bytes_) !=
            static_cast<ssize_t>(bytes.size()) ||
        ::fdatasync(log_fd_) != 0) {
      ctx_->set_error("cannot write \"" + log_path() + "\": " + errno_text(errno));
      return;
    }
    log_bytes_ += static_cast<int64_t>(bytes.size());
    log_entries_ += static_cast<int64_t>(unlogged_.size());
    unlogged_.clear();
  }

  bool read_log(int64_t bytes, int64_t entries, std::vector<std::string>* done,
                std::string* error) {
    if (bytes == 0) return true;
    std::string text;
    int fd = ::open(log_path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      text.resize(static_cast<size_t>(bytes));
      int64_t got = 0;
      while (got < bytes) {
        ssize_t r = ::pread(fd, text.data() + got, static_cast<size_t>(bytes - got), got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += r;
      }
      ::close(fd);
      text.resize(static_cast<size_t>(got));
    }
    CkptIn r(text);
    while (!r.at_end() && !r.failed()) done->emplace_back(r.str());
    if (fd < 0 || static_cast<int64_t>(text.size()) != bytes || r.failed() ||
        static_cast<int64_t>(done->size()) != entries) {
      *error = "its list of finished files \"" + log_path() + "\" is missing or shorter than the " +
               int_text(entries) + " files it recorded";
      return false;
    }
    return true;
  }

  const FlowSourceDesc* desc_;
  FlowContext* ctx_ = nullptr;
  std::string dir_;
  std::string pattern_;
  bool follow_;
  bool trace_ = false;
  int inotify_fd_ = -1;
  std::vector<char> event_buf_;
  int64_t last_scan_ms_ = 0;
  int64_t scans_ = 0;
  std::map<std::string, Known> known_;                  // every name seen
  std::set<std::pair<int64_t, std::string>> pending_;  // (mtime, name), next first
  std::string current_;
  std::vector<std::string> unlogged_;  // finished since the last checkpoint
  int log_fd_ = -1;
  int64_t log_bytes_ = 0;
  int64_t log_entries_ = 0;
};

}  // namespace

std::unique_ptr<Source> make_dir_source(int32_t index, const FlowSourceDesc* desc) {
  return make_fed_text_source(index, desc, std::make_unique<DirFeed>(desc));
}

}  // namespace flowrt
