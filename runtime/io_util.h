// runtime/io_util.h — small POSIX helpers shared by sources and sinks.
#ifndef FLOWC_RUNTIME_IO_UTIL_H
#define FLOWC_RUNTIME_IO_UTIL_H

#include <cstdint>
#include <string>
#include <string_view>

namespace flowrt {

// Wall-clock milliseconds since the epoch (batch starts are processing time).
int64_t now_ms();

// Writes all of `data` to `fd`, retrying on EINTR and short writes.
// Returns 0, or the errno of the failure.
int write_all(int fd, std::string_view data);

// Creates the parent directories of `path` (like `mkdir -p $(dirname path)`).
// Returns 0, or the errno of the failure.
int make_parent_dirs(const std::string& path);

// `"path": reason` text for an errno, as in `cannot open "x": No such file`.
std::string errno_text(int err);

// Decimal text of n.
std::string int_text(int64_t n);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_IO_UTIL_H
