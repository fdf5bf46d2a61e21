// compiler/codegen/cg_context.h — what every lowering shares: the module,
// the IR builder, ABI types and declarations, and the function being built.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::codegen {

// A value of the language in SSA form. Strings are two values.
struct CgValue {
  plan::Type type = plan::Type::Int;
  llvm::Value* v = nullptr;    // i1, i64, double, or the string's ptr
  llvm::Value* len = nullptr;  // strings: i64 length
};
using Row = std::vector<CgValue>;

// The function being generated: where a bad record goes and what it was.
struct FunctionState {
  llvm::Function* fn = nullptr;
  llvm::Value* ctx = nullptr;    // FlowContext*
  llvm::Value* batch = nullptr;  // const FlowBatch*
  llvm::Value* arena = nullptr;  // FlowArena* (scratch)
  llvm::Value* rec = nullptr;    // const FlowRecord* of the current record, or null
  int source = 0;                // index of the source records come from
  // Where a failing expression jumps after reporting: the next record.
  llvm::BasicBlock* next_record = nullptr;
  // The record's event time (i64 ms) when its source declares event_time.
  llvm::Value* event_time = nullptr;
  // Code being emitted runs after a check that covered it (checked_consume).
  bool record_checked = false;
};

class CgContext {
 public:
  CgContext(llvm::Module& module, const plan::Pipeline& pipeline, bool fold_params);

  llvm::Module& module() { return module_; }
  llvm::LLVMContext& llvm() { return module_.getContext(); }
  llvm::IRBuilder<>& b() { return builder_; }
  const plan::Pipeline& pipeline() const { return pipeline_; }
  bool fold_params() const { return fold_params_; }
  FunctionState& fs() { return fs_; }

  // ---- types ----
  llvm::Type* i1() { return builder_.getInt1Ty(); }
  llvm::Type* i8() { return builder_.getInt8Ty(); }
  llvm::Type* i32() { return builder_.getInt32Ty(); }
  llvm::Type* i64() { return builder_.getInt64Ty(); }
  llvm::Type* f64() { return builder_.getDoubleTy(); }
  llvm::PointerType* ptr() { return builder_.getPtrTy(); }
  llvm::StructType* str_type();     // FlowStr {ptr, i64}
  llvm::StructType* record_type();  // FlowRecord {ptr, i64, i64, i64}
  llvm::StructType* batch_type();   // FlowBatch {i64 start, i64 watermark, i64 number, i64 end}
  // The in-memory type of a value of `t` (bool as i8, string as FlowStr).
  llvm::Type* storage_type(plan::Type t);

  // ---- constants ----
  llvm::Constant* i32c(int64_t v) { return builder_.getInt32(static_cast<uint32_t>(v)); }
  llvm::Constant* i64c(int64_t v) { return builder_.getInt64(static_cast<uint64_t>(v)); }
  // A private constant holding `s` plus a NUL (for C callers); never duplicated.
  llvm::Constant* cstring(const std::string& s);
  CgValue const_value(const plan::Value& v);

  // ---- functions ----
  // A stdlib function: defined in the module (the stdlib bitcode is linked in first).
  llvm::Function* stdlib(const std::string& name);
  // A runtime ABI function (runtime/abi.h), declared on first use.
  llvm::Function* runtime(const std::string& name);
  // A libc function used on cold paths (strlen, qsort, malloc, free).
  llvm::Function* libc(const std::string& name);

  // ---- memory ----
  // An alloca in the entry block of the current function.
  llvm::AllocaInst* entry_alloca(llvm::Type* t, const std::string& name = "");
  CgValue load_value(plan::Type t, llvm::Value* address);
  void store_value(const CgValue& v, llvm::Value* address);
  // bool i1 <-> the i32 the C ABI uses.
  llvm::Value* to_c_bool(llvm::Value* v) { return builder_.CreateZExt(v, i32()); }

  // Event time (LANGUAGE.md 6.1), per source: the largest event time seen
  // and the watermark (both INT64_MIN at first). Generated code owns both:
  // the source loop raises the maximum, end_batch advances the watermark.
  llvm::GlobalVariable* source_max_time(int source);
  llvm::GlobalVariable* source_watermark(int source);

  // The global holding a param's value (for built executables).
  llvm::GlobalVariable* param_slot(int index);

  // Starts a new function `name` with the given params; sets fs().
  llvm::Function* begin_function(const std::string& name, llvm::FunctionType* type,
                                 bool exported = false);

  // Reports a bad record with a constant message and jumps to the next record.
  void fail_record(const std::string& message);
  // Same, with a message computed at run time (ptr + length).
  void fail_record(llvm::Value* msg, llvm::Value* len);
  // How many bad-record exits were emitted so far (emit_checks).
  int fail_count() const { return fail_count_; }

  // A unique name for a generated symbol.
  std::string unique(const std::string& base);

  // Metrics (LANGUAGE.md 13) count late records and state keys per stream:
  // the index of the stream `stage` belongs to, and the keyed-state tables
  // (KeyedTable::table_global) the pipeline descriptor lists by stream.
  int stream_of(const plan::Stage& stage) const;
  void add_state_table(const plan::Stage& stage, llvm::GlobalVariable* table);
  const std::vector<std::pair<int, llvm::GlobalVariable*>>& state_tables() const {
    return state_tables_;
  }

 private:
  llvm::Module& module_;
  const plan::Pipeline& pipeline_;
  bool fold_params_;
  llvm::IRBuilder<> builder_;
  FunctionState fs_;
  std::map<std::string, llvm::Constant*> strings_;
  std::map<int, llvm::GlobalVariable*> param_slots_;
  std::map<int, llvm::GlobalVariable*> max_times_, watermarks_;
  std::map<std::string, int> names_;
  std::vector<std::pair<int, llvm::GlobalVariable*>> state_tables_;
  int fail_count_ = 0;
  llvm::StructType* str_ = nullptr;
  llvm::StructType* record_ = nullptr;
  llvm::StructType* batch_ = nullptr;
};

}  // namespace flowc::codegen
