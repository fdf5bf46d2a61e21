// tests/unit/compiler_engine_test.cpp — the engine on small hand-built
// modules: stdlib loading, internalization, verification, JIT results
// against the natively compiled stdlib.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include "engine/engine.h"
#include "flow_stdlib.h"

namespace {

namespace engine = flowc::engine;

const std::string kText = "h\xc3\xa9llo w\xc3\xb6rld";  // 11 characters, 13 bytes

struct TestModule {
  std::unique_ptr<llvm::LLVMContext> ctx = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> m = engine::load_stdlib(*ctx);
};

// i64 @probe(i64 %v) = flow_hash_i64(v) ^ flow_str_len(kText)
//
// Calls go through the stdlib functions' own (clang-lowered) types, as
// codegen's will.
void define_probe(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(i64, {i64}, false),
                                    llvm::Function::ExternalLinkage, "probe", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::Function* hash = m.getFunction("flow_hash_i64");
  llvm::Function* len = m.getFunction("flow_str_len");
  llvm::Value* h = b.CreateCall(hash, {fn->getArg(0)});
  llvm::Value* text = b.CreateGlobalString(kText, "text", 0, &m);
  llvm::Value* n = b.CreateCall(len, {text, b.getInt64(kText.size())});
  b.CreateRet(b.CreateXor(h, n));
}

// i64 @format(double %v, ptr %buf) = flow_format_float(v, buf): reaches
// std::to_chars in libstdc++, which the JIT finds in this process.
void define_format(llvm::Module& m) {
  llvm::LLVMContext& ctx = m.getContext();
  llvm::IRBuilder<> b(ctx);
  auto* fn = llvm::Function::Create(
      llvm::FunctionType::get(b.getInt64Ty(), {b.getDoubleTy(), b.getPtrTy()}, false),
      llvm::Function::ExternalLinkage, "format", m);
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  llvm::Function* format = m.getFunction("flow_format_float");
  b.CreateRet(b.CreateCall(format, {fn->getArg(0), fn->getArg(1)}));
}

int64_t native_probe(int64_t v) {
  return static_cast<int64_t>(flow_hash_i64(v)) ^ flow_str_len(kText.data(), kText.size());
}

size_t defined_functions(const llvm::Module& m) {
  size_t n = 0;
  for (const llvm::Function& f : m)
    if (!f.isDeclaration()) ++n;
  return n;
}

TEST(EngineStdlib, EachLoadIsAFreshModuleWithTheStdlibDefined) {
  TestModule a, b;
  ASSERT_NE(a.m, nullptr);
  ASSERT_NE(b.m, nullptr);
  EXPECT_NE(a.m.get(), b.m.get());
  for (const char* name : {"flow_hash_i64", "flow_str_len", "flow_csv_split"}) {
    ASSERT_NE(a.m->getFunction(name), nullptr) << name;
    EXPECT_FALSE(a.m->getFunction(name)->isDeclaration()) << name;
  }
  EXPECT_FALSE(a.m->getTargetTriple().empty());
  EXPECT_GT(defined_functions(*a.m), 50u);
  // Changing one module leaves the other alone.
  a.m->getFunction("flow_csv_split")->deleteBody();
  EXPECT_FALSE(b.m->getFunction("flow_csv_split")->isDeclaration());
}

TEST(EngineOptimize, O2InternalizesAndDropsEveryUnusedStdlibFunction) {
  TestModule t;
  define_probe(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"probe"}, error)) << error;
  llvm::Function* probe = t.m->getFunction("probe");
  ASSERT_NE(probe, nullptr);
  EXPECT_TRUE(probe->hasExternalLinkage());
  EXPECT_EQ(t.m->getFunction("flow_csv_split"), nullptr);
  EXPECT_EQ(t.m->getFunction("flow_str_lower"), nullptr);
  EXPECT_EQ(t.m->getFunction("flow_json_fields"), nullptr);
  // Both stdlib calls are inlined into probe, so it is all that is left.
  EXPECT_EQ(defined_functions(*t.m), 1u);
  for (const llvm::GlobalVariable& g : t.m->globals())
    EXPECT_TRUE(g.hasLocalLinkage() || g.isDeclaration()) << g.getName().str();
}

TEST(EngineOptimize, O0StillDropsUnusedStdlibButKeepsCalledFunctionsInternal) {
  TestModule t;
  define_probe(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, {"probe"}, error)) << error;
  EXPECT_EQ(t.m->getFunction("flow_csv_split"), nullptr);
  llvm::Function* hash = t.m->getFunction("flow_hash_i64");
  ASSERT_NE(hash, nullptr);
  EXPECT_FALSE(hash->isDeclaration());
  EXPECT_TRUE(hash->hasLocalLinkage());
  EXPECT_LE(defined_functions(*t.m), 5u);
}

TEST(EngineOptimize, FunctionsAreRetargetedToTheHostCpu) {
  TestModule t;
  define_probe(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, {"probe"}, error)) << error;
  llvm::Function* hash = t.m->getFunction("flow_hash_i64");
  ASSERT_NE(hash, nullptr);
  // clang stamped the stdlib "x86-64"; the host's CPU replaces it.
  EXPECT_NE(hash->getFnAttribute("target-cpu").getValueAsString(), "x86-64");
  EXPECT_FALSE(hash->hasFnAttribute("tune-cpu"));
}

TEST(EngineOptimize, RejectsAModuleThatDoesNotVerify) {
  TestModule t;
  llvm::LLVMContext& ctx = *t.ctx;
  auto* fn = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), false),
      llvm::Function::ExternalLinkage, "broken", *t.m);
  llvm::BasicBlock::Create(ctx, "entry", fn);  // no terminator
  std::string error;
  EXPECT_FALSE(engine::optimize_module(*t.m, 2, {"broken"}, error));
  EXPECT_NE(error.find("does not verify"), std::string::npos) << error;
  EXPECT_NE(error.find("terminator"), std::string::npos) << error;
}

TEST(EnginePrint, PrintsTheOptimizedModuleAsTextualIr) {
  TestModule t;
  define_probe(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"probe"}, error)) << error;
  std::string text;
  llvm::raw_string_ostream out(text);
  engine::print_module(*t.m, out);
  EXPECT_NE(text.find("define i64 @probe(i64"), std::string::npos) << text;
  EXPECT_EQ(text.find("flow_csv_split"), std::string::npos);
}

// The JIT'd stdlib must compute exactly what the native stdlib computes.
void expect_jit_matches_native(int opt_level) {
  TestModule t;
  define_probe(*t.m);
  define_format(*t.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, opt_level, {"probe", "format"}, error)) << error;
  auto session = engine::JitSession::create(std::move(t.m), std::move(t.ctx), error);
  ASSERT_NE(session, nullptr) << error;
  auto probe = reinterpret_cast<int64_t (*)(int64_t)>(session->lookup("probe", error));
  ASSERT_NE(probe, nullptr) << error;
  auto format = reinterpret_cast<int64_t (*)(double, char*)>(session->lookup("format", error));
  ASSERT_NE(format, nullptr) << error;

  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{42},
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})
    EXPECT_EQ(probe(v), native_probe(v)) << "v = " << v;
  for (double v : {0.1, -2.5, 1e300, 123456789.125, std::nan(""),
                   -std::numeric_limits<double>::infinity()}) {
    char jit_buf[FLOW_FORMAT_BUF], native_buf[FLOW_FORMAT_BUF];
    int64_t jit_n = format(v, jit_buf);
    int64_t native_n = flow_format_float(v, native_buf);
    EXPECT_EQ(std::string(jit_buf, jit_n), std::string(native_buf, native_n)) << v;
  }
}

TEST(EngineJit, StdlibCallsMatchTheNativeStdlibAtO2) { expect_jit_matches_native(2); }
TEST(EngineJit, StdlibCallsMatchTheNativeStdlibAtO0) { expect_jit_matches_native(0); }

TEST(EngineJit, TwoSessionsLiveSideBySide) {
  TestModule a, b;
  define_probe(*a.m);
  define_probe(*b.m);
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*a.m, 2, {"probe"}, error)) << error;
  ASSERT_TRUE(engine::optimize_module(*b.m, 1, {"probe"}, error)) << error;
  auto first = engine::JitSession::create(std::move(a.m), std::move(a.ctx), error);
  auto second = engine::JitSession::create(std::move(b.m), std::move(b.ctx), error);
  ASSERT_TRUE(first && second) << error;
  auto p1 = reinterpret_cast<int64_t (*)(int64_t)>(first->lookup("probe", error));
  auto p2 = reinterpret_cast<int64_t (*)(int64_t)>(second->lookup("probe", error));
  ASSERT_TRUE(p1 && p2) << error;
  EXPECT_NE(reinterpret_cast<void*>(p1), reinterpret_cast<void*>(p2));
  first.reset();
  EXPECT_EQ(p2(7), native_probe(7));
}

// A call to a runtime-looking symbol that is not in the ABI table fails
// the lookup with the symbol's name, instead of crashing at the call.
TEST(EngineJit, UnknownSymbolsFailTheLookupWithTheirName) {
  TestModule t;
  llvm::LLVMContext& ctx = *t.ctx;
  llvm::IRBuilder<> b(ctx);
  auto* fn = llvm::Function::Create(llvm::FunctionType::get(b.getInt64Ty(), false),
                                    llvm::Function::ExternalLinkage, "calls_stray", *t.m);
  llvm::FunctionCallee stray = t.m->getOrInsertFunction(
      "flow_not_in_the_abi", llvm::FunctionType::get(b.getInt64Ty(), false));
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "entry", fn));
  b.CreateRet(b.CreateCall(stray));
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 2, {"calls_stray"}, error)) << error;
  auto session = engine::JitSession::create(std::move(t.m), std::move(t.ctx), error);
  ASSERT_NE(session, nullptr) << error;
  EXPECT_EQ(session->lookup("calls_stray", error), nullptr);
  EXPECT_NE(error.find("flow_not_in_the_abi"), std::string::npos) << error;
}

TEST(EngineJit, RunJitReturnsThreeWhenThePipelineSymbolIsMissing) {
  TestModule t;
  std::string error;
  ASSERT_TRUE(engine::optimize_module(*t.m, 0, {"flow_pipeline"}, error)) << error;
  char arg0[] = "flowc";
  char* argv[] = {arg0, nullptr};
  testing::internal::CaptureStderr();
  int status = engine::run_jit(std::move(t.m), std::move(t.ctx), "flow_pipeline", 1, argv);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(status, 3);
  EXPECT_NE(err.find("flow_pipeline"), std::string::npos) << err;
}

}  // namespace
