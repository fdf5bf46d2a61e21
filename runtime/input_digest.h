// runtime/input_digest.h — does a file still hold the bytes a checkpoint
// read from it? A resumed or incremental run (LANGUAGE.md 13) goes on at a
// byte offset; a file that was replaced or rewritten since would be misread
// from there, so a position carries a digest of the bytes before it.
#ifndef FLOWC_RUNTIME_INPUT_DIGEST_H
#define FLOWC_RUNTIME_INPUT_DIGEST_H

#include <cstdint>
#include <string>

namespace flowrt {

// Bytes digested: enough that two different log files practically never
// agree, one pread(2) per checkpoint and file source.
inline constexpr int64_t kDigestBytes = 4096;

// What a position's digest covers and its CRC32C.
struct InputDigest {
  int64_t bytes = 0;  // how many bytes of the file
  uint32_t crc = 0;
};

// The digest of the (at most kDigestBytes) bytes of the file at `path` just
// before `offset`; of a `.gz` file (whose offsets are uncompressed) its
// first compressed bytes, at most kDigestBytes: members appended later
// leave them alone (a file shorter than that is digested whole, and
// `bytes` keeps how much). False when the file cannot be read.
bool input_digest(const std::string& path, int64_t offset, InputDigest* out);

// True when `path` still digests to `want` at `offset`; false with *error
// saying that the file is not the one the checkpoint read.
bool input_digest_matches(const std::string& path, int64_t offset, const InputDigest& want,
                          std::string* error);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_INPUT_DIGEST_H
