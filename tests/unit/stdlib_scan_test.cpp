// Tests for the structure-finding kernels (stdlib/scan_*.cpp): every CPU
// level this machine has (SWAR always; SSE2, AVX2, AVX-512 where present)
// flags exactly the bytes a plain loop flags, for every class, length and
// alignment, never reads past a page that ends the input, and the level
// dispatcher can be forced down to the scalar path.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "flow_stdlib.h"

namespace {

using Kernel = int64_t (*)(const char*, int64_t, int32_t, int32_t, uint64_t*, int64_t);

struct Level {
  const char* name;
  int32_t level;
  Kernel kernel;
};

// The levels this CPU can run.
std::vector<Level> levels() {
  std::vector<Level> out = {{"swar", FLOW_SIMD_SWAR, flow_scan_index_swar}};
  int32_t cpu = flow_simd_cpu_level();
  if (cpu >= FLOW_SIMD_SSE2) out.push_back({"sse2", FLOW_SIMD_SSE2, flow_scan_index_sse2});
  if (cpu >= FLOW_SIMD_AVX2) out.push_back({"avx2", FLOW_SIMD_AVX2, flow_scan_index_avx2});
  if (cpu >= FLOW_SIMD_AVX512) out.push_back({"avx512", FLOW_SIMD_AVX512, flow_scan_index_avx512});
  return out;
}

// The class's bytes, by a plain loop (the definition the kernels follow).
bool flagged(unsigned char c, int32_t cls, int32_t arg) {
  switch (cls) {
    case FLOW_SCAN_JSON: return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
    case FLOW_SCAN_CSV: return c == static_cast<unsigned char>(arg) || c == '"';
    case FLOW_SCAN_SPACE: return c == ' ' || (c >= 9 && c <= 13);
    default: return c == static_cast<unsigned char>(arg);
  }
}

// What the kernels must write: the flags of [p, p + min(n, 64 words)) and,
// in a last partial word, every bit at or past n set.
std::vector<uint64_t> reference(const char* p, int64_t n, int32_t cls, int32_t arg, int64_t words) {
  int64_t covered = std::min(n, 64 * words);
  std::vector<uint64_t> out(static_cast<size_t>((covered + 63) / 64), 0);
  for (int64_t i = 0; i < static_cast<int64_t>(out.size()) * 64; ++i) {
    bool bit = i >= n || flagged(static_cast<unsigned char>(p[i]), cls, arg);
    if (i >= covered && i < n) bit = false;  // a full last word: nothing past it
    if (bit) out[static_cast<size_t>(i / 64)] |= uint64_t{1} << (i % 64);
  }
  return out;
}

struct Case {
  int32_t cls;
  int32_t arg;
};
const Case kCases[] = {{FLOW_SCAN_JSON, 0},  {FLOW_SCAN_CSV, ','},  {FLOW_SCAN_CSV, '\t'},
                       {FLOW_SCAN_CSV, '"'}, {FLOW_SCAN_SPACE, 0},  {FLOW_SCAN_BYTE, '\n'},
                       {FLOW_SCAN_BYTE, 0},  {FLOW_SCAN_BYTE, 0xff}};

// Random bytes drawn mostly from the interesting ones.
std::string random_text(std::mt19937& rng, size_t n) {
  static const char kBytes[] =
      "\"\\,\t\n\r \x0b\x0c\x1f\x7f\x80\xff\xc3\xa9"
      "aZ09{}:";
  std::string s(n, 'x');
  for (char& c : s) {
    uint32_t r = rng();
    c = r % 3 == 0 ? static_cast<char>(r >> 8) : kBytes[(r >> 8) % (sizeof kBytes - 1)];
  }
  return s;
}

}  // namespace

TEST(StdlibScan, EveryLevelFlagsWhatAPlainLoopFlags) {
  std::mt19937 rng(14);
  for (const Level& level : levels()) {
    for (const Case& c : kCases) {
      for (int64_t n = 0; n <= 300; ++n) {
        for (int64_t offset : {0, 1, 7, 33}) {
          std::string buf = random_text(rng, static_cast<size_t>(n + offset + 64));
          const char* p = buf.data() + offset;
          for (int64_t words : {1, 3, 8}) {
            std::vector<uint64_t> want = reference(p, n, c.cls, c.arg, words);
            std::vector<uint64_t> got(static_cast<size_t>(words) + 1, 0xdeadbeef);
            int64_t k = level.kernel(p, n, c.cls, c.arg, got.data(), words);
            ASSERT_EQ(k, static_cast<int64_t>(want.size())) << level.name << " n=" << n;
            got.resize(static_cast<size_t>(k));
            ASSERT_EQ(got, want) << level.name << " class " << c.cls << " n=" << n
                                 << " offset=" << offset << " words=" << words;
          }
        }
      }
    }
  }
}

// Input that ends right before an unmapped page: a kernel that loaded past
// the end across the page boundary would fault.
TEST(StdlibScan, NoLevelReadsAcrossThePageThatEndsTheInput) {
  const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  char* region = static_cast<char*>(
      mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(region, MAP_FAILED);
  ASSERT_EQ(mprotect(region + page, page, PROT_NONE), 0);
  std::mt19937 rng(7);
  std::string text = random_text(rng, page);
  memcpy(region, text.data(), page);
  for (const Level& level : levels()) {
    for (const Case& c : kCases) {
      for (int64_t n = 0; n <= 200; ++n) {
        const char* p = region + page - n;  // the input's last byte is the page's last
        uint64_t got[8];
        int64_t k = level.kernel(p, n, c.cls, c.arg, got, 8);
        std::vector<uint64_t> want = reference(p, n, c.cls, c.arg, 8);
        ASSERT_EQ(std::vector<uint64_t>(got, got + k), want) << level.name << " n=" << n;
      }
    }
  }
  munmap(region, 2 * page);
}

TEST(StdlibScan, DispatcherFollowsTheForcedLevel) {
  std::string text = "{\"a\":\"x\\\"y\",\"b\":1}\n,,\t \xc3\xa9";
  for (const Level& level : levels()) {
    flow_simd_set_level(level.level);
    EXPECT_EQ(flow_simd_level(), level.level);
    for (const Case& c : kCases) {
      uint64_t got[2];
      int64_t k =
          flow_scan_index(text.data(), static_cast<int64_t>(text.size()), c.cls, c.arg, got, 2);
      EXPECT_EQ(std::vector<uint64_t>(got, got + k),
                reference(text.data(), static_cast<int64_t>(text.size()), c.cls, c.arg, 2));
    }
  }
  // A level above the CPU's is capped at the CPU's.
  flow_simd_set_level(FLOW_SIMD_AVX512 + 1);
  EXPECT_EQ(flow_simd_level(), flow_simd_cpu_level());
  flow_simd_set_level(flow_simd_detect());
}

TEST(StdlibScan, EnvironmentCapsTheLevel) {
  setenv("FLOWC_SIMD", "swar", 1);
  EXPECT_EQ(flow_simd_detect(), FLOW_SIMD_SWAR);
  setenv("FLOWC_SIMD", "sse2", 1);
  EXPECT_EQ(flow_simd_detect(), std::min<int32_t>(FLOW_SIMD_SSE2, flow_simd_cpu_level()));
  unsetenv("FLOWC_SIMD");
  EXPECT_EQ(flow_simd_detect(), flow_simd_cpu_level());
}
