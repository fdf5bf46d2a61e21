// compiler/engine/cache.cpp — the compile cache (cache.h).
#include "engine/cache.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/BLAKE3.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>

#include "engine/target.h"

namespace flowc::engine {

namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'F', 'L', 'O', 'W', 'C', 'O', 'B', 'J'};
// Bump when the header or what the key covers changes.
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 64;
// A temporary file older than this was left by a writer that died.
constexpr auto kStaleTemporary = std::chrono::hours(1);
// Trimming goes below the bound by this fraction, so that the next few
// stores do not each scan the directory and remove one entry.
constexpr uint64_t kTrimSlackPercent = 10;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  uint64_t object_size;
  CacheKey key;
  uint64_t checksum;
};
static_assert(sizeof(Header) == kHeaderSize, "the on-disk header is 64 bytes");

std::string errno_text(int e) { return std::strerror(e); }

// Reads all of `fd`; false on a read error.
bool read_all(int fd, char* out, size_t n) {
  while (n > 0) {
    ssize_t got = ::read(fd, out, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t put = ::write(fd, p, n);
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    p += put;
    n -= static_cast<size_t>(put);
  }
  return true;
}

bool is_entry_name(const std::string& name) {
  return name.size() == 66 && name.compare(64, 2, ".o") == 0 &&
         std::all_of(name.begin(), name.begin() + 64,
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_temporary_name(const std::string& name) { return name.rfind(".tmp-", 0) == 0; }

}  // namespace

CacheKey cache_key(const llvm::Module& m, const CacheKeyInputs& inputs) {
  llvm::BLAKE3 hasher;
  auto field = [&](llvm::StringRef text) {
    hasher.update(text);
    hasher.update(llvm::StringRef("\0", 1));  // no two field lists hash alike
  };
  const HostCpu& host = host_cpu();
  field("flowc object cache");
  field(std::to_string(kFormatVersion));
  field(inputs.flowc_version);
  field(LLVM_VERSION_STRING);
  field(host.name);
  field(host.features);
  field(std::to_string(inputs.opt_level));
  field(inputs.use == ObjectUse::Jit ? "jit" : "executable");
  llvm::SmallVector<char, 0> bitcode;
  llvm::raw_svector_ostream out(bitcode);
  llvm::WriteBitcodeToFile(m, out);
  hasher.update(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(bitcode.data()), bitcode.size()));
  return hasher.final();
}

std::string to_hex(const CacheKey& key) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : key) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::string ObjectCache::default_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && xdg[0] == '/') return std::string(xdg) + "/flowc";
  const char* home = std::getenv("HOME");
  if (home != nullptr && home[0] != '\0') return std::string(home) + "/.cache/flowc";
  return "";
}

std::string ObjectCache::entry_path(const CacheKey& key) const {
  return dir_ + "/" + to_hex(key) + ".o";
}

std::unique_ptr<llvm::MemoryBuffer> ObjectCache::lookup(const CacheKey& key, std::string* why) {
  auto miss = [&](std::string reason) -> std::unique_ptr<llvm::MemoryBuffer> {
    if (why != nullptr) *why = std::move(reason);
    return nullptr;
  };
  if (dir_.empty()) return miss("no cache directory");
  const std::string path = entry_path(key);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return miss(errno == ENOENT ? "not cached" : "cannot open: " + errno_text(errno));
  struct stat st{};
  Header h{};
  std::unique_ptr<llvm::WritableMemoryBuffer> object;
  std::string damage;
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderSize) ||
      !read_all(fd, reinterpret_cast<char*>(&h), kHeaderSize)) {
    damage = "shorter than its header";
  } else if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.version != kFormatVersion ||
             h.header_size != kHeaderSize) {
    damage = "not a flowc cache entry of this version";
  } else if (h.key != key) {
    damage = "holds another key";
  } else if (static_cast<uint64_t>(st.st_size) != kHeaderSize + h.object_size) {
    damage = "truncated or extended";
  } else {
    object = llvm::WritableMemoryBuffer::getNewUninitMemBuffer(h.object_size, path);
    if (!object || !read_all(fd, object->getBufferStart(), h.object_size)) {
      damage = "unreadable";
    } else if (llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(
                   reinterpret_cast<const uint8_t*>(object->getBufferStart()), h.object_size)) !=
               h.checksum) {
      damage = "checksum mismatch";
    }
  }
  if (damage.empty()) ::futimens(fd, nullptr);  // "used now", for trimming
  ::close(fd);
  if (!damage.empty()) {
    // Recompiled and replaced by this run's store; removing it now keeps a
    // damaged entry from being read again if that store fails.
    ::unlink(path.c_str());
    return miss("damaged entry (" + damage + ")");
  }
  return object;
}

bool ObjectCache::store(const CacheKey& key, llvm::StringRef object, std::string* why) {
  auto fail = [&](std::string reason) {
    if (why != nullptr) *why = std::move(reason);
    return false;
  };
  if (dir_.empty()) return fail("no cache directory");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) return fail("cannot create '" + dir_ + "': " + ec.message());

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kFormatVersion;
  h.header_size = kHeaderSize;
  h.object_size = object.size();
  h.key = key;
  h.checksum = llvm::xxh3_64bits(
      llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(object.data()), object.size()));

  // A name no other writer picks: pid and a random suffix.
  std::random_device random;
  std::string temporary = dir_ + "/.tmp-" + std::to_string(::getpid()) + "-" +
                          std::to_string(random()) + "-" + to_hex(key).substr(0, 16);
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail("cannot create '" + temporary + "': " + errno_text(errno));
  bool written = write_all(fd, reinterpret_cast<const char*>(&h), kHeaderSize) &&
                 write_all(fd, object.data(), object.size());
  int write_errno = errno;
  if (::close(fd) != 0 && written) {
    written = false;
    write_errno = errno;
  }
  if (!written || ::rename(temporary.c_str(), entry_path(key).c_str()) != 0) {
    int e = written ? errno : write_errno;
    ::unlink(temporary.c_str());
    return fail("cannot write '" + entry_path(key) + "': " + errno_text(e));
  }
  trim();
  return true;
}

// Least recently used first (a hit refreshes the modification time), until
// the entries fit the bound with some slack; temporary files of writers
// that died go too. Another process may be trimming at the same time: a
// file already gone is fine.
void ObjectCache::trim() {
  struct Entry {
    fs::path path;
    uint64_t size;
    fs::file_time_type used;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  const auto now = fs::file_time_type::clock::now();
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code entry_ec;
    auto used = it->last_write_time(entry_ec);
    if (entry_ec) continue;
    if (is_temporary_name(name)) {
      if (now - used > kStaleTemporary) fs::remove(it->path(), entry_ec);
      continue;
    }
    if (!is_entry_name(name)) continue;  // not ours: leave it
    uint64_t size = it->file_size(entry_ec);
    if (entry_ec) continue;
    entries.push_back({it->path(), size, used});
    total += size;
  }
  if (total <= max_bytes_) return;
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.used < b.used; });
  const uint64_t goal = max_bytes_ - max_bytes_ / 100 * kTrimSlackPercent;
  for (const Entry& e : entries) {
    if (total <= goal) break;
    std::error_code remove_ec;
    fs::remove(e.path, remove_ec);
    total -= e.size;
  }
}

}  // namespace flowc::engine
