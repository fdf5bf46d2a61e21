// runtime/checkpoint_file.cpp — the checkpoint file format; see
// checkpoint_file.h for the layout.
#include "checkpoint_file.h"

#include <array>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io_util.h"

namespace flowrt {
namespace {

// ---- CRC32C, slicing-by-8 ----

using CrcTables = std::array<std::array<uint32_t, 256>, 8>;

constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr CrcTables kCrc = make_crc_tables();

uint32_t load_le32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

uint64_t load_le64(const unsigned char* p) {
  return static_cast<uint64_t>(load_le32(p)) | static_cast<uint64_t>(load_le32(p + 4)) << 32;
}

constexpr size_t kHeaderBytes = 8 + 4 + 8;  // magic, version, body length
constexpr size_t kCrcBytes = 4;

}  // namespace

uint32_t crc32c(const void* data, size_t n, uint32_t crc) {
  const auto* p = static_cast<const unsigned char*>(data);
  crc = ~crc;
  while (n >= 8) {
    uint32_t lo = load_le32(p) ^ crc;
    uint32_t hi = load_le32(p + 4);
    crc = kCrc[7][lo & 0xFF] ^ kCrc[6][(lo >> 8) & 0xFF] ^ kCrc[5][(lo >> 16) & 0xFF] ^
          kCrc[4][lo >> 24] ^ kCrc[3][hi & 0xFF] ^ kCrc[2][(hi >> 8) & 0xFF] ^
          kCrc[1][(hi >> 16) & 0xFF] ^ kCrc[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = (crc >> 8) ^ kCrc[0][(crc ^ *p++) & 0xFF];
  return ~crc;
}

// ---- CkptOut / CkptIn ----

void CkptOut::u64(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void CkptOut::i64(int64_t v) {
  u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

void CkptOut::str(std::string_view s) {
  u64(s.size());
  out_->append(s.data(), s.size());
}

void CkptOut::fixed32(uint32_t v) {
  for (int i = 0; i < 4; ++i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void CkptOut::fixed64(uint64_t v) {
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t CkptIn::u64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (failed_ || at_ >= in_.size()) break;
    auto b = static_cast<unsigned char>(in_[at_++]);
    if (shift == 63 && b > 1) break;  // more than 64 bits
    v |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return v;
  }
  failed_ = true;
  return 0;
}

int64_t CkptIn::i64() {
  uint64_t u = u64();
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

std::string_view CkptIn::str() {
  uint64_t n = u64();
  if (failed_ || n > in_.size() - at_) {
    failed_ = true;
    return {};
  }
  std::string_view s = in_.substr(at_, static_cast<size_t>(n));
  at_ += static_cast<size_t>(n);
  return s;
}

uint32_t CkptIn::fixed32() {
  if (failed_ || in_.size() - at_ < 4) {
    failed_ = true;
    return 0;
  }
  uint32_t v = load_le32(reinterpret_cast<const unsigned char*>(in_.data() + at_));
  at_ += 4;
  return v;
}

uint64_t CkptIn::fixed64() {
  if (failed_ || in_.size() - at_ < 8) {
    failed_ = true;
    return 0;
  }
  uint64_t v = load_le64(reinterpret_cast<const unsigned char*>(in_.data() + at_));
  at_ += 8;
  return v;
}

// ---- encode / decode ----

void encode_checkpoint_parts(const CheckpointData& d, std::string* head, std::string* tail) {
  head->clear();
  head->append(kCheckpointMagic, sizeof kCheckpointMagic);
  CkptOut b(head);
  b.fixed32(kCheckpointVersion);
  b.fixed64(0);  // the body length, patched below
  b.fixed64(d.fingerprint);
  b.u64(d.finished ? 1 : 0);
  b.str(d.plan_text);
  b.u64(static_cast<uint64_t>(d.next_batch));
  b.i64(d.watermark);
  for (int64_t c : {d.records_in, d.rows_out, d.batches, d.bad, d.late}) {
    b.u64(static_cast<uint64_t>(c));
  }
  b.u64(d.sources.size());
  for (const CheckpointSource& s : d.sources) {
    b.str(s.name);
    b.i64(s.kind);
    b.u64((s.resumable ? 1u : 0u) | (s.table ? 2u : 0u));
    b.u64(static_cast<uint64_t>(s.bad));
    b.str(s.position);
  }
  b.u64(d.sinks.size());
  for (const CheckpointSink& s : d.sinks) {
    b.u64(static_cast<uint64_t>(s.index));
    b.str(s.path);
    b.u64(static_cast<uint64_t>(s.length));
  }
  b.u64(d.dead_letters.size());
  for (const CheckpointDeadLetter& s : d.dead_letters) {
    b.str(s.path);
    b.u64(static_cast<uint64_t>(s.length));
  }
  b.u64(d.state.size());  // then the state's bytes (not copied here)
  uint64_t body_len = head->size() - kHeaderBytes + d.state.size();
  std::string len;
  CkptOut(&len).fixed64(body_len);
  head->replace(sizeof kCheckpointMagic + 4, 8, len);
  uint32_t crc = crc32c(head->data(), head->size());
  crc = crc32c(d.state.data(), d.state.size(), crc);
  tail->clear();
  CkptOut(tail).fixed32(crc);
}

std::string encode_checkpoint(const CheckpointData& d) {
  std::string head, tail;
  encode_checkpoint_parts(d, &head, &tail);
  return head + d.state + tail;
}

DecodeStatus decode_checkpoint(std::string_view bytes, CheckpointData* out,
                               std::string* error) {
  size_t magic_len = std::min(bytes.size(), sizeof kCheckpointMagic);
  if (std::memcmp(bytes.data(), kCheckpointMagic, magic_len) != 0) {
    *error = "it is not a flowc checkpoint (no FLOWCKPT magic)";
    return DecodeStatus::kNotCheckpoint;
  }
  if (bytes.size() < kHeaderBytes + kCrcBytes) {
    *error = "it is truncated (" + int_text(static_cast<int64_t>(bytes.size())) +
             " bytes, shorter than a checkpoint header)";
    return DecodeStatus::kTruncated;
  }
  CkptIn header(bytes.substr(sizeof kCheckpointMagic, 12));
  uint32_t version = header.fixed32();
  uint64_t body_len = header.fixed64();
  uint64_t want = kHeaderBytes + kCrcBytes;
  if (body_len > bytes.size() || bytes.size() != want + body_len) {
    if (body_len <= bytes.size() && bytes.size() < want + body_len) {
      *error = "it is truncated (" + int_text(static_cast<int64_t>(bytes.size())) +
               " bytes, its header says " + int_text(static_cast<int64_t>(want + body_len)) + ")";
    } else if (body_len > bytes.size()) {
      *error = "it is truncated or damaged (" + int_text(static_cast<int64_t>(bytes.size())) +
               " bytes, its header says more than that)";
    } else {
      *error = "it is damaged (" + int_text(static_cast<int64_t>(bytes.size())) +
               " bytes, its header says " + int_text(static_cast<int64_t>(want + body_len)) + ")";
    }
    return DecodeStatus::kTruncated;
  }
  size_t crc_at = bytes.size() - kCrcBytes;
  uint32_t stored = load_le32(reinterpret_cast<const unsigned char*>(bytes.data() + crc_at));
  uint32_t actual = crc32c(bytes.data(), crc_at);
  if (stored != actual) {
    *error = "its checksum does not match (the file was damaged or cut short)";
    return DecodeStatus::kChecksum;
  }
  if (version != kCheckpointVersion) {
    *error = "it has format version " + int_text(version) + "; this flowc reads version " +
             int_text(kCheckpointVersion);
    return DecodeStatus::kVersion;
  }

  CkptIn b(bytes.substr(kHeaderBytes, static_cast<size_t>(body_len)));
  CheckpointData d;
  d.fingerprint = b.fixed64();
  uint64_t flags = b.u64();
  d.finished = (flags & 1) != 0;
  d.plan_text = std::string(b.str());
  d.next_batch = static_cast<int64_t>(b.u64());
  d.watermark = b.i64();
  for (int64_t* c : {&d.records_in, &d.rows_out, &d.batches, &d.bad, &d.late}) {
    *c = static_cast<int64_t>(b.u64());
  }
  // Counts are bounded by what is left, so a bad count cannot allocate much.
  uint64_t n = b.u64();
  if (n > b.left()) b.fail();
  for (uint64_t i = 0; i < n && !b.failed(); ++i) {
    CheckpointSource s;
    s.name = std::string(b.str());
    s.kind = static_cast<int32_t>(b.i64());
    uint64_t sf = b.u64();
    s.resumable = (sf & 1) != 0;
    s.table = (sf & 2) != 0;
    s.bad = static_cast<int64_t>(b.u64());
    s.position = std::string(b.str());
    d.sources.push_back(std::move(s));
  }
  n = b.u64();
  if (n > b.left()) b.fail();
  for (uint64_t i = 0; i < n && !b.failed(); ++i) {
    CheckpointSink s;
    s.index = static_cast<int32_t>(b.u64());
    s.path = std::string(b.str());
    s.length = static_cast<int64_t>(b.u64());
    d.sinks.push_back(std::move(s));
  }
  n = b.u64();
  if (n > b.left()) b.fail();
  for (uint64_t i = 0; i < n && !b.failed(); ++i) {
    CheckpointDeadLetter s;
    s.path = std::string(b.str());
    s.length = static_cast<int64_t>(b.u64());
    d.dead_letters.push_back(std::move(s));
  }
  d.state = std::string(b.str());
  if (b.failed() || !b.at_end()) {
    *error = "its contents do not parse (format version " + int_text(version) + ")";
    return DecodeStatus::kMalformed;
  }
  *out = std::move(d);
  return DecodeStatus::kOk;
}

std::string describe_plan_change(std::string_view old_plan, std::string_view new_plan) {
  auto next_line = [](std::string_view* text, bool* done) {
    if (text->empty()) {
      *done = true;
      return std::string_view();
    }
    size_t nl = text->find('\n');
    std::string_view line = text->substr(0, nl);
    text->remove_prefix(nl == std::string_view::npos ? text->size() : nl + 1);
    return line;
  };
  std::string_view a = old_plan, b = new_plan;
  for (int64_t line = 1;; ++line) {
    bool a_done = false, b_done = false;
    std::string_view la = next_line(&a, &a_done);
    std::string_view lb = next_line(&b, &b_done);
    if (a_done && b_done) return "the plans read the same but their fingerprints differ";
    if (!a_done && !b_done && la == lb) continue;
    std::string s = "line " + int_text(line) + " of the plan differs:\n";
    s += "    checkpoint: ";
    s += a_done ? std::string_view("(nothing: the plan ended)") : la;
    s += "\n    this run:   ";
    s += b_done ? std::string_view("(nothing: the plan ended)") : lb;
    return s;
  }
}

// ---- files ----

int write_checkpoint_file(const std::string& dir, int dir_fd, std::string_view bytes,
                          const char** step) {
  return write_checkpoint_file(dir, dir_fd, std::vector<std::string_view>{bytes}, step);
}

int write_checkpoint_file(const std::string& dir, int dir_fd,
                          const std::vector<std::string_view>& pieces, const char** step) {
  std::string tmp = dir + "/" + kCheckpointTempName;
  std::string final_path = dir + "/" + kCheckpointFileName;
  *step = "create";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  *step = "write";
  int err = 0;
  for (std::string_view piece : pieces) {
    if (err == 0) err = write_all(fd, piece);
  }
  if (err == 0) {
    *step = "fsync";
    if (::fdatasync(fd) != 0) err = errno;
  }
  if (::close(fd) != 0 && err == 0) {
    *step = "close";
    err = errno;
  }
  if (err != 0) return err;
  *step = "rename";
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return errno;
  *step = "fsync the directory of";
  int dfd = dir_fd >= 0 ? dir_fd : ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return errno;
  if (::fsync(dfd) != 0) err = errno;
  if (dir_fd < 0) ::close(dfd);
  return err;
}

int read_checkpoint_file(const std::string& dir, std::string* bytes) {
  std::string path = dir + "/" + kCheckpointFileName;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  bytes->clear();
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) bytes->reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      bytes->append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    int err = n < 0 ? errno : 0;
    ::close(fd);
    return err;
  }
}

}  // namespace flowrt
