// runtime/input_digest.cpp — see input_digest.h.
#include "input_digest.h"

#include <algorithm>
#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

#include "byte_input_gzip.h"
#include "checkpoint_file.h"
#include "io_util.h"

namespace flowrt {

namespace {

// The CRC32C of `n` bytes of `path` from `from`; false when the file
// cannot be read or holds fewer (*got says how many it held).
bool digest_range(const std::string& path, int64_t from, int64_t n, uint32_t* crc, int64_t* got) {
  *got = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string bytes(static_cast<size_t>(n), '\0');
  while (*got < n) {
    ssize_t r = ::pread(fd, bytes.data() + *got, static_cast<size_t>(n - *got), from + *got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    *got += r;
  }
  ::close(fd);
  *crc = crc32c(bytes.data(), static_cast<size_t>(*got));
  return *got == n;
}

}  // namespace

bool input_digest(const std::string& path, int64_t offset, InputDigest* out) {
  int64_t got = 0;
  if (is_gzip_path(path)) {
    // The first compressed bytes, as many as there are up to kDigestBytes.
    digest_range(path, 0, kDigestBytes, &out->crc, &got);
    out->bytes = got;
    return got > 0;
  }
  out->bytes = std::min(offset, kDigestBytes);
  return digest_range(path, offset - out->bytes, out->bytes, &out->crc, &got);
}

bool input_digest_matches(const std::string& path, int64_t offset, const InputDigest& want,
                          std::string* error) {
  const int64_t from = is_gzip_path(path) ? 0 : offset - want.bytes;
  uint32_t now = 0;
  int64_t got = 0;
  if (want.bytes >= 0 && from >= 0 && digest_range(path, from, want.bytes, &now, &got) &&
      now == want.crc) {
    return true;
  }
  *error = "\"" + path + "\" is not the file the checkpoint read: its bytes before the position " +
           "to resume at (byte " + int_text(offset) + ") changed (was it replaced or rewritten?)";
  return false;
}

}  // namespace flowrt
