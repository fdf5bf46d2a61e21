// compiler/engine/cache.h — the compile cache of `flowc run` and `flowc
// build`: objects keyed by what decides their bytes, so that a pipeline
// compiled once starts without LLVM's optimizer and backend.
//
// The key is a BLAKE3 hash of the module as it enters the optimizer (its
// bitcode: generated code, the stdlib, folded params, C++ functions linked
// into it — everything that reaches the machine code) together with
// flowc's and LLVM's versions, the host CPU and its features, the -O level
// and the object's use (JIT or executable).
//
// On disk: DIR/<64 hex digits of the key>.o, each a 64-byte header
//
//   "FLOWCOBJ"  u32 format version  u32 header size  u64 object size
//   the key (32 bytes)               u64 xxh3 of the object
//
// then the object. Writers write a temporary file in DIR and rename it
// over the entry, so a reader sees a whole entry or none; concurrent runs
// writing the same entry write the same bytes. An entry whose header,
// size or checksum is wrong (a crash mid-write on a filesystem without
// ordered renames, a disk error, a stray edit) is a miss: it is recompiled
// and replaced, never loaded. A hit refreshes the entry's modification
// time; a store that takes DIR past its size bound removes the entries
// used longest ago.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <llvm/ADT/StringRef.h>

#include "engine/engine.h"

namespace llvm {
class MemoryBuffer;
class Module;
}  // namespace llvm

namespace flowc::engine {

// The cache directory's size bound: a few hundred pipelines' objects
// (100-500 KB each), small next to what a desktop keeps in ~/.cache.
inline constexpr uint64_t kCacheMaxBytes = uint64_t{256} << 20;

using CacheKey = std::array<uint8_t, 32>;

// What, besides the module, decides an object's bytes.
struct CacheKeyInputs {
  std::string flowc_version;
  int opt_level = 2;
  ObjectUse use = ObjectUse::Jit;
};

// Call before optimize_module (which changes `m`).
CacheKey cache_key(const llvm::Module& m, const CacheKeyInputs& inputs);
std::string to_hex(const CacheKey& key);

class ObjectCache {
 public:
  // $XDG_CACHE_HOME/flowc when XDG_CACHE_HOME is an absolute path (the XDG
  // base directory rule), else $HOME/.cache/flowc; "" when neither is set.
  static std::string default_dir();

  explicit ObjectCache(std::string dir, uint64_t max_bytes = kCacheMaxBytes)
      : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  // The object stored under `key`, or null: missing, unreadable or damaged
  // (`why` then says which, for FLOWC_COMPILE_TRACE).
  std::unique_ptr<llvm::MemoryBuffer> lookup(const CacheKey& key, std::string* why = nullptr);

  // Stores `object` under `key` (creating the directory), then trims the
  // directory to its bound. Best effort: false, with the reason in `why`,
  // when it could not; the run goes on without the cache.
  bool store(const CacheKey& key, llvm::StringRef object, std::string* why = nullptr);

  const std::string& dir() const { return dir_; }

 private:
  std::string entry_path(const CacheKey& key) const;
  void trim();

  std::string dir_;
  uint64_t max_bytes_;
};

}  // namespace flowc::engine
