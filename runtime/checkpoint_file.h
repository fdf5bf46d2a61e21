// runtime/checkpoint_file.h — the checkpoint file format (LANGUAGE.md 10):
// what a checkpoint holds, its binary encoding, the CRC32C that guards it,
// and the atomic write / read of DIR/checkpoint. No FlowContext here: the
// format is tested on its own (tests/unit/runtime_checkpoint_*_test.cpp).
//
// Layout, version 3 (integers are LEB128 varints, signed ones zigzagged,
// strings a varint length then the bytes):
//
//   "FLOWCKPT"              8 bytes, magic
//   version                 u32 little-endian (kCheckpointVersion)
//   body length             u64 little-endian: bytes from here to the CRC
//   fingerprint             u64 little-endian
//   flags                   varint: bit 0 = the run finished (every source ended)
//   plan text               string (FlowPipeline.plan_text)
//   next batch number       varint
//   watermark               signed varint (INT64_MIN: none yet)
//   counters                records_in rows_out batches bad late (varints)
//   sources                 count, then per source: name, kind, flags
//                           (bit 0 resumable, bit 1 table), bad count, position bytes
//   file sinks              count, then per sink: index, path, committed length
//   dead-letter files       count, then per file: path, committed length
//   state                   string: the pipeline's snapshot stream
//   CRC32C                  u32 little-endian, of every byte before it
#ifndef FLOWC_RUNTIME_CHECKPOINT_FILE_H
#define FLOWC_RUNTIME_CHECKPOINT_FILE_H

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace flowrt {

inline constexpr char kCheckpointMagic[8] = {'F', 'L', 'O', 'W', 'C', 'K', 'P', 'T'};
// Version 2 dropped v1's stream_rows counter (issue 15). Version 3 (issue
// 18): file positions carry a digest of the bytes before them, kafka
// positions are per topic-partition, folder positions exist, and the state
// stream keeps what an incremental run needs (the end of input, each
// source's own watermark, fired sessions). Older files are refused with a
// message naming both versions, never misread.
inline constexpr uint32_t kCheckpointVersion = 3;
inline constexpr const char* kCheckpointFileName = "checkpoint";
inline constexpr const char* kCheckpointTempName = "checkpoint.tmp";

// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8 tables.
// `crc` is the value of the data before (0 to start).
uint32_t crc32c(const void* data, size_t n, uint32_t crc = 0);

// Appends varints, zigzagged signed integers and length-prefixed strings.
class CkptOut {
 public:
  explicit CkptOut(std::string* out) : out_(out) {}
  void u64(uint64_t v);
  void i64(int64_t v);  // zigzag
  void str(std::string_view s);
  void fixed32(uint32_t v);
  void fixed64(uint64_t v);

 private:
  std::string* out_;
};

// Reads what CkptOut wrote; any read past the end or an overlong varint
// sets failed() and returns 0 / empty.
class CkptIn {
 public:
  explicit CkptIn(std::string_view in) : in_(in) {}
  uint64_t u64();
  int64_t i64();
  std::string_view str();
  uint32_t fixed32();
  uint64_t fixed64();
  bool failed() const { return failed_; }
  void fail() { failed_ = true; }
  bool at_end() const { return at_ == in_.size(); }
  size_t left() const { return in_.size() - at_; }

 private:
  std::string_view in_;
  size_t at_ = 0;
  bool failed_ = false;
};

struct CheckpointSource {
  std::string name;
  int32_t kind = 0;        // FlowSourceDesc.kind
  bool resumable = false;  // the position bytes mean something
  bool table = false;      // reloaded from the start on restart
  int64_t bad = 0;         // bad records counted for this source
  std::string position;    // the source's own encoding (Source::save_position)
};

struct CheckpointSink {
  int32_t index = 0;  // FlowPipeline.sinks[index]
  std::string path;
  int64_t length = 0;  // committed length in bytes
};

struct CheckpointDeadLetter {
  std::string path;
  int64_t length = 0;
};

struct CheckpointData {
  uint64_t fingerprint = 0;
  bool finished = false;
  std::string plan_text;
  int64_t next_batch = 0;
  int64_t watermark = std::numeric_limits<int64_t>::min();
  int64_t records_in = 0, rows_out = 0, batches = 0, bad = 0, late = 0;
  std::vector<CheckpointSource> sources;
  std::vector<CheckpointSink> sinks;
  std::vector<CheckpointDeadLetter> dead_letters;
  std::string state;
};

// The whole file: header, body, CRC.
std::string encode_checkpoint(const CheckpointData& data);

// The same file in three pieces, so that the (large) state is not copied:
// *head (header and body up to the state's bytes), data.state, *tail (the CRC).
void encode_checkpoint_parts(const CheckpointData& data, std::string* head, std::string* tail);

enum class DecodeStatus {
  kOk,
  kNotCheckpoint,  // no magic: not a flowc checkpoint at all
  kVersion,        // a format version this flowc does not read
  kTruncated,      // shorter than its header says
  kChecksum,       // CRC32C mismatch: bytes changed on disk
  kMalformed,      // CRC matched but the body does not parse (a bug)
};

// Decodes `bytes`; on failure *error says why (without the path).
DecodeStatus decode_checkpoint(std::string_view bytes, CheckpointData* out,
                               std::string* error);

// Why a checkpoint of `old_plan` cannot be resumed by `new_plan`: the first
// differing line of the two plan texts, old and new, e.g.
//   line 4 of the plan differs:
//     checkpoint: stage where value > 10
//     this run:   stage where value > 5
std::string describe_plan_change(std::string_view old_plan, std::string_view new_plan);

// Writes `bytes` to DIR/checkpoint atomically: DIR/checkpoint.tmp, fsync,
// rename, fsync of DIR (through dir_fd, an O_RDONLY descriptor of DIR, or
// -1 to open DIR here). Returns 0, or the errno of the failing step with
// *step naming it ("write", "fsync", "rename", ...).
int write_checkpoint_file(const std::string& dir, int dir_fd, std::string_view bytes,
                          const char** step);
// The same, for a file given in pieces (written in order).
int write_checkpoint_file(const std::string& dir, int dir_fd,
                          const std::vector<std::string_view>& pieces, const char** step);

// Reads DIR/checkpoint into *bytes. Returns 0, ENOENT when there is none,
// or another errno.
int read_checkpoint_file(const std::string& dir, std::string* bytes);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_CHECKPOINT_FILE_H
