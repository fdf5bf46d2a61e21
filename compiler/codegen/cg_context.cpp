#include "codegen/cg_context.h"

#include <llvm/IR/Constants.h>

#include <stdexcept>

namespace flowc::codegen {

CgContext::CgContext(llvm::Module& module, const plan::Pipeline& pipeline, bool fold_params)
    : module_(module), pipeline_(pipeline), fold_params_(fold_params), builder_(module.getContext()) {}

llvm::StructType* CgContext::str_type() {
  if (!str_) str_ = llvm::StructType::create(llvm(), {ptr(), i64()}, "FlowStr");
  return str_;
}

llvm::StructType* CgContext::record_type() {
  if (!record_) record_ = llvm::StructType::create(llvm(), {ptr(), i64(), i64(), i64()}, "FlowRecord");
  return record_;
}

llvm::StructType* CgContext::batch_type() {
  if (!batch_) batch_ = llvm::StructType::create(llvm(), {i64(), i64(), i64(), i64()}, "FlowBatch");
  return batch_;
}

llvm::Type* CgContext::storage_type(plan::Type t) {
  switch (t) {
    case plan::Type::Bool: return i8();
    case plan::Type::Float: return f64();
    case plan::Type::String: return str_type();
    default: return i64();
  }
}

llvm::Constant* CgContext::cstring(const std::string& s) {
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  llvm::Constant* data = llvm::ConstantDataArray::getString(llvm(), s, true);
  auto* g = new llvm::GlobalVariable(module_, data->getType(), true,
                                     llvm::GlobalValue::PrivateLinkage, data, ".str");
  g->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  g->setAlignment(llvm::Align(1));
  strings_[s] = g;
  return g;
}

CgValue CgContext::const_value(const plan::Value& v) {
  switch (v.type) {
    case plan::Type::Bool: return {v.type, builder_.getInt1(v.i != 0), nullptr};
    case plan::Type::Float: return {v.type, llvm::ConstantFP::get(f64(), v.f), nullptr};
    case plan::Type::String:
      return {v.type, cstring(v.s), i64c(static_cast<int64_t>(v.s.size()))};
    default: return {v.type, i64c(v.i), nullptr};
  }
}

llvm::Function* CgContext::stdlib(const std::string& name) {
  llvm::Function* f = module_.getFunction(name);
  if (f == nullptr || f->isDeclaration()) {
    throw std::logic_error("stdlib function '" + name + "' is not in the stdlib bitcode");
  }
  return f;
}

llvm::Function* CgContext::runtime(const std::string& name) {
  if (llvm::Function* f = module_.getFunction(name)) return f;
  llvm::Type* v = builder_.getVoidTy();
  llvm::Type* p = ptr();
  llvm::Type* i = i32();
  llvm::Type* l = i64();
  llvm::Type* d = f64();
  // runtime/abi.h, by hand: keep in step with that header.
  static const std::map<std::string, int> index = {
      {"flow_sink_begin_row", 0}, {"flow_sink_bool", 1},      {"flow_sink_int", 2},
      {"flow_sink_float", 3},     {"flow_sink_string", 4},    {"flow_sink_timestamp", 5},
      {"flow_sink_end_row", 6},   {"flow_bad_record", 7},     {"flow_bad_field", 8},
      {"flow_csv_column_map", 9}, {"flow_scratch", 10},       {"flow_regex_fields", 11},
      {"flow_regex_compile", 12}, {"flow_regex_match", 13},   {"flow_regex_extract", 14},
      {"flow_count_late", 15},    {"flow_set_watermark", 16}, {"flow_runtime_main", 17},
      {"flow_sink_key", 18},      {"flow_ckpt_put_i64", 19},  {"flow_ckpt_put_bytes", 20},
      {"flow_ckpt_get_i64", 21},  {"flow_ckpt_get_bytes", 22}, {"flow_ckpt_ok", 23},
      {"flow_ckpt_put_distinct", 24}, {"flow_ckpt_get_distinct", 25},
      {"flow_state_grew", 26},
  };
  std::vector<llvm::FunctionType*> types = {
      llvm::FunctionType::get(v, {p, i}, false),
      llvm::FunctionType::get(v, {p, i, i}, false),
      llvm::FunctionType::get(v, {p, i, l}, false),
      llvm::FunctionType::get(v, {p, i, d}, false),
      llvm::FunctionType::get(v, {p, i, p, l}, false),
      llvm::FunctionType::get(v, {p, i, l}, false),
      llvm::FunctionType::get(v, {p, i}, false),
      llvm::FunctionType::get(v, {p, i, p, p, l}, false),
      llvm::FunctionType::get(v, {p, i, p, p, l, p, p, l}, false),
      llvm::FunctionType::get(p, {p, i}, false),
      llvm::FunctionType::get(p, {p}, false),
      llvm::FunctionType::get(i, {p, i, p, p}, false),
      llvm::FunctionType::get(p, {p, l}, false),
      llvm::FunctionType::get(i, {p, p, l}, false),
      llvm::FunctionType::get(v, {p, p, p, l, l, p}, false),
      llvm::FunctionType::get(v, {p, i}, false),
      llvm::FunctionType::get(v, {p, l}, false),
      llvm::FunctionType::get(i, {p, i, p}, false),
      llvm::FunctionType::get(v, {p, i, p, l}, false),
      llvm::FunctionType::get(v, {p, l}, false),
      llvm::FunctionType::get(v, {p, p, l}, false),
      llvm::FunctionType::get(l, {p}, false),
      llvm::FunctionType::get(v, {p, p}, false),
      llvm::FunctionType::get(i, {p}, false),
      llvm::FunctionType::get(v, {p, p}, false),
      llvm::FunctionType::get(p, {p}, false),
      llvm::FunctionType::get(l, {p, l}, false),
  };
  auto it = index.find(name);
  if (it == index.end()) throw std::logic_error("unknown runtime function '" + name + "'");
  return llvm::Function::Create(types[it->second], llvm::Function::ExternalLinkage, name, module_);
}

int CgContext::stream_of(const plan::Stage& stage) const {
  for (size_t s = 0; s < pipeline_.streams.size(); ++s) {
    for (const plan::Stage& st : pipeline_.streams[s].stages) {
      if (&st == &stage) return static_cast<int>(s);
    }
  }
  throw std::logic_error("a stage that belongs to no stream");
}

void CgContext::add_state_table(const plan::Stage& stage, llvm::GlobalVariable* table) {
  state_tables_.emplace_back(stream_of(stage), table);
}

llvm::Function* CgContext::libc(const std::string& name) {
  if (llvm::Function* f = module_.getFunction(name)) return f;
  llvm::Type* v = builder_.getVoidTy();
  llvm::FunctionType* type = nullptr;
  if (name == "strlen") type = llvm::FunctionType::get(i64(), {ptr()}, false);
  if (name == "malloc") type = llvm::FunctionType::get(ptr(), {i64()}, false);
  if (name == "free") type = llvm::FunctionType::get(v, {ptr()}, false);
  if (name == "qsort") type = llvm::FunctionType::get(v, {ptr(), i64(), i64(), ptr()}, false);
  if (type == nullptr) throw std::logic_error("unknown libc function '" + name + "'");
  return llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
}

llvm::AllocaInst* CgContext::entry_alloca(llvm::Type* t, const std::string& name) {
  llvm::BasicBlock& entry = fs_.fn->getEntryBlock();
  llvm::IRBuilder<> at(&entry, entry.getFirstInsertionPt());
  return at.CreateAlloca(t, nullptr, name);
}

CgValue CgContext::load_value(plan::Type t, llvm::Value* address) {
  switch (t) {
    case plan::Type::Bool:
      return {t, builder_.CreateICmpNE(builder_.CreateLoad(i8(), address), builder_.getInt8(0)),
              nullptr};
    case plan::Type::Float: return {t, builder_.CreateLoad(f64(), address), nullptr};
    case plan::Type::String: {
      llvm::Value* p = builder_.CreateLoad(ptr(), builder_.CreateStructGEP(str_type(), address, 0));
      llvm::Value* n = builder_.CreateLoad(i64(), builder_.CreateStructGEP(str_type(), address, 1));
      return {t, p, n};
    }
    default: return {t, builder_.CreateLoad(i64(), address), nullptr};
  }
}

void CgContext::store_value(const CgValue& v, llvm::Value* address) {
  switch (v.type) {
    case plan::Type::Bool:
      builder_.CreateStore(builder_.CreateZExt(v.v, i8()), address);
      break;
    case plan::Type::String:
      builder_.CreateStore(v.v, builder_.CreateStructGEP(str_type(), address, 0));
      builder_.CreateStore(v.len, builder_.CreateStructGEP(str_type(), address, 1));
      break;
    default:
      builder_.CreateStore(v.v, address);
  }
}

llvm::GlobalVariable* CgContext::param_slot(int index) {
  auto it = param_slots_.find(index);
  if (it != param_slots_.end()) return it->second;
  const plan::Param& p = pipeline_.params[index];
  llvm::Type* t = storage_type(p.type);
  llvm::Constant* init;
  CgValue v = const_value(p.value);
  if (p.type == plan::Type::String) {
    init = llvm::ConstantStruct::get(str_type(), {llvm::cast<llvm::Constant>(v.v),
                                                  llvm::cast<llvm::Constant>(v.len)});
  } else if (p.type == plan::Type::Bool) {
    init = builder_.getInt8(p.value.i ? 1 : 0);
  } else {
    init = llvm::cast<llvm::Constant>(v.v);
  }
  auto* g = new llvm::GlobalVariable(module_, t, false, llvm::GlobalValue::InternalLinkage, init,
                                     "param." + p.name);
  param_slots_[index] = g;
  return g;
}

static llvm::GlobalVariable* time_global(llvm::Module& m, llvm::Type* i64,
                                         std::map<int, llvm::GlobalVariable*>& cache, int source,
                                         const std::string& name) {
  auto it = cache.find(source);
  if (it != cache.end()) return it->second;
  auto* g = new llvm::GlobalVariable(m, i64, false, llvm::GlobalValue::InternalLinkage,
                                     llvm::ConstantInt::get(i64, INT64_MIN), name);
  cache[source] = g;
  return g;
}

llvm::GlobalVariable* CgContext::source_max_time(int source) {
  return time_global(module_, i64(), max_times_, source,
                     "source." + pipeline_.sources[source].name + ".max_time");
}

llvm::GlobalVariable* CgContext::source_watermark(int source) {
  return time_global(module_, i64(), watermarks_, source,
                     "source." + pipeline_.sources[source].name + ".watermark");
}

llvm::Function* CgContext::begin_function(const std::string& name, llvm::FunctionType* type,
                                          bool exported) {
  auto* f = llvm::Function::Create(
      type, exported ? llvm::Function::ExternalLinkage : llvm::Function::InternalLinkage, name,
      module_);
  fs_ = FunctionState{};
  fs_.fn = f;
  builder_.SetInsertPoint(llvm::BasicBlock::Create(llvm(), "entry", f));
  return f;
}

void CgContext::fail_record(const std::string& message) {
  fail_record(cstring(message), i64c(static_cast<int64_t>(message.size())));
}

void CgContext::fail_record(llvm::Value* msg, llvm::Value* len) {
  llvm::Value* rec = fs_.rec ? fs_.rec : llvm::ConstantPointerNull::get(ptr());
  builder_.CreateCall(runtime("flow_bad_record"), {fs_.ctx, i32c(fs_.source), rec, msg, len});
  builder_.CreateBr(fs_.next_record);
  ++fail_count_;
}

std::string CgContext::unique(const std::string& base) {
  int n = names_[base]++;
  return n == 0 ? base : base + "." + std::to_string(n);
}

}  // namespace flowc::codegen
