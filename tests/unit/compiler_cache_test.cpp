// tests/unit/compiler_cache_test.cpp — JIT objects (what the compile cache
// stores) and the cache itself: keys, damaged entries, trimming.
#include <gtest/gtest.h>

#include <sched.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Transforms/Utils/ModuleUtils.h>

#include "engine/cache.h"
#include "engine/engine.h"
#include "flow_stdlib.h"

namespace {

namespace engine = flowc::engine;
namespace fs = std::filesystem;

struct TestModule {
  std::unique_ptr<llvm::LLVMContext> ctx = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> m = engine::load_stdlib(*ctx);
};

// i64 @probe(i64 %v) = flow_hash_i64(v) + k
void define_probe(llvm::Module& m, int64_t k) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(i64, {i64}, false),
                                    llvm::Function::ExternalLinkage, "probe", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::Value* h = b.CreateCall(m.getFunction("flow_hash_i64"), {fn->getArg(0)});
  b.CreateRet(b.CreateAdd(h, b.getInt64(k)));
}

// A global `value`, set by a static constructor to 42; a static destructor
// stores 7 at the address `dtor_target`; i64 @get() returns `value`.
void define_structors(llvm::Module& m, int64_t* dtor_target) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  auto* value = new llvm::GlobalVariable(
      m, b.getInt64Ty(), false, llvm::GlobalValue::InternalLinkage, b.getInt64(0), "value");
  auto void_fn = llvm::FunctionType::get(b.getVoidTy(), false);
  auto* ctor = llvm::Function::Create(void_fn, llvm::Function::InternalLinkage, "ctor", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", ctor));
  b.CreateStore(b.getInt64(42), value, /*isVolatile=*/true);
  b.CreateRetVoid();
  auto* dtor = llvm::Function::Create(void_fn, llvm::Function::InternalLinkage, "dtor", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", dtor));
  llvm::Value* target =
      b.CreateIntToPtr(b.getInt64(reinterpret_cast<intptr_t>(dtor_target)), b.getPtrTy());
  b.CreateStore(b.getInt64(7), target, /*isVolatile=*/true);
  b.CreateRetVoid();
  llvm::appendToGlobalCtors(m, ctor, 65535);
  llvm::appendToGlobalDtors(m, dtor, 65535);
  auto* get = llvm::Function::Create(llvm::FunctionType::get(b.getInt64Ty(), false),
                                     llvm::Function::ExternalLinkage, "get", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", get));
  b.CreateRet(b.CreateLoad(b.getInt64Ty(), value, /*isVolatile=*/true));
}

std::unique_ptr<llvm::MemoryBuffer> probe_object(int64_t k) {
  TestModule t;
  define_probe(*t.m, k);
  std::string error;
  EXPECT_TRUE(engine::optimize_module(*t.m, 2, {"probe"}, error)) << error;
  auto object = engine::emit_object(*t.m, engine::ObjectUse::Jit, error);
  EXPECT_NE(object, nullptr) << error;
  return object;
}

TEST(EngineObject, AJitObjectRunsLikeTheModule) {
  auto object = probe_object(5);
  ASSERT_NE(object, nullptr);
  std::string error;
  auto session = engine::JitSession::create(std::move(object), error);
  ASSERT_NE(session, nullptr) << error;
  auto probe = reinterpret_cast<int64_t (*)(int64_t)>(session->lookup("probe", error));
  ASSERT_NE(probe, nullptr) << error;
  EXPECT_EQ(probe(9), static_cast<int64_t>(flow_hash_i64(9)) + 5);
}

TEST(EngineObject, AJitObjectRunsItsStaticConstructorsAndDestructors) {
  static int64_t dtor_ran = 0;
  dtor_ran = 0;
  TestModule t;
  define_structors(*t.m, &dtor_ran);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, {"get"}, error)) << error;
  auto object = engine::emit_object(*t.m, engine::ObjectUse::Jit, error);
  ASSERT_NE(object, nullptr) << error;
  auto session = engine::JitSession::create(std::move(object), error);
  ASSERT_NE(session, nullptr) << error;
  auto get = reinterpret_cast<int64_t (*)()>(session->lookup("get", error));
  ASSERT_NE(get, nullptr) << error;
  EXPECT_EQ(get(), 42);
  EXPECT_EQ(dtor_ran, 0);
  session.reset();
  EXPECT_EQ(dtor_ran, 7);
}

// `count` functions f0..f{count-1}, each i64 (i64 x) computing a chain of
// 40 arithmetic steps, and i64 @sum(i64 x) = f0(x) + ... (all kept).
std::vector<std::string> define_many(llvm::Module& m, int count) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  auto* type = llvm::FunctionType::get(i64, {i64}, false);
  std::vector<std::string> names = {"sum"};
  std::vector<llvm::Function*> fs;
  for (int i = 0; i < count; ++i) {
    std::string name = "f";
    name += std::to_string(i);
    auto* f = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, m);
    b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", f));
    llvm::Value* v = f->getArg(0);
    for (int k = 0; k < 40; ++k)
      v = b.CreateXor(b.CreateMul(v, b.getInt64(2 * k + 3)), b.getInt64(i + k));
    b.CreateRet(v);
    fs.push_back(f);
    names.push_back(f->getName().str());
  }
  auto* sum = llvm::Function::Create(type, llvm::Function::ExternalLinkage, "sum", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", sum));
  llvm::Value* total = b.getInt64(0);
  for (llvm::Function* f : fs) total = b.CreateAdd(total, b.CreateCall(f, {sum->getArg(0)}));
  b.CreateRet(total);
  return names;
}

int64_t native_many(int count, int64_t x) {
  int64_t total = 0;
  for (int i = 0; i < count; ++i) {
    uint64_t v = static_cast<uint64_t>(x);
    for (int k = 0; k < 40; ++k)
      v = (v * static_cast<uint64_t>(2 * k + 3)) ^ static_cast<uint64_t>(i + k);
    total += static_cast<int64_t>(v);
  }
  return total;
}

// A module large enough for parallel code generation (when this process
// may use more than one CPU) comes out as an object set that runs the same.
TEST(EngineObject, ALargeModuleRunsTheSameFromPartitions) {
  constexpr int kFunctions = 60;  // 60 x 80 instructions: past the threshold
  TestModule t;
  std::vector<std::string> keep = define_many(*t.m, kFunctions);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, keep, error)) << error;
  auto object = engine::emit_object(*t.m, engine::ObjectUse::Jit, error);
  ASSERT_NE(object, nullptr) << error;
  auto parts = engine::split_object_set(*object, error);
  ASSERT_FALSE(parts.empty()) << error;
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1) {
    EXPECT_GT(parts.size(), 1u) << "expected several partitions";
  }
  auto session = engine::JitSession::create(std::move(object), error);
  ASSERT_NE(session, nullptr) << error;
  auto sum = reinterpret_cast<int64_t (*)(int64_t)>(session->lookup("sum", error));
  ASSERT_NE(sum, nullptr) << error;
  for (int64_t x : {0, 1, -5, 123456789}) EXPECT_EQ(sum(x), native_many(kFunctions, x)) << x;
}

// A module shaped like a pipeline for compile_jit_object: a constant
// descriptor `desc` = {add, get} (the only kept symbol) whose entries share
// an internal global `total` and an inlinable internal helper `mix`;
//   add(x): total += mix(x) + chain(x);   get(): chain(total) + mix(0)
// where chain is 500 arithmetic steps, so that the two entries weigh the
// same and the module is past the threshold for partitions.
constexpr int kChain = 500;

llvm::Value* emit_chain(llvm::IRBuilder<>& b, llvm::Value* v, int salt) {
  for (int k = 0; k < kChain; ++k)
    v = b.CreateXor(b.CreateMul(v, b.getInt64(2 * k + 3)), b.getInt64(salt + k));
  return v;
}

int64_t native_chain(int64_t x, int salt) {
  uint64_t v = static_cast<uint64_t>(x);
  for (int k = 0; k < kChain; ++k)
    v = (v * static_cast<uint64_t>(2 * k + 3)) ^ static_cast<uint64_t>(salt + k);
  return static_cast<int64_t>(v);
}

int64_t native_mix(int64_t x) { return x * 31 + 7; }

void define_two_entries(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  auto* total = new llvm::GlobalVariable(m, i64, false, llvm::GlobalValue::InternalLinkage,
                                         b.getInt64(0), "total");
  auto* mix = llvm::Function::Create(llvm::FunctionType::get(i64, {i64}, false),
                                     llvm::Function::InternalLinkage, "mix", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", mix));
  b.CreateRet(b.CreateAdd(b.CreateMul(mix->getArg(0), b.getInt64(31)), b.getInt64(7)));

  auto* add = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), {i64}, false),
                                     llvm::Function::InternalLinkage, "add", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", add));
  llvm::Value* x = add->getArg(0);
  llvm::Value* sum = b.CreateAdd(b.CreateCall(mix, {x}), emit_chain(b, x, 1));
  b.CreateStore(b.CreateAdd(b.CreateLoad(i64, total), sum), total);
  b.CreateRetVoid();

  auto* get = llvm::Function::Create(llvm::FunctionType::get(i64, false),
                                     llvm::Function::InternalLinkage, "get", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", get));
  llvm::Value* mixed = b.CreateCall(mix, {b.getInt64(0)});
  b.CreateRet(b.CreateAdd(emit_chain(b, b.CreateLoad(i64, total), 2), mixed));

  auto* desc_type = llvm::StructType::get(ctx, {b.getPtrTy(), b.getPtrTy()});
  new llvm::GlobalVariable(m, desc_type, true, llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantStruct::get(desc_type, {add, get}), "desc");
}

struct TwoEntries {
  void (*add)(int64_t);
  int64_t (*get)();
};

// compile_jit_object: the descriptor's entries in partitions of their own
// when this process may use several CPUs, and still one `total` (what add
// stores, get reads); the whole module on one thread under one CPU.
void expect_two_entries_work(bool one_cpu) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof saved, &saved), 0);
  const bool several = CPU_COUNT(&saved) > 1 && !one_cpu;
  if (one_cpu) {
    cpu_set_t first;
    CPU_ZERO(&first);
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &saved)) {
        CPU_SET(c, &first);
        break;
      }
    }
    ASSERT_EQ(sched_setaffinity(0, sizeof first, &first), 0);
  }
  TestModule t;
  define_two_entries(*t.m);
  std::string error;
  std::vector<std::string> partitions;
  auto object = engine::compile_jit_object(*t.m, 2, {"desc"}, error, &partitions);
  if (one_cpu) sched_setaffinity(0, sizeof saved, &saved);
  ASSERT_NE(object, nullptr) << error;
  if (several) {
    ASSERT_EQ(partitions.size(), 2u);
    auto has = [](const std::string& line, const char* name) {
      return (line + " ").find(std::string(" ") + name + " ") != std::string::npos;
    };
    const std::string both = partitions[0] + "\n" + partitions[1];
    EXPECT_TRUE(has(partitions[0], "add") != has(partitions[1], "add")) << both;
    EXPECT_TRUE(has(partitions[0], "get") != has(partitions[1], "get")) << both;
    EXPECT_TRUE(has(partitions[0], "add") != has(partitions[0], "get")) << both;
  } else {
    EXPECT_TRUE(partitions.empty()) << partitions[0];
  }
  EXPECT_EQ(engine::split_object_set(*object, error).size(), several ? 2u : 1u) << error;
  auto session = engine::JitSession::create(std::move(object), error);
  ASSERT_NE(session, nullptr) << error;
  auto* desc = static_cast<const TwoEntries*>(session->lookup("desc", error));
  ASSERT_NE(desc, nullptr) << error;
  int64_t total = 0;
  for (int64_t x : {5, -3, 1234567}) {
    desc->add(x);
    total += native_mix(x) + native_chain(x, 1);
  }
  EXPECT_EQ(desc->get(), native_chain(total, 2) + native_mix(0));
}

TEST(EngineObject, PartitionsShareOneCopyOfEachGlobal) { expect_two_entries_work(false); }
TEST(EngineObject, OneCpuCompilesTheModuleWhole) { expect_two_entries_work(true); }

TEST(EngineObject, ADamagedObjectSetIsRefused) {
  std::string set = std::string("FLOWCSET") + std::string(8, '\0');
  set[8] = 3;  // three objects, no sizes
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(set, "set");
  std::string error;
  EXPECT_TRUE(engine::split_object_set(*buffer, error).empty());
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(engine::JitSession::create(std::move(buffer), error), nullptr);
}

// ---- keys ----

engine::CacheKey key_of(int64_t k, int opt_level, engine::ObjectUse use = engine::ObjectUse::Jit) {
  TestModule t;
  define_probe(*t.m, k);
  return engine::cache_key(*t.m, {"test", opt_level, use});
}

TEST(CacheKey, SameModuleAndOptionsSameKey) { EXPECT_EQ(key_of(1, 2), key_of(1, 2)); }

TEST(CacheKey, ModuleContentOptLevelAndUseChangeTheKey) {
  EXPECT_NE(key_of(1, 2), key_of(2, 2));  // a folded constant
  EXPECT_NE(key_of(1, 2), key_of(1, 1));
  EXPECT_NE(key_of(1, 2), key_of(1, 2, engine::ObjectUse::Executable));
  TestModule t;
  define_probe(*t.m, 1);
  EXPECT_NE(engine::cache_key(*t.m, {"v1", 2, engine::ObjectUse::Jit}),
            engine::cache_key(*t.m, {"v2", 2, engine::ObjectUse::Jit}));
}

TEST(CacheKey, HexIsSixtyFourLowercaseDigits) {
  std::string hex = engine::to_hex(key_of(1, 2));
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
}

// ---- the directory ----

class CacheDir : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/flowc-cache-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string entry(const engine::CacheKey& key) { return dir_ + "/" + engine::to_hex(key) + ".o"; }
  static engine::CacheKey key(uint8_t n) {
    engine::CacheKey k{};
    k[0] = n;
    return k;
  }
  std::string dir_;
};

TEST_F(CacheDir, StoreThenLookupGivesTheSameBytes) {
  engine::ObjectCache cache(dir_);
  EXPECT_EQ(cache.lookup(key(1)), nullptr);
  ASSERT_TRUE(cache.store(key(1), "object bytes"));
  auto hit = cache.lookup(key(1));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->getBuffer(), "object bytes");
  EXPECT_EQ(cache.lookup(key(2)), nullptr);
}

TEST_F(CacheDir, StoreCreatesTheDirectory) {
  engine::ObjectCache cache(dir_ + "/a/b");
  ASSERT_TRUE(cache.store(key(1), "x"));
  EXPECT_NE(cache.lookup(key(1)), nullptr);
}

TEST_F(CacheDir, ATruncatedEntryIsAMissAndIsRemoved) {
  engine::ObjectCache cache(dir_);
  ASSERT_TRUE(cache.store(key(1), std::string(1000, 'x')));
  for (uintmax_t size : {uintmax_t{1064 - 1}, uintmax_t{64}, uintmax_t{10}, uintmax_t{0}}) {
    ASSERT_TRUE(cache.store(key(1), std::string(1000, 'x')));
    fs::resize_file(entry(key(1)), size);
    std::string why;
    EXPECT_EQ(cache.lookup(key(1), &why), nullptr) << size;
    EXPECT_NE(why.find("damaged"), std::string::npos) << why;
    EXPECT_FALSE(fs::exists(entry(key(1))));
  }
}

TEST_F(CacheDir, AGarbledObjectIsAMiss) {
  engine::ObjectCache cache(dir_);
  ASSERT_TRUE(cache.store(key(1), std::string(1000, 'x')));
  {
    std::fstream f(entry(key(1)), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(64 + 500);
    f.put('y');
  }
  std::string why;
  EXPECT_EQ(cache.lookup(key(1), &why), nullptr);
  EXPECT_NE(why.find("checksum"), std::string::npos) << why;
}

TEST_F(CacheDir, AGarbledHeaderIsAMiss) {
  engine::ObjectCache cache(dir_);
  for (int offset : {0, 8, 12, 16, 24, 56}) {
    ASSERT_TRUE(cache.store(key(1), "some object"));
    {
      std::fstream f(entry(key(1)), std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(offset);
      char c = static_cast<char>(f.get());
      f.seekp(offset);
      f.put(static_cast<char>(c ^ 0x5a));
    }
    EXPECT_EQ(cache.lookup(key(1)), nullptr) << offset;
  }
}

TEST_F(CacheDir, AnEntryRenamedToAnotherKeyIsAMiss) {
  engine::ObjectCache cache(dir_);
  ASSERT_TRUE(cache.store(key(1), "one"));
  fs::copy_file(entry(key(1)), entry(key(2)));
  std::string why;
  EXPECT_EQ(cache.lookup(key(2), &why), nullptr);
  EXPECT_NE(why.find("another key"), std::string::npos) << why;
  EXPECT_NE(cache.lookup(key(1)), nullptr);
}

TEST_F(CacheDir, TrimmingRemovesTheLeastRecentlyUsedEntries) {
  const std::string object(1000, 'o');  // 1064 bytes on disk
  engine::ObjectCache cache(dir_, 4000);  // room for three (and the 10% slack)
  auto age = [&](uint8_t k, int seconds_ago) {
    fs::last_write_time(entry(key(k)),
                        fs::file_time_type::clock::now() - std::chrono::seconds(seconds_ago));
  };
  ASSERT_TRUE(cache.store(key(1), object));
  ASSERT_TRUE(cache.store(key(2), object));
  ASSERT_TRUE(cache.store(key(3), object));
  age(1, 300);
  age(2, 200);
  age(3, 100);
  ASSERT_NE(cache.lookup(key(1)), nullptr);  // used now: the newest
  ASSERT_TRUE(cache.store(key(4), object));
  EXPECT_TRUE(fs::exists(entry(key(1))));
  EXPECT_FALSE(fs::exists(entry(key(2))));
  EXPECT_TRUE(fs::exists(entry(key(3))));
  EXPECT_TRUE(fs::exists(entry(key(4))));
}

TEST_F(CacheDir, TrimmingLeavesOtherFilesAndRemovesStaleTemporaries) {
  engine::ObjectCache cache(dir_, 100);
  std::ofstream(dir_ + "/notes.txt") << std::string(500, 'n');
  std::ofstream(dir_ + "/.tmp-1-2-stale") << "x";
  std::ofstream(dir_ + "/.tmp-1-3-fresh") << "x";
  fs::last_write_time(dir_ + "/.tmp-1-2-stale",
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(cache.store(key(1), "small"));
  EXPECT_TRUE(fs::exists(dir_ + "/notes.txt"));
  EXPECT_FALSE(fs::exists(dir_ + "/.tmp-1-2-stale"));
  EXPECT_TRUE(fs::exists(dir_ + "/.tmp-1-3-fresh"));
}

TEST_F(CacheDir, ConcurrentWritersOfOneKeyLeaveAWholeEntry) {
  const std::string object(200'000, 'z');
  std::vector<std::thread> writers;
  for (int i = 0; i < 8; ++i) {
    writers.emplace_back([&] {
      engine::ObjectCache cache(dir_);
      for (int j = 0; j < 20; ++j) {
        EXPECT_TRUE(cache.store(key(1), object));
        auto hit = cache.lookup(key(1));
        if (hit != nullptr) {
          EXPECT_EQ(hit->getBuffer(), object);
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  engine::ObjectCache cache(dir_);
  auto hit = cache.lookup(key(1));
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->getBuffer(), object);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos) << e.path();
}

TEST(CacheDirDefault, XdgCacheHomeThenHome) {
  const char* old_xdg = std::getenv("XDG_CACHE_HOME");
  const char* old_home = std::getenv("HOME");
  std::string saved_xdg = old_xdg ? old_xdg : "", saved_home = old_home ? old_home : "";
  ::setenv("XDG_CACHE_HOME", "/x/cache", 1);
  ::setenv("HOME", "/h", 1);
  EXPECT_EQ(engine::ObjectCache::default_dir(), "/x/cache/flowc");
  ::setenv("XDG_CACHE_HOME", "relative", 1);  // not absolute: ignored (XDG)
  EXPECT_EQ(engine::ObjectCache::default_dir(), "/h/.cache/flowc");
  ::unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(engine::ObjectCache::default_dir(), "/h/.cache/flowc");
  ::unsetenv("HOME");
  EXPECT_EQ(engine::ObjectCache::default_dir(), "");
  if (old_xdg) ::setenv("XDG_CACHE_HOME", saved_xdg.c_str(), 1);
  if (old_home) ::setenv("HOME", saved_home.c_str(), 1);
}

}  // namespace
