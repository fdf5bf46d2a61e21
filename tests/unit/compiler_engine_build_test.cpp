// tests/unit/compiler_engine_build_test.cpp — built executables, and a
// hand-built FlowPipeline run by the real runtime both under the JIT and
// as an executable.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>

#include "abi.h"
#include "abi_symbols.h"
#include "engine/engine.h"
#include "engine/spawn.h"
#include "flow_stdlib.h"

namespace {

namespace engine = flowc::engine;

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "flowc_engine_XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct TestModule {
  std::unique_ptr<llvm::LLVMContext> ctx = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> m = engine::load_stdlib(*ctx);
};

llvm::Constant* c_string(llvm::Module& m, const std::string& text) {
  llvm::Constant* bytes = llvm::ConstantDataArray::getString(m.getContext(), text);
  return new llvm::GlobalVariable(m, bytes->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  bytes, "str");
}

// i32 @main(i32 %argc, ptr %argv):
//   re = flow_regex_compile("a+b", 3)          // pulls RE2 into the link
//   return flow_regex_match(re, "xaab", 4) * 100 + flow_hash_i64(42) % 100
void define_regex_main(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = b.getPtrTy();
  auto* main_fn = llvm::Function::Create(llvm::FunctionType::get(i32, {i32, ptr}, false),
                                         llvm::Function::ExternalLinkage, "main", m);
  llvm::FunctionCallee compile =
      m.getOrInsertFunction("flow_regex_compile", llvm::FunctionType::get(ptr, {ptr, i64}, false));
  llvm::FunctionCallee match = m.getOrInsertFunction(
      "flow_regex_match", llvm::FunctionType::get(i32, {ptr, ptr, i64}, false));
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", main_fn));
  llvm::Value* re = b.CreateCall(compile, {c_string(m, "a+b"), b.getInt64(3)});
  llvm::Value* matched = b.CreateCall(match, {re, c_string(m, "xaab"), b.getInt64(4)});
  llvm::Value* hash = b.CreateCall(m.getFunction("flow_hash_i64"), {b.getInt64(42)});
  llvm::Value* low = b.CreateTrunc(b.CreateURem(hash, b.getInt64(100)), i32);
  b.CreateRet(b.CreateAdd(b.CreateMul(matched, b.getInt32(100)), low));
}

TEST(EngineBuild, ExecutableExitsWithTheStatusItsMainComputes) {
  TestModule t;
  define_regex_main(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"main"}, error)) << error;
  TempDir dir;
  std::string exe = dir.file("prog");
  // The object goes to a private directory under $TMPDIR, removed after.
  std::string tmp = dir.file("tmp");
  std::filesystem::create_directory(tmp);
  const char* saved_tmpdir = std::getenv("TMPDIR");
  std::string saved = saved_tmpdir ? saved_tmpdir : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  bool built = engine::build_executable(*t.m, exe, error);
  if (saved_tmpdir) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
  ASSERT_TRUE(built) << error;
  EXPECT_TRUE(std::filesystem::is_empty(tmp));

  engine::ProcessResult run = engine::run_process({exe});
  ASSERT_TRUE(run.started) << run.output;
  EXPECT_EQ(run.exit_status, static_cast<int>(100 + flow_hash_i64(42) % 100));

  // Standalone: neither LLVM nor libstdc++ is needed at run time.
  engine::ProcessResult ldd = engine::run_process({"ldd", exe});
  ASSERT_EQ(ldd.exit_status, 0) << ldd.output;
  EXPECT_NE(ldd.output.find("libc.so"), std::string::npos) << ldd.output;
  EXPECT_EQ(ldd.output.find("libLLVM"), std::string::npos) << ldd.output;
#if !defined(__SANITIZE_ADDRESS__)  // make test-asan: libasan itself needs libstdc++
  EXPECT_EQ(ldd.output.find("libstdc++"), std::string::npos) << ldd.output;
#endif
}

TEST(EngineBuild, AModuleWithoutMainIsRefused) {
  TestModule t;
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, {"main"}, error)) << error;
  TempDir dir;
  EXPECT_FALSE(engine::build_executable(*t.m, dir.file("prog"), error));
  EXPECT_NE(error.find("'main'"), std::string::npos) << error;
}

TEST(EngineBuild, LinkerErrorsAreReported) {
  TestModule t;
  define_regex_main(*t.m);
  llvm::IRBuilder<> b(*t.ctx);
  // A call to a symbol no library defines fails at link time.
  llvm::Function* main_fn = t.m->getFunction("main");
  b.SetInsertPoint(&*main_fn->getEntryBlock().getFirstInsertionPt());
  b.CreateCall(t.m->getOrInsertFunction("flow_nowhere_to_be_found",
                                        llvm::FunctionType::get(b.getVoidTy(), false)));
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"main"}, error)) << error;
  TempDir dir;
  EXPECT_FALSE(engine::build_executable(*t.m, dir.file("prog"), error));
  EXPECT_NE(error.find("flow_nowhere_to_be_found"), std::string::npos) << error;
}

// ---- a whole pipeline, as codegen will emit one ----

// The abi.h structs as LLVM types; the test checks their sizes against C.
// The ABI's struct types as the stdlib bitcode holds them (runtime/abi.h
// compiled by clang, runtime/abi_symbols.cpp): the same types codegen uses.
struct AbiTypes {
  llvm::StructType* column;
  llvm::StructType* source;
  llvm::StructType* sink;
  llvm::StructType* pipeline;

  explicit AbiTypes(llvm::LLVMContext& ctx)
      : column(llvm::StructType::getTypeByName(ctx, "struct.FlowColumn")),
        source(llvm::StructType::getTypeByName(ctx, "struct.FlowSourceDesc")),
        sink(llvm::StructType::getTypeByName(ctx, "struct.FlowSinkDesc")),
        pipeline(llvm::StructType::getTypeByName(ctx, "struct.FlowPipeline")) {}
};

// void @gen(ptr %ctx, ptr %batch, i64 %first, i64 %count):
//   for v in [first, first + count): row(v, flow_hash_i64(v) % 1000) -> sink 0
llvm::Function* define_generate(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* i32 = b.getInt32Ty();
  llvm::Type* ptr = b.getPtrTy();
  llvm::Type* void_ty = b.getVoidTy();
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(void_ty, {ptr, ptr, i64, i64}, false),
                                    llvm::Function::ExternalLinkage, "gen", m);
  auto begin_row = m.getOrInsertFunction("flow_sink_begin_row",
                                         llvm::FunctionType::get(void_ty, {ptr, i32}, false));
  auto sink_int = m.getOrInsertFunction("flow_sink_int",
                                        llvm::FunctionType::get(void_ty, {ptr, i32, i64}, false));
  auto end_row = m.getOrInsertFunction("flow_sink_end_row",
                                       llvm::FunctionType::get(void_ty, {ptr, i32}, false));
  auto* entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  auto* loop = llvm::BasicBlock::Create(ctx, "loop", fn);
  auto* exit = llvm::BasicBlock::Create(ctx, "exit", fn);
  llvm::Value* context = fn->getArg(0);
  llvm::Value* first = fn->getArg(2);
  b.SetInsertPoint(entry);
  llvm::Value* end = b.CreateAdd(first, fn->getArg(3));
  b.CreateCondBr(b.CreateICmpSGE(first, end), exit, loop);
  b.SetInsertPoint(loop);
  llvm::PHINode* v = b.CreatePHI(i64, 2);
  v->addIncoming(first, entry);
  b.CreateCall(begin_row, {context, b.getInt32(0)});
  b.CreateCall(sink_int, {context, b.getInt32(0), v});
  llvm::Value* hash = b.CreateCall(m.getFunction("flow_hash_i64"), {v});
  b.CreateCall(sink_int, {context, b.getInt32(0), b.CreateURem(hash, b.getInt64(1000))});
  b.CreateCall(end_row, {context, b.getInt32(0)});
  llvm::Value* next = b.CreateAdd(v, b.getInt64(1));
  v->addIncoming(next, loop);
  b.CreateCondBr(b.CreateICmpEQ(next, end), exit, loop);
  b.SetInsertPoint(exit);
  b.CreateRetVoid();
  return fn;
}

llvm::Function* define_end_batch(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  auto* fn = llvm::Function::Create(
      llvm::FunctionType::get(b.getVoidTy(), {b.getPtrTy(), b.getPtrTy(), b.getInt32Ty()}, false),
      llvm::Function::ExternalLinkage, "end_batch", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRetVoid();
  return fn;
}

// @flow_pipeline: generate(count) -> CSV file sink at `out` with columns
// v, h; and, when `with_main`, i32 @main calling flow_runtime_main.
void define_pipeline(llvm::Module& m, int64_t count, const std::string& out, bool with_main) {
  llvm::LLVMContext& ctx = m.getContext();
  AbiTypes t(ctx);
  ASSERT_TRUE(t.column && t.source && t.sink && t.pipeline);
  const llvm::DataLayout& layout = m.getDataLayout();
  ASSERT_EQ(layout.getTypeAllocSize(t.column), sizeof(FlowColumn));
  ASSERT_EQ(layout.getTypeAllocSize(t.source), sizeof(FlowSourceDesc));
  ASSERT_EQ(layout.getTypeAllocSize(t.sink), sizeof(FlowSinkDesc));
  ASSERT_EQ(layout.getTypeAllocSize(t.pipeline), sizeof(FlowPipeline));

  auto i32 = [&](int64_t v) { return llvm::ConstantInt::get(llvm::Type::getInt32Ty(ctx), v); };
  auto i64 = [&](int64_t v) { return llvm::ConstantInt::get(llvm::Type::getInt64Ty(ctx), v); };
  llvm::Constant* null = llvm::ConstantPointerNull::get(llvm::PointerType::get(ctx, 0));
  auto global = [&](llvm::Constant* init, const char* name) {
    return new llvm::GlobalVariable(m, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                    init, name);
  };

  llvm::Constant* source = llvm::ConstantStruct::get(t.source, {c_string(m, "gen"),
                                                                i32(FLOW_SOURCE_GENERATE),
                                                                i32(FLOW_FORMAT_LINES),
                                                                null,
                                                                i32(0),
                                                                i32(0),
                                                                i32(','),
                                                                i32(0),
                                                                null,
                                                                null,
                                                                i32(0),
                                                                i64(count),
                                                                i64(0),
                                                                i64(0),
                                                                i64(1),
                                                                i32(FLOW_ON_ERROR_SKIP),
                                                                null,
                                                                null,
                                                                define_generate(m),
                                                                null,
                                                                i32(0),
                                                                null,
                                                                null});
  llvm::Constant* columns = llvm::ConstantArray::get(
      llvm::ArrayType::get(t.column, 2),
      {llvm::ConstantStruct::get(t.column, {c_string(m, "v"), i32(FLOW_TYPE_INT)}),
       llvm::ConstantStruct::get(t.column, {c_string(m, "h"), i32(FLOW_TYPE_INT)})});
  llvm::Constant* sink = llvm::ConstantStruct::get(
      t.sink, {c_string(m, "out"), i32(FLOW_SINK_FILE), i32(FLOW_FORMAT_CSV), c_string(m, out),
               global(columns, "columns"), i32(2), null, i32(0), i32(0), i32(1), i32(',')});
  llvm::Constant* pipeline = llvm::ConstantStruct::get(t.pipeline, {c_string(m, "engine_test"),
                                                                    null,
                                                                    i32(0),
                                                                    i64(1000),
                                                                    global(source, "sources"),
                                                                    i32(1),
                                                                    global(sink, "sinks"),
                                                                    i32(1),
                                                                    define_end_batch(m),
                                                                    i64(0),
                                                                    null,
                                                                    null,
                                                                    null,
                                                                    i64(0),
                                                                    null,
                                                                    null,
                                                                    null,
                                                                    i32(0),
                                                                    null,
                                                                    i32(0)});
  auto* flow_pipeline = new llvm::GlobalVariable(
      m, t.pipeline, true, llvm::GlobalValue::ExternalLinkage, pipeline, "flow_pipeline");
  if (!with_main) return;

  llvm::IRBuilder<> b(ctx);
  auto* main_fn = llvm::Function::Create(
      llvm::FunctionType::get(b.getInt32Ty(), {b.getInt32Ty(), b.getPtrTy()}, false),
      llvm::Function::ExternalLinkage, "main", m);
  auto runtime_main = m.getOrInsertFunction(
      "flow_runtime_main",
      llvm::FunctionType::get(b.getInt32Ty(), {b.getPtrTy(), b.getInt32Ty(), b.getPtrTy()}, false));
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", main_fn));
  b.CreateRet(b.CreateCall(runtime_main, {flow_pipeline, main_fn->getArg(0), main_fn->getArg(1)}));
}

// The stdlib bitcode declares every runtime ABI function (so codegen takes
// their types from the header), and its struct types have the sizes and
// field offsets the runtime was compiled with.
TEST(EngineAbi, StdlibBitcodeCarriesTheRuntimeAbi) {
  TestModule t;
  for (size_t i = 0; i < flow_abi_symbol_count; ++i) {
    llvm::Function* f = t.m->getFunction(flow_abi_symbols[i].name);
    ASSERT_NE(f, nullptr) << flow_abi_symbols[i].name;
    EXPECT_TRUE(f->isDeclaration()) << flow_abi_symbols[i].name;
  }
  const llvm::DataLayout& layout = t.m->getDataLayout();
  auto layout_of = [&](const char* name) {
    llvm::StructType* type = llvm::StructType::getTypeByName(*t.ctx, std::string("struct.") + name);
    EXPECT_NE(type, nullptr) << name;
    return type ? layout.getStructLayout(type) : nullptr;
  };
  const llvm::StructLayout* batch = layout_of("FlowBatch");
  const llvm::StructLayout* record = layout_of("FlowRecord");
  const llvm::StructLayout* source = layout_of("FlowSourceDesc");
  const llvm::StructLayout* pipeline = layout_of("FlowPipeline");
  ASSERT_TRUE(batch && record && source && pipeline);
  EXPECT_EQ(batch->getSizeInBytes(), sizeof(FlowBatch));
  EXPECT_EQ(batch->getElementOffset(3), offsetof(FlowBatch, end_ms));
  EXPECT_EQ(record->getSizeInBytes(), sizeof(FlowRecord));
  EXPECT_EQ(source->getSizeInBytes(), sizeof(FlowSourceDesc));
  EXPECT_EQ(source->getElementOffset(
                source->getElementContainingOffset(offsetof(FlowSourceDesc, max_event_time))),
            offsetof(FlowSourceDesc, max_event_time));
  EXPECT_EQ(pipeline->getSizeInBytes(), sizeof(FlowPipeline));
  EXPECT_EQ(pipeline->getElementOffset(
                pipeline->getElementContainingOffset(offsetof(FlowPipeline, configure))),
            offsetof(FlowPipeline, configure));
}

std::string expected_rows(int64_t count) {
  std::string text = "v,h\n";
  for (int64_t v = 0; v < count; ++v)
    text += std::to_string(v) + "," + std::to_string(flow_hash_i64(v) % 1000) + "\n";
  return text;
}

constexpr int64_t kRows = 5000;

TEST(EnginePipeline, GeneratedPipelineRunsUnderTheJit) {
  TempDir dir;
  std::string out = dir.file("out.csv");
  TestModule t;
  ASSERT_NO_FATAL_FAILURE(define_pipeline(*t.m, kRows, out, false));
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"flow_pipeline"}, error)) << error;
  char arg0[] = "flowc", arg1[] = "--quiet";
  char* argv[] = {arg0, arg1, nullptr};
  EXPECT_EQ(engine::run_jit(std::move(t.m), std::move(t.ctx), "flow_pipeline", 2, argv), 0);
  EXPECT_EQ(read_file(out), expected_rows(kRows));
}

TEST(EnginePipeline, GeneratedPipelineRunsAsAnExecutable) {
  TempDir dir;
  std::string out = dir.file("out.csv");
  TestModule t;
  ASSERT_NO_FATAL_FAILURE(define_pipeline(*t.m, kRows, out, true));
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"flow_pipeline", "main"}, error)) << error;
  std::string exe = dir.file("pipeline");
  ASSERT_TRUE(engine::build_executable(*t.m, exe, error)) << error;
  engine::ProcessResult run = engine::run_process({exe, "--quiet"});
  EXPECT_EQ(run.exit_status, 0) << run.output;
  EXPECT_EQ(read_file(out), expected_rows(kRows));

  engine::ProcessResult ldd = engine::run_process({"ldd", exe});
  EXPECT_EQ(ldd.output.find("libLLVM"), std::string::npos) << ldd.output;
#if !defined(__SANITIZE_ADDRESS__)  // make test-asan: libasan itself needs libstdc++
  EXPECT_EQ(ldd.output.find("libstdc++"), std::string::npos) << ldd.output;
#endif
}

}  // namespace
