// runtime/byte_input_gzip.h — `.gz` files read through zlib (LANGUAGE.md
// 13 "Compressed input"), and the one place that picks a file's ByteInput
// by its name.
#ifndef FLOWC_RUNTIME_BYTE_INPUT_GZIP_H
#define FLOWC_RUNTIME_BYTE_INPUT_GZIP_H

#include <memory>
#include <string>
#include <string_view>

#include "byte_input.h"

namespace flowrt {

// A file whose name ends in `.gz` is gzip (as gzip(1), Spark and Hadoop
// decide it: by the name, not the bytes).
bool is_gzip_path(std::string_view path);

// Opens a gzip file: several gzip members in a row are one stream (what
// `cat a.gz b.gz > c.gz` makes); zero bytes after the last member are
// ignored, as zcat ignores them. A corrupt or truncated member is a read
// error naming the file and the compressed byte offsets. seek() inflates
// from the start up to the uncompressed offset. nullptr with *error set.
std::unique_ptr<ByteInput> open_gzip_input(const std::string& path, std::string* error);

// A file source's input by its name: gzip for `.gz` (never followed: sema
// refuses it, and a followed `.gz` reaching here is an error too),
// open_file_input otherwise.
std::unique_ptr<ByteInput> open_path_input(const std::string& path, bool follow,
                                           std::string* error);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_BYTE_INPUT_GZIP_H
