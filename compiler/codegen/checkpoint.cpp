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

// One slot: its keys, [its partition,] its state columns.
void write_slot(CgContext& cg, KeyedTable& table, const std::vector<Type>& key_types,
                const std::vector<StateColumn>& columns, llvm::Value* slot, llvm::Value* writer,
                bool with_partition) {
  auto& b = cg.b();
  for (size_t i = 0; i < key_types.size(); ++i) {
    CgValue k = table.key(slot, i);
    if (k.type == Type::String) {
      b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, k.v, k.len});
    } else {
      b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, key_bits(cg, k)});
    }
  }
  if (with_partition)
    b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, table.partition(slot)});
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
}

// Reads one slot written by write_slot and inserts it: into `partition`
// when given, else into the partition read after the keys (partitioned
// tables).
void read_slot(CgContext& cg, KeyedTable& table, const std::vector<Type>& key_types,
               const std::vector<StateColumn>& columns, llvm::Value* reader,
               llvm::Value* partition) {
  auto& b = cg.b();
  std::vector<CgValue> keys;
  for (Type t : key_types) {
    if (t == Type::String) {
      keys.push_back(read_bytes(cg, reader));
    } else {
      keys.push_back(key_from_bits(cg, t, b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader})));
    }
  }
  if (table.partitioned() && partition == nullptr) {
    partition = b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
  }
  llvm::Value* slot = table.probe(keys, partition, /*cold=*/true).first;
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
}

// Emits `while (ok(reader) && get() == 1) body();` (the markers of
// emit_table_snapshot_partition).
void marked_loop(CgContext& cg, llvm::Value* reader, const std::function<void()>& body) {
  auto& b = cg.b();
  llvm::Function* fn = cg.fs().fn;
  llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "restore.part.head", fn);
  llvm::BasicBlock* more = llvm::BasicBlock::Create(cg.llvm(), "restore.part.more", fn);
  llvm::BasicBlock* slot = llvm::BasicBlock::Create(cg.llvm(), "restore.part.slot", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "restore.part.done", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* marker = b.CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
  b.CreateCondBr(b.CreateICmpEQ(marker, cg.i64c(1)), more, done);
  b.SetInsertPoint(more);
  // A reader error stops the loop at once (a corrupt stream must not spin).
  llvm::Value* ok = b.CreateICmpNE(b.CreateCall(cg.runtime("flow_ckpt_ok"), {reader}), cg.i32c(0));
  b.CreateCondBr(ok, slot, done);
  b.SetInsertPoint(slot);
  body();
  b.CreateBr(head);
  b.SetInsertPoint(done);
}

}  // namespace

//   put(count); for each slot, in key order: put(keys...); [put(partition)]; put(columns...)
// Key order, not table order: which worker thread inserted a key first
// (--threads) must not change a checkpoint's bytes.
void emit_table_snapshot(CgContext& cg, KeyedTable& table, const std::vector<Type>& key_types,
                         const std::vector<StateColumn>& columns, llvm::Value* writer) {
  auto& b = cg.b();
  b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, table.count()});
  auto all = [&](llvm::Value*) { return b.getTrue(); };
  table.for_each_sorted(
      all,
      [&](llvm::Value* slot, llvm::BasicBlock*) {
        write_slot(cg, table, key_types, columns, slot, writer, table.partitioned());
      },
      false);
}

//   n = get(); repeat n: slot = insert(get keys..., [get partition]);
//                        columns = get...; slot->dirty = 0
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
  read_slot(cg, table, key_types, columns, reader, nullptr);
  b.CreateStore(b.CreateAdd(iv, cg.i64c(1)), i);
  b.CreateBr(head);
  b.SetInsertPoint(done);
}

//   for each slot with slot->partition == part: put(1); put(keys...); put(columns...); ++*slots
//   put(0)
void emit_table_snapshot_partition(CgContext& cg, KeyedTable& table,
                                   const std::vector<Type>& key_types,
                                   const std::vector<StateColumn>& columns, llvm::Value* part,
                                   llvm::Value* writer, llvm::Value* slots) {
  auto& b = cg.b();
  table.for_each_slot([&](llvm::Value* slot) {
    llvm::BasicBlock* mine = llvm::BasicBlock::Create(cg.llvm(), "part.slot", cg.fs().fn);
    llvm::BasicBlock* other = llvm::BasicBlock::Create(cg.llvm(), "part.other", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpEQ(table.partition(slot), part), mine, other);
    b.SetInsertPoint(mine);
    b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, cg.i64c(1)});
    write_slot(cg, table, key_types, columns, slot, writer, false);
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), slots), cg.i64c(1)), slots);
    b.CreateBr(other);
    b.SetInsertPoint(other);
  });
  b.CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, cg.i64c(0)});
}

//   while (get() == 1) insert(get keys..., part); columns = get...
void emit_table_restore_partition(CgContext& cg, KeyedTable& table,
                                  const std::vector<Type>& key_types,
                                  const std::vector<StateColumn>& columns, llvm::Value* part,
                                  llvm::Value* reader) {
  marked_loop(cg, reader, [&] { read_slot(cg, table, key_types, columns, reader, part); });
}

//   erase_if(slot->partition == part: release(slot))
void emit_table_drop_partition(CgContext& cg, KeyedTable& table, llvm::Value* part,
                               const std::function<void(llvm::Value* slot)>& release) {
  llvm::Value* arg = cg.entry_alloca(cg.i64(), "drop.partition");
  cg.b().CreateStore(part, arg);
  table.erase_if(
      "drop_partition",
      [&](llvm::Value* slot, llvm::Value* given) {
        auto& b = cg.b();
        llvm::Value* mine = b.CreateICmpEQ(table.partition(slot), b.CreateLoad(cg.i64(), given));
        llvm::BasicBlock* free_it = llvm::BasicBlock::Create(cg.llvm(), "drop.free", cg.fs().fn);
        llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "drop.keep", cg.fs().fn);
        b.CreateCondBr(mine, free_it, keep);
        b.SetInsertPoint(free_it);
        release(slot);
        b.CreateRet(cg.i32c(1));
        b.SetInsertPoint(keep);
        return b.getFalse();
      },
      arg);
}

void emit_global_snapshot(CgContext& cg, llvm::Value* g, llvm::Value* writer) {
  cg.b().CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, cg.b().CreateLoad(cg.i64(), g)});
}

void emit_global_restore(CgContext& cg, llvm::Value* g, llvm::Value* reader) {
  cg.b().CreateStore(cg.b().CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader}), g);
}

}  // namespace flowc::codegen
