// Timestamps in a given text form (LANGUAGE.md 13): the format is compiled
// here, once, by the stdlib's own compiler (sema already checked it), and
// its steps are embedded as a constant that the parse walks — so LLVM sees
// the format, not a string to interpret per record.
//
//   static const FlowTimeFormat format = { count, op[], literal[] };
//   ok = flow_time_parse(&format, text.ptr, text.len, &ms);
#include <llvm/IR/Constants.h>

#include "codegen/expr_codegen.h"
#include "flow_stdlib.h"
#include "support/internal_error.h"

namespace flowc::codegen {

std::pair<llvm::Value*, llvm::Value*> emit_time_parse(CgContext& cg, const std::string& format,
                                                      llvm::Value* ptr, llvm::Value* len) {
  auto& b = cg.b();
  FlowTimeFormat compiled;
  int64_t error_at = 0;
  if (flow_time_format_compile(format.data(), static_cast<int64_t>(format.size()), &compiled,
                               &error_at) != FLOW_TIME_FORMAT_OK) {
    internal_error("timestamp format \"" + format + "\" passed sema but does not compile");
  }
  // The struct's bytes as they are laid out natively: the stdlib bitcode is
  // compiled for the same ABI (plain int32 and byte arrays, no padding).
  std::string bytes(reinterpret_cast<const char*>(&compiled), sizeof compiled);
  auto* data = llvm::ConstantDataArray::getString(cg.llvm(), bytes, false);
  auto* global =
      new llvm::GlobalVariable(cg.module(), data->getType(), true,
                               llvm::GlobalValue::PrivateLinkage, data, cg.unique("time_format"));
  global->setAlignment(llvm::Align(alignof(FlowTimeFormat)));
  global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  llvm::Value* out = cg.entry_alloca(cg.i64(), "time.parsed");
  llvm::Value* ok = b.CreateCall(cg.stdlib("flow_time_parse"), {global, ptr, len, out});
  return {b.CreateICmpNE(ok, cg.i32c(0)), b.CreateLoad(cg.i64(), out)};
}

}  // namespace flowc::codegen
