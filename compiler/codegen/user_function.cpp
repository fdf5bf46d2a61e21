#include "codegen/user_function.h"

#include <llvm/IR/Attributes.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Module.h>

#include "support/internal_error.h"

namespace flowc::codegen {

using plan::Type;

namespace {

// Integer registers for arguments in x86-64 System V: rdi rsi rdx rcx r8 r9.
constexpr int kIntegerArgRegisters = 6;

// How clang passes one .flow argument (the table in user_function.h).
enum class Passed { Value, Pair, ByVal };

std::vector<Passed> argument_passing(const std::vector<Type>& args) {
  int free = kIntegerArgRegisters;
  std::vector<Passed> out;
  for (Type t : args) {
    if (t != Type::String) {
      out.push_back(Passed::Value);
      if (t != Type::Float && free > 0) --free;  // doubles go in xmm registers
    } else if (free >= 2) {
      out.push_back(Passed::Pair);
      free -= 2;
    } else {
      out.push_back(Passed::ByVal);  // in memory; the registers stay free
    }
  }
  return out;
}

llvm::Type* scalar_type(llvm::LLVMContext& c, Type t) {
  switch (t) {
    case Type::Bool: return llvm::Type::getInt1Ty(c);
    case Type::Float: return llvm::Type::getDoubleTy(c);
    case Type::String:  // a result: the two registers rax:rdx
      return llvm::StructType::get(llvm::PointerType::get(c, 0), llvm::Type::getInt64Ty(c));
    default: return llvm::Type::getInt64Ty(c);
  }
}

llvm::FunctionType* lowered_type(llvm::LLVMContext& c, const plan::Function& fn) {
  std::vector<llvm::Type*> params;
  std::vector<Passed> passing = argument_passing(fn.args);
  for (size_t i = 0; i < fn.args.size(); ++i) {
    switch (passing[i]) {
      case Passed::Value: params.push_back(scalar_type(c, fn.args[i])); break;
      case Passed::Pair:
        params.push_back(llvm::PointerType::get(c, 0));
        params.push_back(llvm::Type::getInt64Ty(c));
        break;
      case Passed::ByVal: params.push_back(llvm::PointerType::get(c, 0)); break;
    }
  }
  return llvm::FunctionType::get(scalar_type(c, fn.result), params, false);
}

const char* c_type(Type t) {
  switch (t) {
    case Type::Bool: return "bool";
    case Type::Float: return "double";
    case Type::String: return "FlowStr";
    default: return "int64_t";
  }
}

// An LLVM type as the C type it most likely came from.
std::string c_type_of(llvm::Type* t) {
  if (t->isVoidTy()) return "void";
  if (t->isDoubleTy()) return "double";
  if (t->isFloatTy()) return "float";
  if (t->isIntegerTy(1)) return "bool";
  if (t->isIntegerTy()) return "int" + std::to_string(t->getIntegerBitWidth()) + "_t";
  if (t->isPointerTy()) return "pointer";
  auto* s = llvm::dyn_cast<llvm::StructType>(t);
  if (s && s->getNumElements() == 2 && s->getElementType(0)->isPointerTy() &&
      s->getElementType(1)->isIntegerTy(64)) {
    return "FlowStr";
  }
  std::string text;
  llvm::raw_string_ostream out(text);
  t->print(out);
  return text;
}

// `int32_t is_view(FlowStr)`: the definition read back from its lowering.
// A `ptr, i64` pair reads as a FlowStr where clang would pass one in two
// registers, as argument_passing decides.
std::string c_text_of(const llvm::Function& f) {
  std::string out = c_type_of(f.getReturnType()) + " " + f.getName().str() + "(";
  const llvm::FunctionType* type = f.getFunctionType();
  int free = kIntegerArgRegisters;
  for (unsigned i = 0; i < type->getNumParams(); ++i) {
    if (i > 0) out += ", ";
    llvm::Type* p = type->getParamType(i);
    if (f.hasParamAttribute(i, llvm::Attribute::ByVal)) {
      out += "FlowStr";
    } else if (p->isPointerTy() && free >= 2 && i + 1 < type->getNumParams() &&
               type->getParamType(i + 1)->isIntegerTy(64)) {
      out += "FlowStr";
      free -= 2;
      ++i;
    } else {
      out += c_type_of(p);
      if ((p->isIntegerTy() || p->isPointerTy()) && free > 0) --free;
    }
  }
  if (type->isVarArg()) out += type->getNumParams() ? ", ..." : "...";
  return out + ")";
}

bool is_flow_str(llvm::Type* t, const llvm::DataLayout& layout) {
  auto* s = llvm::dyn_cast_or_null<llvm::StructType>(t);
  return s && s->getNumElements() == 2 && s->getElementType(0)->isPointerTy() &&
         s->getElementType(1)->isIntegerTy(64) && layout.getTypeAllocSize(s) == 16;
}

// The declaration calls go to; the engine links the definition in.
llvm::Function* declare(CgContext& cg, const plan::Function& fn) {
  llvm::Module& m = cg.module();
  llvm::FunctionType* type = lowered_type(cg.llvm(), fn);
  llvm::Function* f = m.getFunction(fn.symbol);
  if (f && f->isDeclaration() && f->getFunctionType() == type) return f;
  if (llvm::GlobalValue* taken = m.getNamedValue(fn.symbol)) {
    // One of codegen's own symbols ("window", "session"): they are internal
    // and go by pointer, so the C++ function takes the name. Sema and the
    // driver keep flowc's external symbols (flow_*, the stdlib's) out.
    check_invariant(taken->hasLocalLinkage(),
                    "a C++ function's name is an external symbol of the pipeline module");
    taken->setName(std::string(fn.symbol) + ".flowc");
  }
  f = llvm::Function::Create(type, llvm::Function::ExternalLinkage, fn.symbol, m);
  std::vector<Passed> passing = argument_passing(fn.args);
  unsigned ir = 0;
  for (size_t i = 0; i < fn.args.size(); ++i) {
    if (passing[i] == Passed::ByVal) {
      f->addParamAttr(ir, llvm::Attribute::getWithByValType(cg.llvm(), cg.str_type()));
      f->addParamAttr(ir, llvm::Attribute::getWithAlignment(cg.llvm(), llvm::Align(8)));
    } else if (fn.args[i] == Type::Bool) {
      f->addParamAttr(ir, llvm::Attribute::ZExt);
    }
    ir += passing[i] == Passed::Pair ? 2 : 1;
  }
  if (fn.result == Type::Bool) f->addRetAttr(llvm::Attribute::ZExt);
  return f;
}

}  // namespace

std::string c_declaration(const plan::UserFunction& fn) {
  std::string out = std::string("extern \"C\" ") + c_type(fn.fn.result) + " " + fn.name + "(";
  for (size_t i = 0; i < fn.fn.args.size(); ++i) {
    out += (i ? ", " : "") + std::string(c_type(fn.fn.args[i])) + " " + fn.arg_names[i];
  }
  return out + ")";
}

std::string check_user_function(const plan::UserFunction& fn, const llvm::Function& defined) {
  bool same = defined.getFunctionType() == lowered_type(defined.getContext(), fn.fn);
  // A FlowStr in memory is `ptr byval(FlowStr)`; any other `ptr` is not one.
  std::vector<Passed> passing = argument_passing(fn.fn.args);
  const llvm::DataLayout& layout = defined.getParent()->getDataLayout();
  unsigned ir = 0;
  for (size_t i = 0; same && i < passing.size(); ++i) {
    bool byval = defined.hasParamAttribute(ir, llvm::Attribute::ByVal);
    same = passing[i] == Passed::ByVal ? byval && is_flow_str(defined.getParamByValType(ir), layout)
                                       : !byval;
    ir += passing[i] == Passed::Pair ? 2 : 1;
  }
  return same ? "" : c_text_of(defined);
}

//   FlowStr r = name(a.ptr, a.len, ...);   // the table in user_function.h
CgValue emit_user_call(CgContext& cg, const plan::Function& fn, const std::vector<CgValue>& args) {
  // flow_udf_alloc allocates from the arena flow_scratch last handed out on
  // this thread (runtime/udf_alloc.h): every function that evaluates
  // expressions asks for it first.
  check_invariant(cg.fs().arena != nullptr,
                  "a C++ function is called from a function that did not call flow_scratch");
  auto& b = cg.b();
  llvm::Function* f = declare(cg, fn);
  std::vector<Passed> passing = argument_passing(fn.args);
  std::vector<llvm::Value*> ir_args;
  for (size_t i = 0; i < args.size(); ++i) {
    switch (passing[i]) {
      case Passed::Value: ir_args.push_back(args[i].v); break;
      case Passed::Pair:
        ir_args.push_back(args[i].v);
        ir_args.push_back(args[i].len);
        break;
      case Passed::ByVal: {
        llvm::AllocaInst* slot = cg.entry_alloca(cg.str_type(), std::string(fn.symbol) + ".arg");
        cg.store_value(args[i], slot);
        ir_args.push_back(slot);
        break;
      }
    }
  }
  llvm::CallInst* call = b.CreateCall(f, ir_args);
  call->setAttributes(f->getAttributes());  // zeroext, byval: the callee's ABI
  if (fn.result != Type::String) return {fn.result, call, nullptr};
  return {Type::String, b.CreateExtractValue(call, 0), b.CreateExtractValue(call, 1)};
}

}  // namespace flowc::codegen
