// runtime/byte_input.cpp — files, followed files, stdin and TCP sockets.
//
// A regular file that is not followed is mapped (mmap, MADV_SEQUENTIAL) and
// its records are views into the mapping: no copy from the kernel, and the
// parser reads the page cache directly. The mapping is exposed to the
// splitter a window at a time, and pages behind the consumed position are
// dropped from the process (MADV_DONTNEED; they stay in the page cache), so
// peak memory does not grow with the file. Everything else (pipes,
// sockets, stdin, followed files) is read(2) into one reused buffer.
//
// A later parallel engine can cut a mapped file into morsels at record
// boundaries: the splitter starts at any offset (restart_at), which is what
// checkpoints already use.
#include "byte_input.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "io_util.h"

namespace flowrt {

int64_t ByteInput::wait_ms(int64_t) const { return kNoWait; }

namespace {

class FileInput final : public ByteInput {
 public:
  FileInput(std::string path, int fd, bool follow)
      : path_(std::move(path)), fd_(fd), follow_(follow) {
    remember_identity();
  }
  ~FileInput() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Read read_into(RecordSplitter* splitter, std::string* error) override {
    char* dst = splitter->fill_ptr(kReadChunkBytes);
    ssize_t n = ::read(fd_, dst, kReadChunkBytes);
    if (n > 0) {
      splitter->commit(static_cast<size_t>(n));
      pos_ += n;
      return Read::kData;
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return Read::kWouldBlock;
      *error = "cannot read \"" + path_ + "\": " + errno_text(errno);
      return Read::kError;
    }
    if (!follow_) return Read::kEof;
    // At the end of a followed file: look at the path now and then.
    int64_t now = now_ms();
    if (now - last_check_ < kFollowPollMs) return Read::kWouldBlock;
    last_check_ = now;
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) {
      // Renamed away and replaced, or truncated in place: start over at
      // the path. Our read just returned 0, so the old file is drained.
      if (st.st_ino != ino_ || st.st_dev != dev_) return Read::kRotated;
      struct stat cur;
      if (::fstat(fd_, &cur) == 0 && cur.st_size < pos_) return Read::kRotated;
    }
    return Read::kWouldBlock;
  }

  bool seek(int64_t offset, std::string* error) override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) {
      *error = "cannot look at \"" + path_ + "\": " + errno_text(errno);
      return false;
    }
    if (st.st_size < offset) {
      *error = "\"" + path_ + "\" holds " + int_text(st.st_size) +
               " bytes, but the checkpoint's position in it is byte " + int_text(offset) +
               ": the input file changed";
      return false;
    }
    if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
      *error = "cannot seek in \"" + path_ + "\": " + errno_text(errno);
      return false;
    }
    pos_ = static_cast<off_t>(offset);
    return true;
  }

  int64_t wait_ms(int64_t now) const override {
    if (!follow_) return 0;
    int64_t due = last_check_ + kFollowPollMs - now;
    return due < 0 ? 0 : due;
  }

  bool reopen() override {
    last_check_ = now_ms();  // a failed attempt waits a poll period
    int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd_);
    fd_ = fd;
    pos_ = 0;
    remember_identity();
    return true;
  }

 private:
  void remember_identity() {
    struct stat st;
    if (::fstat(fd_, &st) == 0) {
      ino_ = st.st_ino;
      dev_ = st.st_dev;
    }
  }

  std::string path_;
  int fd_;
  bool follow_;
  off_t pos_ = 0;
  ino_t ino_ = 0;
  dev_t dev_ = 0;
  int64_t last_check_ = 0;
};

// Bytes of a mapped file exposed to the splitter at a time: small enough to
// keep the resident set small (2, 8 and 64 MiB run equally fast).
constexpr int64_t kMapWindowBytes = int64_t{2} << 20;
// The granule in which pages behind the consumed position (and behind
// every morsel that worker threads still read in place) are released: one
// madvise per 32 MiB, while the resident set stays bounded.
constexpr int64_t kMapReleaseBytes = int64_t{32} << 20;
constexpr int64_t kPageBytes = 4096;
// What one page fault on a file mapping maps (the kernel's
// fault_around_bytes, 64 KiB unless changed; aligned ranges).
constexpr size_t kFaultAroundBytes = 16 * kPageBytes;
// How far past the exposed window a pool thread fetches a mapped file
// (MappedFileInput::fetch_ahead): two windows, so that the fetch is done
// before the splitter gets there although the pool thread finishes a
// morsel first.
constexpr int64_t kFetchAheadBytes = 2 * kMapWindowBytes;

// A regular file read through a private read-only mapping (not followed:
// no rotation). A file that grows while it is read is remapped at its end,
// as read(2) would have seen the new bytes; one truncated under the reader
// would fault (SIGBUS), the price of zero-copy that every mmap reader pays.
class MappedFileInput final : public ByteInput {
 public:
  MappedFileInput(std::string path, int fd, char* map, int64_t size)
      : path_(std::move(path)), fd_(fd), map_(map), size_(size) {
    ::madvise(map_, static_cast<size_t>(size_), MADV_SEQUENTIAL);
  }
  ~MappedFileInput() override {
    if (map_) ::munmap(map_, static_cast<size_t>(size_));
    if (fd_ >= 0) ::close(fd_);
  }

  bool bytes_stay() const override { return true; }
  // Exposing the next window moves nothing, nor does releasing pages no
  // morsel reads (keep_from): only remapping a grown file does.
  bool read_moves_bytes(const RecordSplitter& splitter) const override {
    (void)splitter;
    return exposed_ >= size_;
  }
  void keep_from(int64_t offset) override { keep_from_ = offset; }

  Read read_into(RecordSplitter* splitter, std::string* error) override {
    release_before(std::min(splitter->consumed_offset(), keep_from_));
    if (exposed_ >= size_ && !grew(error)) return error->empty() ? Read::kEof : Read::kError;
    int64_t base = splitter->base_offset();
    int64_t from = std::max(exposed_, base);
    exposed_ = std::min(size_, from + kMapWindowBytes);
    splitter->expose(map_ + base, exposed_ - base);
    fetch_ahead();
    return Read::kData;
  }

  bool seek(int64_t offset, std::string* error) override {
    if (offset > size_) {
      *error = "\"" + path_ + "\" holds " + int_text(size_) +
               " bytes, but the checkpoint's position in it is byte " + int_text(offset) +
               ": the input file changed";
      return false;
    }
    exposed_ = offset;
    fetched_ = offset;
    released_ = offset & ~(kPageBytes - 1);
    return true;
  }

 private:
  // Pages wholly before `offset` are done with: the records there were
  // handed over, and no morsel queued or running reads them (keep_from).
  void release_before(int64_t offset) {
    if (!releasable(offset)) return;
    int64_t upto = offset & ~(kPageBytes - 1);
    char* at = map_ + released_;
    const auto bytes = static_cast<size_t>(upto - released_);
    if (aside_) aside_([at, bytes] { ::madvise(at, bytes, MADV_DONTNEED); });
    else ::madvise(at, bytes, MADV_DONTNEED);
    released_ = upto;
  }

  // With a pool thread aside: the windows after the exposed one are
  // faulted in there, so that the splitter here (and the morsel's worker
  // after it) find them mapped instead of waiting for the page faults.
  // One load per kFaultAroundBytes: a fault on a file mapping maps the
  // pages around it that the page cache holds (Linux's fault-around), so
  // loads in between only missed the CPU caches, once per page (YSB JSON
  // at 2 threads: 11% slower wall with a load per page; with a load per
  // cache line, to warm the shared cache as well, slower still). Pages
  // fault-around did not map fault where they are first read, as without
  // a pool thread.
  void fetch_ahead() {
    if (!aside_) return;
    const int64_t from = std::max(fetched_, exposed_);
    const int64_t to = std::min(size_, exposed_ + kFetchAheadBytes);
    if (from >= to) return;
    fetched_ = to;
    const char* p = map_ + from;
    const auto n = static_cast<size_t>(to - from);
    aside_([p, n] {
      unsigned char sum = 0;
      for (size_t i = 0; i < n; i += kFaultAroundBytes) sum ^= static_cast<unsigned char>(p[i]);
      volatile unsigned char sink = sum;
      (void)sink;
    });
  }
  bool releasable(int64_t offset) const {
    return (offset & ~(kPageBytes - 1)) - released_ >= kMapReleaseBytes;
  }

  // At the end of the mapping: maps the bytes appended since (false at the
  // true end, or with *error set).
  bool grew(std::string* error) {
    struct stat st;
    if (::fstat(fd_, &st) != 0 || st.st_size <= size_) return false;
    void* m =
        ::mremap(map_, static_cast<size_t>(size_), static_cast<size_t>(st.st_size), MREMAP_MAYMOVE);
    if (m == MAP_FAILED) {
      *error = "cannot map \"" + path_ + "\": " + errno_text(errno);
      return false;
    }
    map_ = static_cast<char*>(m);
    size_ = st.st_size;
    ::madvise(map_, static_cast<size_t>(size_), MADV_SEQUENTIAL);
    return true;
  }

  std::string path_;
  int fd_;
  char* map_;
  int64_t size_;
  int64_t exposed_ = 0;   // input offset up to which the splitter sees bytes
  int64_t released_ = 0;  // pages before this offset were released
  int64_t keep_from_ = std::numeric_limits<int64_t>::max();  // keep_from()
  int64_t fetched_ = 0;  // fetch_ahead went up to here
};

// stdin and sockets: poll before each read, so a read never blocks and the
// descriptor's flags (shared with the parent shell for stdin) stay as they are.
class PolledInput final : public ByteInput {
 public:
  PolledInput(int fd, bool owned, std::string name)
      : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~PolledInput() override {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }

  Read read_into(RecordSplitter* splitter, std::string* error) override {
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, 0);
    if (r == 0 || (r < 0 && errno == EINTR)) return Read::kWouldBlock;
    char* dst = splitter->fill_ptr(kReadChunkBytes);
    ssize_t n = ::read(fd_, dst, kReadChunkBytes);
    if (n > 0) {
      splitter->commit(static_cast<size_t>(n));
      return Read::kData;
    }
    if (n == 0) return Read::kEof;
    if (errno == EINTR || errno == EAGAIN) return Read::kWouldBlock;
    if (errno == ECONNRESET) return Read::kEof;  // the peer went away
    *error = "cannot read " + name_ + ": " + errno_text(errno);
    return Read::kError;
  }

  int wait_fd() const override { return fd_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
};

}  // namespace

std::unique_ptr<ByteInput> open_file_input(const std::string& path, bool follow,
                                           std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open \"" + path + "\": " + errno_text(errno);
    return nullptr;
  }
  struct stat st;
  bool have_stat = ::fstat(fd, &st) == 0;
  if (have_stat && S_ISDIR(st.st_mode)) {
    ::close(fd);
    *error = "cannot open \"" + path + "\": " + errno_text(EISDIR);
    return nullptr;
  }
  if (!follow && have_stat && S_ISREG(st.st_mode) && st.st_size > 0) {
    void* m = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (m != MAP_FAILED) {
      return std::make_unique<MappedFileInput>(path, fd, static_cast<char*>(m), st.st_size);
    }
    // Not mappable (some special file systems): read it instead.
  }
  return std::make_unique<FileInput>(path, fd, follow);
}

std::unique_ptr<ByteInput> fd_input(int fd) {
  return std::make_unique<PolledInput>(fd, false, "<stdin>");
}

std::unique_ptr<ByteInput> connect_socket_input(const std::string& address,
                                                std::string* error) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    *error = "socket address \"" + address + "\" is not host:port";
    return nullptr;
  }
  std::string host = address.substr(0, colon);
  std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);  // [::1]:9999
  }
  if (host.empty()) host = "localhost";

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int gai = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &list);
  if (gai != 0) {
    *error = "cannot connect to \"" + address + "\": " + gai_strerror(gai);
    return nullptr;
  }
  int err = ECONNREFUSED;
  int fd = -1;
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int rc;
    do {
      rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    } while (rc != 0 && errno == EINTR);
    if (rc == 0) break;
    err = errno;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(list);
  if (fd < 0) {
    *error = "cannot connect to \"" + address + "\": " + errno_text(err);
    return nullptr;
  }
  return std::make_unique<PolledInput>(fd, true, "from \"" + address + "\"");
}

}  // namespace flowrt
