// compiler/codegen/cg_context.h — what every lowering shares: the module,
// the IR builder, ABI types and declarations, and the function being built.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <cstddef>
#include <functional>
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
  // Set where no record is being processed (a built program's configure):
  // a failing expression calls this with its message instead of reporting
  // a bad record, then jumps to next_record.
  std::function<void(llvm::Value* msg, llvm::Value* len)> on_failure;
  // The record's event time (i64 ms) when its source declares event_time.
  llvm::Value* event_time = nullptr;
  // The id of the kafka partition the row being handled came from (i64,
  // runtime/abi.h), which keyed state per partition keys it by; null
  // (FLOW_NO_PARTITION) for rows of other sources.
  llvm::Value* partition = nullptr;
  // In a source's loop, the index (i64) of the record or value being
  // handled in the delivery (abi.h flow_arrival_first); null elsewhere.
  llvm::Value* record_index = nullptr;
  // Code being emitted runs after a check that covered it (checked_consume).
  bool record_checked = false;
  // The worker whose thread-local state the code updates (i32): the
  // calling thread's in a source's function (flow_worker_index), 0 in
  // end_batch, snapshot and restore, the argument in merge.
  llvm::Value* worker = nullptr;
  // Hashes of strings computed already (a join's key, hashed when its
  // record was read ahead; a lookup table's value, hashed when stored):
  // emit_hash of a string whose ptr and len are these very values takes
  // the hash instead of computing it. Pushed by the code that defines the
  // hash before the rows carrying the string go on, popped after
  // (KnownHashScope), so each hash dominates its uses.
  struct KnownHash {
    llvm::Value* ptr;
    llvm::Value* len;
    llvm::Value* hash;
  };
  std::vector<KnownHash> known_hashes;
};

// Registers known hashes (FunctionState::known_hashes) for one scope.
class KnownHashScope {
 public:
  explicit KnownHashScope(FunctionState& fs) : fs_(fs), mark_(fs.known_hashes.size()) {}
  ~KnownHashScope() { fs_.known_hashes.resize(mark_); }
  KnownHashScope(const KnownHashScope&) = delete;
  KnownHashScope& operator=(const KnownHashScope&) = delete;
  void add(llvm::Value* ptr, llvm::Value* len, llvm::Value* hash) {
    fs_.known_hashes.push_back({ptr, len, hash});
  }

 private:
  FunctionState& fs_;
  size_t mark_;
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
  // The runtime ABI's structs (runtime/abi.h), as clang compiled the header
  // into the stdlib bitcode this module starts from.
  llvm::StructType* abi_type(const std::string& name);  // "FlowSourceDesc"
  llvm::StructType* str_type() { return abi_type("FlowStr"); }
  llvm::StructType* record_type() { return abi_type("FlowRecord"); }
  llvm::StructType* batch_type() { return abi_type("FlowBatch"); }
  // The element of an ABI struct that starts at byte `offset`: fields are
  // named by their C offset, abi_field(t, offsetof(FlowBatch, end_ms)),
  // never by a number; an offset that is not a field's start is a broken
  // build and stops with an internal error.
  unsigned abi_field(llvm::StructType* type, size_t offset);
  // The address of that field in the struct at `base`.
  llvm::Value* abi_gep(llvm::StructType* type, llvm::Value* base, size_t offset);
  // Loads FlowBatch field `offset` of the current function's batch.
  llvm::Value* batch_field(size_t offset);
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
  // A runtime ABI function (runtime/abi.h): declared in the module by the
  // ABI's bitcode.
  llvm::Function* runtime(const std::string& name);

  // ---- memory ----
  // An alloca in the entry block of the current function.
  llvm::AllocaInst* entry_alloca(llvm::Type* t, const std::string& name = "");
  CgValue load_value(plan::Type t, llvm::Value* address);
  void store_value(const CgValue& v, llvm::Value* address);
  // bool i1 <-> the i32 the C ABI uses.
  llvm::Value* to_c_bool(llvm::Value* v) { return builder_.CreateZExt(v, i32()); }

  // State a worker thread updates for itself (runtime/worker.h): one slot
  // per worker, FLOW_MAX_WORKERS of them, each starting at `init` (null:
  // zero), each on cache lines of its own (FLOW_WORKER_SLOT_BYTES apart).
  // worker_slot addresses the current function's worker's slot
  // (fs().worker), or `worker`'s; worker0_slot the pipeline's own (slot 0).
  llvm::GlobalVariable* worker_global(llvm::Type* type, llvm::Constant* init,
                                      const std::string& name);
  llvm::Value* worker_slot(llvm::GlobalVariable* g);
  llvm::Value* worker_slot(llvm::GlobalVariable* g, llvm::Value* worker);
  llvm::Constant* worker0_slot(llvm::GlobalVariable* g);

  // Event time (LANGUAGE.md 6.1), per source: the largest event time seen
  // and the watermark (both INT64_MIN at first). Generated code owns both:
  // the source loop raises the maximum, end_batch advances the watermark.
  // The maximum is per worker (each thread raises its own; merge folds
  // them): the current function's worker's, and the array of all.
  llvm::Value* source_max_time(int source);
  llvm::GlobalVariable* source_max_times(int source);
  llvm::GlobalVariable* source_watermark(int source);
  // The watermark as it stood when the current batch began: end_batch
  // advances source_watermark first, then fires windows, and copies it here
  // last (codegen/time.h, late_bound).
  llvm::GlobalVariable* source_watermark_at_start(int source);

  // The global holding a param's value (for built executables).
  llvm::GlobalVariable* param_slot(int index);

  // The module's FlowSourceDesc array (its sources, then its tables), given
  // its contents by pipeline_codegen once every operator is lowered: a scan
  // reads format options from it that configure computes from params.
  llvm::GlobalVariable* source_descriptors();

  // A duration (LANGUAGE.md 13): its value, or, in a built program, the
  // duration param it names, loaded from the param's slot. Literal
  // durations stay constants, so window code is as fast as without params.
  llvm::Value* duration(const plan::Duration& d);
  bool constant_duration(const plan::Duration& d) const { return fold_params_ || d.param < 0; }

  // A compile-time constant that may read params (a schema default, an
  // initial value, a connector argument; plan::ParamExpr): its value, or,
  // in a built program, a load of a global that `configure` sets to the
  // expression's value once --param is known (codegen/configure.h).
  // `what` names it in configure's error ("the default of field 'x'").
  CgValue param_constant(const plan::Value& v, const plan::ParamExpr& expr,
                         const std::string& what);
  struct ParamConstant {
    plan::ParamExpr expr;
    llvm::GlobalVariable* global;
    std::string what;
  };
  // Every global param_constant made, for configure to fill.
  const std::vector<ParamConstant>& param_constants() const { return param_constants_; }

  // Starts a new function `name` with the given params; sets fs().
  llvm::Function* begin_function(const std::string& name, llvm::FunctionType* type,
                                 bool exported = false);

  // Reports a bad record with a constant message and jumps to the next record.
  void fail_record(const std::string& message);
  // Same, with a message computed at run time (ptr + length).
  void fail_record(llvm::Value* msg, llvm::Value* len);
  // How many bad-record exits were emitted so far (emit_checks).
  int fail_count() const { return fail_count_; }

  // A call of runtime function `name` with the current function's ctx as
  // its one argument, made once at the function's entry (its value does
  // not change while the function runs: flow_state_parts, flow_morsel_seq),
  // not per record.
  llvm::Value* ctx_call_at_entry(const std::string& name);

  // A unique name for a generated symbol.
  std::string unique(const std::string& base);

  // Metrics (LANGUAGE.md 13) count state keys per stream: the keyed-state
  // tables (KeyedTable::table_global) the pipeline descriptor lists, each
  // with the index of its stream.
  // `parts`: a table split by key hash (KeyedTable::spread) is `table`
  // and the FLOW_MAX_WORKERS - 1 worker slots after it.
  struct StateTable {
    int stream;
    llvm::Constant* table;
    int parts;
  };
  void add_state_table(int stream, llvm::Constant* table, int parts = 0);
  const std::vector<StateTable>& state_tables() const { return state_tables_; }

 private:
  llvm::Module& module_;
  const plan::Pipeline& pipeline_;
  bool fold_params_;
  llvm::IRBuilder<> builder_;
  FunctionState fs_;
  std::map<std::string, llvm::Constant*> strings_;
  std::map<int, llvm::GlobalVariable*> param_slots_;
  std::vector<ParamConstant> param_constants_;
  llvm::GlobalVariable* source_descriptors_ = nullptr;
  std::map<int, llvm::GlobalVariable*> max_times_, watermarks_, watermarks_at_start_;
  std::map<std::string, int> names_;
  std::vector<StateTable> state_tables_;
  std::map<std::pair<llvm::Function*, std::string>, llvm::Value*> entry_calls_;
  int fail_count_ = 0;
};

// A constant of an ABI struct built field by field (by C offset); fields
// not set are zero.
class AbiConstant {
 public:
  AbiConstant(CgContext& cg, const std::string& type_name)
      : cg_(cg), type_(cg.abi_type(type_name)), fields_(type_->getNumElements(), nullptr) {}
  AbiConstant& set(size_t offset, llvm::Constant* value);
  llvm::StructType* type() const { return type_; }
  llvm::Constant* get() const;

 private:
  CgContext& cg_;
  llvm::StructType* type_;
  std::vector<llvm::Constant*> fields_;
};

}  // namespace flowc::codegen
