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

bool input_digest(const std::string& path, int64_t offset, uint32_t* digest) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool gz = is_gzip_path(path);
  const int64_t n = gz ? kDigestBytes : std::min(offset, kDigestBytes);
  const int64_t from = gz ? 0 : offset - n;
  std::string bytes(static_cast<size_t>(n), '\0');
  int64_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, bytes.data() + got, static_cast<size_t>(n - got), from + got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += r;
  }
  ::close(fd);
  if (got < n && !gz) return false;  // shorter than the offset: no digest
  *digest = crc32c(bytes.data(), static_cast<size_t>(got));
  return true;
}

bool input_digest_matches(const std::string& path, int64_t offset, uint32_t digest,
                          std::string* error) {
  uint32_t now = 0;
  if (input_digest(path, offset, &now) && now == digest) return true;
  *error = "\"" + path + "\" is not the file the checkpoint read: its bytes before the position " +
           "to resume at (byte " + int_text(offset) + ") changed (was it replaced or rewritten?)";
  return false;
}

}  // namespace flowrt
