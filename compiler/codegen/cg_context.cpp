#include "codegen/cg_context.h"

#include <llvm/IR/Constants.h>

#include "abi.h"
#include "support/internal_error.h"

namespace flowc::codegen {

CgContext::CgContext(llvm::Module& module, const plan::Pipeline& pipeline, bool fold_params)
    : module_(module), pipeline_(pipeline), fold_params_(fold_params), builder_(module.getContext()) {}

llvm::StructType* CgContext::abi_type(const std::string& name) {
  llvm::StructType* t = llvm::StructType::getTypeByName(llvm(), "struct." + name);
  if (t == nullptr) internal_error("the ABI struct '" + name + "' is not in the stdlib bitcode");
  return t;
}

unsigned CgContext::abi_field(llvm::StructType* type, size_t offset) {
  const llvm::StructLayout* layout = module_.getDataLayout().getStructLayout(type);
  if (offset >= layout->getSizeInBytes()) {
    internal_error("offset " + std::to_string(offset) + " is outside " + type->getName().str());
  }
  unsigned field = layout->getElementContainingOffset(offset);
  if (layout->getElementOffset(field) != offset) {
    internal_error("offset " + std::to_string(offset) + " is not a field of " +
                   type->getName().str());
  }
  return field;
}

llvm::Value* CgContext::abi_gep(llvm::StructType* type, llvm::Value* base, size_t offset) {
  return builder_.CreateStructGEP(type, base, abi_field(type, offset));
}

llvm::Value* CgContext::batch_field(size_t offset) {
  return builder_.CreateLoad(i64(), abi_gep(batch_type(), fs_.batch, offset));
}

AbiConstant& AbiConstant::set(size_t offset, llvm::Constant* value) {
  fields_[cg_.abi_field(type_, offset)] = value;
  return *this;
}

llvm::Constant* AbiConstant::get() const {
  std::vector<llvm::Constant*> values;
  for (unsigned i = 0; i < fields_.size(); ++i) {
    values.push_back(fields_[i] ? fields_[i]
                                : llvm::Constant::getNullValue(type_->getElementType(i)));
  }
  return llvm::ConstantStruct::get(type_, values);
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
    internal_error("stdlib function '" + name + "' is not in the stdlib bitcode");
  }
  return f;
}

llvm::Function* CgContext::runtime(const std::string& name) {
  llvm::Function* f = module_.getFunction(name);
  if (f == nullptr || !f->isDeclaration()) {
    internal_error("'" + name + "' is not a function of the runtime ABI (runtime/abi.h)");
  }
  return f;
}

llvm::Value* CgContext::ctx_call_at_entry(const std::string& name) {
  llvm::Function* callee = runtime(name);
  // Only when ctx is the function's argument: anything else may be
  // defined after the entry's start.
  if (!llvm::isa<llvm::Argument>(fs_.ctx)) return builder_.CreateCall(callee, {fs_.ctx});
  llvm::Value*& v = entry_calls_[{fs_.fn, name}];
  if (v == nullptr) {
    llvm::BasicBlock& entry = fs_.fn->getEntryBlock();
    llvm::IRBuilder<> at(&entry, entry.getFirstInsertionPt());
    v = at.CreateCall(callee, {fs_.ctx});
  }
  return v;
}

void CgContext::add_state_table(int stream, llvm::Constant* table, int parts) {
  state_tables_.push_back({stream, table, parts});
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

llvm::GlobalVariable* CgContext::source_descriptors() {
  if (source_descriptors_ == nullptr) {
    size_t n = pipeline_.sources.size() + pipeline_.tables.size();
    auto* type = llvm::ArrayType::get(abi_type("FlowSourceDesc"), n);
    // Written by configure: not constant. Its initializer comes last.
    source_descriptors_ = new llvm::GlobalVariable(
        module_, type, false, llvm::GlobalValue::PrivateLinkage, nullptr, "sources");
  }
  return source_descriptors_;
}

llvm::Value* CgContext::duration(const plan::Duration& d) {
  if (constant_duration(d)) return i64c(d.ms);
  return builder_.CreateLoad(i64(), param_slot(d.param));
}

CgValue CgContext::param_constant(const plan::Value& v, const plan::ParamExpr& expr,
                                  const std::string& what) {
  if (fold_params_ || !expr) return const_value(v);
  llvm::GlobalVariable* global = nullptr;
  for (const ParamConstant& c : param_constants_) {
    if (c.expr == expr) global = c.global;
  }
  if (global == nullptr) {
    // Holds the compile-time value until configure runs (the same value
    // unless --param changes it).
    llvm::Type* t = storage_type(expr->type);
    CgValue init = const_value(v);
    llvm::Constant* value;
    if (expr->type == plan::Type::String) {
      value = llvm::ConstantStruct::get(
          str_type(), {llvm::cast<llvm::Constant>(init.v), llvm::cast<llvm::Constant>(init.len)});
    } else if (expr->type == plan::Type::Bool) {
      value = builder_.getInt8(v.i ? 1 : 0);
    } else {
      value = llvm::cast<llvm::Constant>(init.v);
    }
    global = new llvm::GlobalVariable(module_, t, false, llvm::GlobalValue::InternalLinkage, value,
                                      "param.constant");
    param_constants_.push_back({expr, global, what});
  }
  return load_value(expr->type, global);
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

llvm::GlobalVariable* CgContext::source_max_times(int source) {
  auto it = max_times_.find(source);
  if (it != max_times_.end()) return it->second;
  return max_times_[source] = worker_global(
             i64(), i64c(INT64_MIN), "source." + pipeline_.sources[source].name + ".max_time");
}

llvm::Value* CgContext::source_max_time(int source) {
  return worker_slot(source_max_times(source));
}

llvm::GlobalVariable* CgContext::source_watermark(int source) {
  return time_global(module_, i64(), watermarks_, source,
                     "source." + pipeline_.sources[source].name + ".watermark");
}

llvm::GlobalVariable* CgContext::source_watermark_at_start(int source) {
  return time_global(module_, i64(), watermarks_at_start_, source,
                     "source." + pipeline_.sources[source].name + ".watermark_at_start");
}

llvm::GlobalVariable* CgContext::worker_global(llvm::Type* type, llvm::Constant* init,
                                               const std::string& name) {
  // { value, padding up to the next FLOW_WORKER_SLOT_BYTES } per worker.
  const uint64_t size = module_.getDataLayout().getTypeAllocSize(type);
  const uint64_t stride = llvm::alignTo(size, FLOW_WORKER_SLOT_BYTES);
  std::vector<llvm::Type*> fields{type};
  if (stride > size) fields.push_back(llvm::ArrayType::get(i8(), stride - size));
  auto* slot = llvm::StructType::get(llvm(), fields);
  auto* array = llvm::ArrayType::get(slot, FLOW_MAX_WORKERS);
  llvm::Constant* value = llvm::ConstantAggregateZero::get(array);
  if (init != nullptr && !init->isNullValue()) {
    std::vector<llvm::Constant*> slot_init{init};
    if (fields.size() > 1) slot_init.push_back(llvm::ConstantAggregateZero::get(fields[1]));
    value = llvm::ConstantArray::get(
        array,
        std::vector<llvm::Constant*>(FLOW_MAX_WORKERS, llvm::ConstantStruct::get(slot, slot_init)));
  }
  auto* g = new llvm::GlobalVariable(module_, array, false, llvm::GlobalValue::InternalLinkage,
                                     value, name);
  g->setAlignment(llvm::Align(FLOW_WORKER_SLOT_BYTES));
  return g;
}

llvm::Value* CgContext::worker_slot(llvm::GlobalVariable* g) {
  return worker_slot(g, fs_.worker != nullptr ? fs_.worker : i32c(0));
}

llvm::Value* CgContext::worker_slot(llvm::GlobalVariable* g, llvm::Value* worker) {
  return builder_.CreateInBoundsGEP(g->getValueType(), g, {i32c(0), worker, i32c(0)});
}

llvm::Constant* CgContext::worker0_slot(llvm::GlobalVariable* g) {
  return llvm::ConstantExpr::getInBoundsGetElementPtr(
      g->getValueType(), g, llvm::ArrayRef<llvm::Constant*>{i32c(0), i32c(0), i32c(0)});
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
  if (fs_.on_failure) {
    fs_.on_failure(msg, len);
    builder_.CreateBr(fs_.next_record);
    ++fail_count_;
    return;
  }
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
