#include "codegen/join_buffer.h"

#include <llvm/IR/Constants.h>

#include "codegen/checkpoint.h"

namespace flowc::codegen {

namespace {

using plan::Type;

llvm::StructType* list_type(CgContext& cg) {  // FlowRowList {char* data, i64 len, i64 cap}
  return llvm::StructType::get(cg.llvm(), {cg.ptr(), cg.i64(), cg.i64()});
}

llvm::Value* load_len(CgContext& cg, llvm::Value* list) {
  return cg.b().CreateLoad(cg.i64(), cg.b().CreateStructGEP(list_type(cg), list, 1));
}

// An i64 holding the bits of a scalar (floats bit for bit, bools 0/1).
llvm::Value* bits_of(CgContext& cg, const CgValue& v) {
  auto& b = cg.b();
  if (v.type == Type::Float) return b.CreateBitCast(v.v, cg.i64());
  if (v.type == Type::Bool) return b.CreateZExt(v.v, cg.i64());
  return v.v;
}

CgValue from_bits(CgContext& cg, Type t, llvm::Value* bits) {
  auto& b = cg.b();
  if (t == Type::Float) return {t, b.CreateBitCast(bits, cg.f64()), nullptr};
  if (t == Type::Bool) return {t, b.CreateICmpNE(bits, cg.i64c(0)), nullptr};
  return {t, bits, nullptr};
}

void put_i64(CgContext& cg, llvm::Value* writer, llvm::Value* v) {
  cg.b().CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, v});
}

llvm::Value* get_i64(CgContext& cg, llvm::Value* reader) {
  return cg.b().CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
}

CgValue get_bytes(CgContext& cg, llvm::Value* reader) {
  llvm::Value* out = cg.entry_alloca(cg.str_type(), "join.ckpt.bytes");
  cg.b().CreateCall(cg.runtime("flow_ckpt_get_bytes"), {reader, out});
  return cg.load_value(Type::String, out);
}

}  // namespace

JoinBuffer::JoinBuffer(const std::string& name, Type key_type, std::vector<Type> fields)
    : name_(name), key_type_(key_type), field_types_(std::move(fields)) {
  for (Type t : field_types_) {
    field_offsets_.push_back(row_size_);
    row_size_ += value_bytes(t);
  }
}

// The table and its globals are made by the first side that needs them.
void JoinBuffer::prepare(CgContext& cg) {
  if (table_) return;
  table_ = std::make_unique<KeyedTable>(cg, name_, std::vector<Type>{key_type_}, layout_,
                                        KeyedTable::KeyStorage::Owned);
  list_offset_ = layout_.add(24);  // FlowRowList
  earliest_ =
      new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                               cg.i64c(INT64_MAX), name_ + ".earliest");
}

llvm::Value* JoinBuffer::list_of(CgContext& cg, llvm::Value* slot) {
  return table_->field(slot, list_offset_);
}

llvm::Value* JoinBuffer::row_at(CgContext& cg, llvm::Value* list, llvm::Value* index) {
  auto& b = cg.b();
  llvm::Value* data = b.CreateLoad(cg.ptr(), b.CreateStructGEP(list_type(cg), list, 0));
  return b.CreateInBoundsGEP(cg.i8(), data, b.CreateMul(index, cg.i64c(row_size_)));
}

llvm::Value* JoinBuffer::time(CgContext& cg, llvm::Value* row) {
  return cg.b().CreateLoad(cg.i64(), cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, kTime));
}

llvm::Value* JoinBuffer::seq(CgContext& cg, llvm::Value* row) {
  return cg.b().CreateLoad(cg.i64(), cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, kSeq));
}

llvm::Value* JoinBuffer::matched_at(CgContext& cg, llvm::Value* row) {
  return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, kMatched);
}

Row JoinBuffer::fields(CgContext& cg, llvm::Value* row) {
  Row out;
  for (size_t i = 0; i < field_types_.size(); ++i) {
    llvm::Value* at =
        cg.b().CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(field_offsets_[i]));
    out.push_back(cg.load_value(field_types_[i], at));
  }
  return out;
}

//   row = flow_rows_append(&find_or_insert(table, key)->rows, size);
//   row->time = time; row->seq = seq; row->matched = matched;
//   row->field_i = v_i (strings: flow_bytes_dup); earliest = min(earliest, time)
void JoinBuffer::add(CgContext& cg, const CgValue& key, llvm::Value* t, llvm::Value* seq,
                     llvm::Value* matched, const Row& fields) {
  auto& b = cg.b();
  prepare(cg);
  llvm::Value* slot = table_->probe({key}).first;
  llvm::Value* row =
      b.CreateCall(cg.stdlib("flow_rows_append"), {list_of(cg, slot), cg.i64c(row_size_)});
  b.CreateStore(t, b.CreateConstInBoundsGEP1_64(cg.i8(), row, kTime));
  b.CreateStore(seq, b.CreateConstInBoundsGEP1_64(cg.i8(), row, kSeq));
  b.CreateStore(matched, matched_at(cg, row));
  for (size_t i = 0; i < field_types_.size(); ++i) {
    if (fields[i].v == nullptr) continue;  // not read downstream: stays 0
    llvm::Value* at =
        b.CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(field_offsets_[i]));
    CgValue v = fields[i];
    v.type = field_types_[i];
    if (v.type == Type::String) v.v = b.CreateCall(cg.stdlib("flow_bytes_dup"), {v.v, v.len});
    cg.store_value(v, at);
  }
  llvm::Value* earliest = b.CreateLoad(cg.i64(), earliest_);
  b.CreateStore(b.CreateSelect(b.CreateICmpSLT(t, earliest), t, earliest), earliest_);
}

void JoinBuffer::loop(CgContext& cg, llvm::Value* n, llvm::Value* reader,
                      const std::function<void(llvm::Value*)>& body) {
  auto& b = cg.b();
  llvm::Function* fn = cg.fs().fn;
  llvm::Value* i = cg.entry_alloca(cg.i64(), name_ + ".i");
  b.CreateStore(cg.i64c(0), i);
  llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "rows.head", fn);
  llvm::BasicBlock* visit = llvm::BasicBlock::Create(cg.llvm(), "rows.body", fn);
  llvm::BasicBlock* step = llvm::BasicBlock::Create(cg.llvm(), "rows.step", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(cg.llvm(), "rows.done", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* iv = b.CreateLoad(cg.i64(), i);
  llvm::Value* go = b.CreateICmpSLT(iv, n);
  if (reader) {
    go = b.CreateAnd(
        go, b.CreateICmpNE(b.CreateCall(cg.runtime("flow_ckpt_ok"), {reader}), cg.i32c(0)));
  }
  b.CreateCondBr(go, visit, exit);
  b.SetInsertPoint(visit);
  body(iv);
  b.CreateBr(step);
  b.SetInsertPoint(step);
  b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), i), cg.i64c(1)), i);
  b.CreateBr(head);
  b.SetInsertPoint(exit);
}

//   slot = find(table, key);
//   if (slot) for (i = 0; i < slot->rows.len; ++i) body(&slot->rows.data[i])
void JoinBuffer::for_each_row(CgContext& cg, const CgValue& key,
                              const std::function<void(llvm::Value*)>& body) {
  auto& b = cg.b();
  prepare(cg);
  llvm::Value* slot = table_->find({key});
  llvm::BasicBlock* some = llvm::BasicBlock::Create(cg.llvm(), "join.rows", cg.fs().fn);
  llvm::BasicBlock* none = llvm::BasicBlock::Create(cg.llvm(), "join.rows.done", cg.fs().fn);
  b.CreateCondBr(b.CreateIsNull(slot), none, some);
  b.SetInsertPoint(some);
  llvm::Value* list = list_of(cg, slot);
  // The list does not change while its rows are visited: nothing downstream
  // of a join reaches back into it.
  loop(cg, load_len(cg, list), nullptr, [&](llvm::Value* i) { body(row_at(cg, list, i)); });
  b.CreateBr(none);
  b.SetInsertPoint(none);
}

//   if (earliest <= bound)
//     for each slot, for each row: if (row->time <= bound) body(row)
void JoinBuffer::for_each_due(CgContext& cg, llvm::Value* bound,
                              const std::function<void(llvm::Value*)>& body) {
  auto& b = cg.b();
  prepare(cg);
  llvm::BasicBlock* scan = llvm::BasicBlock::Create(cg.llvm(), "due.scan", cg.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "due.done", cg.fs().fn);
  b.CreateCondBr(b.CreateICmpSLE(b.CreateLoad(cg.i64(), earliest_), bound), scan, done);
  b.SetInsertPoint(scan);
  table_->for_each_slot([&](llvm::Value* slot) {
    llvm::Value* list = list_of(cg, slot);
    loop(cg, load_len(cg, list), nullptr, [&](llvm::Value* i) {
      llvm::Value* row = row_at(cg, list, i);
      llvm::BasicBlock* due = llvm::BasicBlock::Create(cg.llvm(), "due.row", cg.fs().fn);
      llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "due.next", cg.fs().fn);
      b.CreateCondBr(b.CreateICmpSLE(time(cg, row), bound), due, next);
      b.SetInsertPoint(due);
      body(row);
      b.CreateBr(next);
      b.SetInsertPoint(next);
    });
  });
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

// The predicate of erase_if, in a function of its own; arg -> {bound,
// earliest of the rows kept}:
//   kept = 0;
//   for (i = 0; i < len; ++i)
//     if (rows[i].time <= bound) free its strings;
//     else { rows[kept++] = rows[i]; earliest = min(earliest, rows[i].time); }
//   flow_rows_truncate(&rows, size, kept);
//   if (kept == 0) { free the key; return 1; }   // the slot goes
//   return 0;
llvm::Value* JoinBuffer::compact(CgContext& cg, llvm::Value* slot, llvm::Value* arg) {
  auto& b = cg.b();
  llvm::Value* bound = b.CreateLoad(cg.i64(), arg);
  llvm::Value* earliest_at = b.CreateConstInBoundsGEP1_64(cg.i64(), arg, 1);
  llvm::Value* list = list_of(cg, slot);
  llvm::Value* kept = cg.entry_alloca(cg.i64(), "join.kept");
  b.CreateStore(cg.i64c(0), kept);
  loop(cg, load_len(cg, list), nullptr, [&](llvm::Value* i) {
    llvm::Value* row = row_at(cg, list, i);
    llvm::Value* t = time(cg, row);
    llvm::BasicBlock* drop = llvm::BasicBlock::Create(cg.llvm(), "row.drop", cg.fs().fn);
    llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "row.keep", cg.fs().fn);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg.llvm(), "row.next", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpSLE(t, bound), drop, keep);
    b.SetInsertPoint(drop);
    for (size_t f = 0; f < field_types_.size(); ++f) {
      if (field_types_[f] != Type::String) continue;
      llvm::Value* at =
          b.CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(field_offsets_[f]));
      b.CreateCall(cg.stdlib("flow_bytes_free"), {b.CreateLoad(cg.ptr(), at)});
    }
    b.CreateBr(next);
    b.SetInsertPoint(keep);
    llvm::Value* k = b.CreateLoad(cg.i64(), kept);
    llvm::Value* to = row_at(cg, list, k);
    for (int64_t w = 0; w < row_size_; w += 8) {  // rows are whole words
      llvm::Value* word = b.CreateLoad(
          cg.i64(), b.CreateConstInBoundsGEP1_64(cg.i8(), row, static_cast<uint64_t>(w)));
      b.CreateStore(word, b.CreateConstInBoundsGEP1_64(cg.i8(), to, static_cast<uint64_t>(w)));
    }
    b.CreateStore(b.CreateAdd(k, cg.i64c(1)), kept);
    llvm::Value* least = b.CreateLoad(cg.i64(), earliest_at);
    b.CreateStore(b.CreateSelect(b.CreateICmpSLT(t, least), t, least), earliest_at);
    b.CreateBr(next);
    b.SetInsertPoint(next);
  });
  llvm::Value* k = b.CreateLoad(cg.i64(), kept);
  b.CreateCall(cg.stdlib("flow_rows_truncate"), {list, cg.i64c(row_size_), k});
  llvm::BasicBlock* gone = llvm::BasicBlock::Create(cg.llvm(), "key.gone", cg.fs().fn);
  llvm::BasicBlock* stays = llvm::BasicBlock::Create(cg.llvm(), "key.stays", cg.fs().fn);
  b.CreateCondBr(b.CreateICmpEQ(k, cg.i64c(0)), gone, stays);
  b.SetInsertPoint(gone);
  table_->release_keys(slot);
  b.CreateRet(cg.i32c(1));
  b.SetInsertPoint(stays);
  return b.getFalse();
}

//   if (earliest <= bound) {
//     struct { int64_t bound, earliest; } arg = {bound, INT64_MAX};
//     flow_ht_erase_if(table, compact, &arg);
//     earliest = arg.earliest;
//   }
void JoinBuffer::expire(CgContext& cg, llvm::Value* bound) {
  auto& b = cg.b();
  prepare(cg);
  llvm::BasicBlock* run = llvm::BasicBlock::Create(cg.llvm(), "expire.run", cg.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "expire.done", cg.fs().fn);
  b.CreateCondBr(b.CreateICmpSLE(b.CreateLoad(cg.i64(), earliest_), bound), run, done);
  b.SetInsertPoint(run);
  llvm::Value* arg = cg.entry_alloca(llvm::ArrayType::get(cg.i64(), 2), name_ + ".expire");
  b.CreateStore(bound, arg);
  llvm::Value* earliest_at = b.CreateConstInBoundsGEP1_64(cg.i64(), arg, 1);
  b.CreateStore(cg.i64c(INT64_MAX), earliest_at);
  table_->erase_if(
      "expire", [&](llvm::Value* slot, llvm::Value* a) { return compact(cg, slot, a); }, arg);
  b.CreateStore(b.CreateLoad(cg.i64(), earliest_at), earliest_);
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

//   put(keys); for each slot: put(key); put(len); for each row:
//     put(time, seq, matched); put(field) (strings as bytes)
void JoinBuffer::snapshot(CgContext& cg, llvm::Value* writer) {
  auto& b = cg.b();
  prepare(cg);
  llvm::Value* ht = b.CreateLoad(cg.ptr(), table_->table_global());
  put_i64(cg, writer,
          b.CreateSelect(b.CreateIsNull(ht), cg.i64c(0),
                         b.CreateCall(cg.stdlib("flow_ht_count"), {ht})));
  table_->for_each_slot([&](llvm::Value* slot) {
    CgValue key = table_->key(slot, 0);
    if (key.type == Type::String) {
      b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, key.v, key.len});
    } else {
      put_i64(cg, writer, bits_of(cg, key));
    }
    llvm::Value* list = list_of(cg, slot);
    llvm::Value* len = load_len(cg, list);
    put_i64(cg, writer, len);
    loop(cg, len, nullptr, [&](llvm::Value* i) {
      llvm::Value* row = row_at(cg, list, i);
      put_i64(cg, writer, time(cg, row));
      put_i64(cg, writer, seq(cg, row));
      put_i64(cg, writer, b.CreateLoad(cg.i64(), matched_at(cg, row)));
      for (const CgValue& v : fields(cg, row)) {
        if (v.type == Type::String) {
          b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, v.v, v.len});
        } else {
          put_i64(cg, writer, bits_of(cg, v));
        }
      }
    });
  });
}

// Reads back what snapshot() wrote, through add() (fresh copies, the
// earliest time recomputed).
void JoinBuffer::restore(CgContext& cg, llvm::Value* reader) {
  prepare(cg);
  loop(cg, get_i64(cg, reader), reader, [&](llvm::Value*) {
    CgValue key = key_type_ == Type::String ? get_bytes(cg, reader)
                                            : from_bits(cg, key_type_, get_i64(cg, reader));
    loop(cg, get_i64(cg, reader), reader, [&](llvm::Value*) {
      llvm::Value* t = get_i64(cg, reader);
      llvm::Value* s = get_i64(cg, reader);
      llvm::Value* matched = get_i64(cg, reader);
      Row values;
      for (Type ft : field_types_) {
        values.push_back(ft == Type::String ? get_bytes(cg, reader)
                                            : from_bits(cg, ft, get_i64(cg, reader)));
      }
      add(cg, key, t, s, matched, values);
    });
  });
}

}  // namespace flowc::codegen
