#include "codegen/checkpoint.h"

namespace flowc::codegen {

namespace {

using plan::Type;

// An i64 holding the bits of a key (floats bit for bit, bools 0/1).
llvm::Value* key_bits(CgContext& cg, const CgValue& v) {
  auto& b = cg.b();
  if (v.type == Type::Float) return b.CreateBitCast(v.v, cg.i64());
  if (v.type == Type::Bool) return b.CreateZExt(v.v, cg.i64());
  return v.v;
}

CgValue key_from_bits(CgContext& cg, Type t, llvm::Value* bits) {
  auto& b = cg.b();
  if (t == Type::Float) return {t, b.CreateBitCast(bits, cg.f64()), nullptr};
  if (t == Type::Bool) return {t, b.CreateICmpNE(bits, cg.i64c(0)), nullptr};
  return {t, bits, nullptr};
}

CgValue read_bytes(CgContext& cg, llvm::Value* reader) {
  llvm::Value* out = cg.entry_alloca(cg.str_type(), "ckpt.bytes");
  cg.b().CreateCall(cg.runtime("flow_ckpt_get_bytes"), {reader, out});
  return cg.load_value(Type::String, out);
}

}  // namespace

//   put(count); for each slot, in key order: put(keys...); put(columns...)
// Key order, not table order: which worker thread inserted a key first
// (--threads) must not change a checkpoint's bytes.
void emit_table_snapshot(CgContext& cg, KeyedTable& table, const std::vector<Type>& key_types,
                         const std::vector<StateColumn>& columns, llvm::Value* writer) {
  auto& b = cg.b();
  llvm::Value* ht = b.CreateLoad(cg.ptr(), table.table_global());
  llvm::Value* count = b.CreateSelect(b.CreateIsNull(ht), cg.i64c(0),
                                      b.CreateCall(cg.stdlib("flow_ht_count"), {ht}));
  b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, count});
  auto all = [&](llvm::Value*) { return b.getTrue(); };
  table.for_each_sorted(all, [&](llvm::Value* slot, llvm::BasicBlock*) {
    for (size_t i = 0; i < key_types.size(); ++i) {
      CgValue k = table.key(slot, i);
      if (k.type == Type::String) {
        b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, k.v, k.len});
      } else {
        b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, key_bits(cg, k)});
      }
    }
    for (const StateColumn& c : columns) {
      llvm::Value* at = table.field(slot, c.offset);
      switch (c.kind) {
        case ColumnKind::Scalar:
          b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, b.CreateLoad(cg.i64(), at)});
          break;
        case ColumnKind::StrBuf: {
          CgValue s = cg.load_value(Type::String, at);
          b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, s.v, s.len});
          break;
        }
        case ColumnKind::Distinct:
          b.CreateCall(cg.runtime("flow_ckpt_put_distinct"), {writer, b.CreateLoad(cg.ptr(), at)});
          break;
      }
    }
  }, false);
}

//   n = get(); repeat n: slot = insert(get keys...); columns = get...; slot->dirty = 0
void emit_table_restore(CgContext& cg, KeyedTable& table, const std::vector<Type>& key_types,
                        const std::vector<StateColumn>& columns, llvm::Value* reader) {
  auto& b = cg.b();
  llvm::Function* fn = cg.fs().fn;
  llvm::Value* count = b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
  llvm::Value* i = cg.entry_alloca(cg.i64(), "restore.i");
  b.CreateStore(cg.i64c(0), i);
  llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "restore.head", fn);
  llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "restore.body", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "restore.done", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* iv = b.CreateLoad(cg.i64(), i);
  // A reader error stops the loop at once (a corrupt count must not spin).
  llvm::Value* ok = b.CreateICmpNE(b.CreateCall(cg.runtime("flow_ckpt_ok"), {reader}), cg.i32c(0));
  b.CreateCondBr(b.CreateAnd(ok, b.CreateICmpSLT(iv, count)), body, done);
  b.SetInsertPoint(body);
  std::vector<CgValue> keys;
  for (Type t : key_types) {
    if (t == Type::String) {
      keys.push_back(read_bytes(cg, reader));
    } else {
      keys.push_back(key_from_bits(cg, t, b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader})));
    }
  }
  llvm::Value* slot = table.probe(keys).first;
  for (const StateColumn& c : columns) {
    llvm::Value* at = table.field(slot, c.offset);
    switch (c.kind) {
      case ColumnKind::Scalar:
        b.CreateStore(b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader}), at);
        break;
      case ColumnKind::StrBuf: {
        CgValue s = read_bytes(cg, reader);
        b.CreateCall(cg.stdlib("flow_strbuf_set"), {at, s.v, s.len});
        break;
      }
      case ColumnKind::Distinct:
        b.CreateStore(b.CreateCall(cg.runtime("flow_ckpt_get_distinct"), {reader}), at);
        break;
    }
  }
  b.CreateStore(b.getInt8(0), table.field(slot, kSlotDirtyOffset));
  b.CreateStore(b.CreateAdd(iv, cg.i64c(1)), i);
  b.CreateBr(head);
  b.SetInsertPoint(done);
}

void emit_global_snapshot(CgContext& cg, llvm::Value* g, llvm::Value* writer) {
  cg.b().CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, cg.b().CreateLoad(cg.i64(), g)});
}

void emit_global_restore(CgContext& cg, llvm::Value* g, llvm::Value* reader) {
  cg.b().CreateStore(cg.b().CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader}), g);
}

}  // namespace flowc::codegen
