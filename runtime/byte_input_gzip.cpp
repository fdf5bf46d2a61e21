// runtime/byte_input_gzip.cpp — gzip files through zlib's inflate, member
// after member, straight into the record splitter's buffer.
#include "byte_input_gzip.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "io_util.h"

namespace flowrt {
namespace {

// Compressed bytes asked of read(2) at a time.
constexpr size_t kGzipReadBytes = size_t{128} << 10;
// Uncompressed bytes inflated per read_into: enough to amortize the call,
// small enough to stay in L2 while the splitter cuts them.
constexpr size_t kInflateBytes = size_t{256} << 10;
// zlib's windowBits: 15 (the largest window) + 16 (gzip wrapper only).
constexpr int kGzipWindowBits = 15 + 16;

class GzipInput final : public ByteInput {
 public:
  GzipInput(std::string path, int fd) : path_(std::move(path)), fd_(fd), in_(kGzipReadBytes) {
    std::memset(&zs_, 0, sizeof zs_);
  }
  ~GzipInput() override {
    if (zlib_ready_) inflateEnd(&zs_);
    if (fd_ >= 0) ::close(fd_);
  }

  bool init(std::string* error) {
    if (inflateInit2(&zs_, kGzipWindowBits) != Z_OK) {
      *error = "cannot read \"" + path_ + "\": zlib cannot start (out of memory?)";
      return false;
    }
    zlib_ready_ = true;
    return true;
  }

  Read read_into(RecordSplitter* splitter, std::string* error) override {
    char* dst = splitter->fill_ptr(kInflateBytes);
    size_t produced = 0;
    Read r = inflate_some(reinterpret_cast<unsigned char*>(dst), kInflateBytes, &produced, error);
    if (produced > 0) {
      splitter->commit(produced);
      out_pos_ += static_cast<int64_t>(produced);
      return Read::kData;
    }
    return r;
  }

  // The uncompressed stream cannot be entered in the middle: inflate from
  // the start and drop `offset` bytes (zlib inflates hundreds of MB/s; a
  // restart happens once).
  bool seek(int64_t offset, std::string* error) override {
    if (offset < out_pos_) {
      *error = "cannot go back in \"" + path_ + "\"";
      return false;
    }
    std::vector<unsigned char> scratch(kInflateBytes);
    while (out_pos_ < offset) {
      size_t want = static_cast<size_t>(std::min<int64_t>(offset - out_pos_, kInflateBytes));
      size_t produced = 0;
      Read r = inflate_some(scratch.data(), want, &produced, error);
      out_pos_ += static_cast<int64_t>(produced);
      if (produced > 0) continue;
      if (r == Read::kError) return false;
      *error = "\"" + path_ + "\" holds " + int_text(out_pos_) +
               " bytes uncompressed, but the checkpoint's position in it is byte " +
               int_text(offset) + ": the input file changed";
      return false;
    }
    return true;
  }

 private:
  // Inflates up to `cap` bytes into `out`, reading compressed input as
  // needed and going on into the next member. kData when *produced > 0 or
  // more may come; kEof at the clean end of the last member; kError.
  Read inflate_some(unsigned char* out, size_t cap, size_t* produced, std::string* error) {
    zs_.next_out = out;
    zs_.avail_out = static_cast<uInt>(cap);
    while (zs_.avail_out > 0) {
      if (zs_.avail_in == 0 && !eof_ && !refill(error)) return Read::kError;
      if (!in_member_) {
        skip_zero_padding();
        if (zs_.avail_in == 0) {
          if (eof_) break;  // the end, between members
          continue;
        }
        if (inflateReset(&zs_) != Z_OK) return fail("zlib cannot restart", error);
        member_start_ = compressed_pos();
        in_member_ = true;
      }
      int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        continue;
      }
      if (rc == Z_OK) continue;
      if (rc == Z_BUF_ERROR && zs_.avail_in == 0 && !eof_) continue;  // read on
      if (rc == Z_BUF_ERROR && zs_.avail_in == 0) {
        *produced = cap - zs_.avail_out;
        if (*produced > 0) return Read::kData;  // hand over what came first
        *error = "\"" + path_ + "\" ends in the middle of the gzip member that starts at byte " +
                 int_text(member_start_) + " (a truncated or still growing .gz file)";
        return Read::kError;
      }
      *produced = cap - zs_.avail_out;
      if (*produced > 0) return Read::kData;  // the error comes at the next call
      return fail(zs_.msg != nullptr ? zs_.msg : "inflate failed", error);
    }
    *produced = cap - zs_.avail_out;
    return *produced > 0 || !eof_ || in_member_ ? Read::kData : Read::kEof;
  }

  Read fail(const char* why, std::string* error) {
    *error = "corrupt gzip data in \"" + path_ + "\" at byte " + int_text(compressed_pos()) +
             " (in the member that starts at byte " + int_text(member_start_) + "): " + why;
    return Read::kError;
  }

  bool refill(std::string* error) {
    ssize_t n;
    do {
      n = ::read(fd_, in_.data(), in_.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      *error = "cannot read \"" + path_ + "\": " + errno_text(errno);
      return false;
    }
    chunk_start_ += chunk_len_;
    chunk_len_ = static_cast<int64_t>(n);
    zs_.next_in = in_.data();
    zs_.avail_in = static_cast<uInt>(n);
    if (n == 0) eof_ = true;
    return true;
  }

  // Zero bytes after a member, up to the end of the file, are padding
  // (tape blocks); a zero inside them followed by more data is not, and
  // inflate then reports it as a bad header.
  void skip_zero_padding() {
    while (zs_.avail_in > 0 && zs_.next_in[0] == 0) {
      const unsigned char* p = zs_.next_in;
      size_t n = 0;
      while (n < zs_.avail_in && p[n] == 0) ++n;
      if (n < zs_.avail_in) return;  // data follows: inflate says what it is
      zs_.next_in += n;
      zs_.avail_in -= static_cast<uInt>(n);
      if (!eof_) {
        std::string ignored;
        if (!refill(&ignored)) return;
      }
    }
  }

  // The file offset of the next compressed byte inflate will read.
  int64_t compressed_pos() const {
    return chunk_start_ + (chunk_len_ - static_cast<int64_t>(zs_.avail_in));
  }

  std::string path_;
  int fd_;
  z_stream zs_;
  bool zlib_ready_ = false;
  std::vector<unsigned char> in_;
  int64_t chunk_start_ = 0;  // file offset of in_[0]
  int64_t chunk_len_ = 0;    // bytes the last read put in in_
  int64_t member_start_ = 0;
  int64_t out_pos_ = 0;  // uncompressed bytes handed out
  bool in_member_ = false;
  bool eof_ = false;
};

}  // namespace

bool is_gzip_path(std::string_view path) { return path.ends_with(".gz"); }

std::unique_ptr<ByteInput> open_gzip_input(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open \"" + path + "\": " + errno_text(errno);
    return nullptr;
  }
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    *error = "cannot open \"" + path + "\": " + errno_text(EISDIR);
    return nullptr;
  }
  auto input = std::make_unique<GzipInput>(path, fd);
  if (!input->init(error)) return nullptr;
  return input;
}

std::unique_ptr<ByteInput> open_path_input(const std::string& path, bool follow,
                                           std::string* error) {
  if (!is_gzip_path(path)) return open_file_input(path, follow, error);
  if (follow) {
    *error = "cannot follow \"" + path + "\": a .gz file is read whole, not followed";
    return nullptr;
  }
  return open_gzip_input(path, error);
}

}  // namespace flowrt
