// compiler/codegen/lookup_table.h — the generated hash table of one
// `table` (LANGUAGE.md 4), shared by its loader and every join on it.
//
// A table is written once and probed for every joined record, so it is laid
// out for the probe, which is mostly cache misses when the table outgrows
// L2: a slot is 16 bytes (the stored hash and a pointer to the row's
// entry), so the slot array of a 10,000-row table is 256 KiB; the entry
// holds the key and the other fields, then the bytes of every string in
// them, contiguous in the table's arena. A probe reads one slot (usually
// L2) and one entry (a line or two, adjacent), where a slot with string
// views would read the slot, the key's bytes and each value's bytes apart.
//
//   slot:  [0] u64 hash   [8] entry*
//   entry: key (8 bytes, a string 16: {ptr, len}), non-key fields in schema
//          order (same sizes), the hash of each non-key string (8 bytes:
//          a join hands it on, so that a `group by` on the field does not
//          hash it again), then the string bytes they point to
#pragma once

#include <llvm/IR/Constants.h>
#include <llvm/IR/MDBuilder.h>

#include <algorithm>

#include "codegen/expr_codegen.h"
#include "codegen/state_layout.h"

namespace flowc::codegen {

class LookupTable {
  using Type = plan::Type;
  static constexpr int64_t kSlotBytes = 16;
  static constexpr int64_t kEntryOffset = 8;
  static constexpr int64_t kLine = 64;
  static constexpr int64_t kHashBytes = 8;
  static constexpr int64_t kMaxPrefetchBytes = 4 * kLine;  // of an entry, per probe hint

 public:
  LookupTable(CgContext& cg, const plan::Table& table) : cg_(cg), table_(table) {
    int64_t at = value_bytes(key_type());
    for (size_t i = 0; i < table.schema.fields.size(); ++i) {
      if (static_cast<int>(i) == table.key) continue;
      value_fields_.push_back(i);
      value_offsets_.push_back(at);
      at += value_bytes(table.schema.fields[i].type);
    }
    for (size_t k = 0; k < value_fields_.size(); ++k) {
      bool str = table.schema.fields[value_fields_[k]].type == Type::String;
      hash_offsets_.push_back(str ? at : -1);
      if (str) at += kHashBytes;
    }
    fixed_bytes_ = at;
    table_global_ = new llvm::GlobalVariable(
        cg.module(), cg.ptr(), false, llvm::GlobalValue::InternalLinkage,
        llvm::ConstantPointerNull::get(cg.ptr()), "table." + table.name + ".table");
    llvm::Type* arena_type = llvm::ArrayType::get(cg.ptr(), 3);  // FlowArena
    arena_ = new llvm::GlobalVariable(
        cg.module(), arena_type, false, llvm::GlobalValue::InternalLinkage,
        llvm::ConstantAggregateZero::get(arena_type), "table." + table.name + ".arena");
  }

  // Stores the row (schema order) under its key; a key seen before gets
  // the new row (last row wins).
  void insert(CgContext& cg, const Row& row) {
    auto& b = cg.b();
    const CgValue& key = row[table_.key];
    llvm::Value* probe = probe_of(key);
    llvm::Value* ht = b.CreateLoad(cg.ptr(), table_global_);
    llvm::BasicBlock* before = b.GetInsertBlock();
    llvm::BasicBlock* create = llvm::BasicBlock::Create(cg.llvm(), "table.create", cg.fs().fn);
    llvm::BasicBlock* ready = llvm::BasicBlock::Create(cg.llvm(), "table.ready", cg.fs().fn);
    b.CreateCondBr(b.CreateIsNull(ht), create, ready);
    b.SetInsertPoint(create);
    llvm::Value* made = b.CreateCall(cg.stdlib("flow_ht_create"),
                                     {cg.i64c(kSlotBytes), cg.i64c(kInitialTableCapacity)});
    b.CreateStore(made, table_global_);
    b.CreateBr(ready);
    b.SetInsertPoint(ready);
    llvm::PHINode* table = b.CreatePHI(cg.ptr(), 2);
    table->addIncoming(ht, before);
    table->addIncoming(made, create);
    llvm::Value* inserted = cg.entry_alloca(cg.i32(), "table.inserted");
    llvm::Value* slot =
        b.CreateCall(cg.stdlib("flow_ht_find_or_insert"),
                     {table, emit_hash(cg, key), probe, equal_function(), inserted});

    // The entry: fixed part, then the strings' bytes.
    llvm::Value* total = cg.i64c(fixed_bytes_);
    std::vector<std::pair<CgValue, int64_t>> fields = {{key, 0}};
    for (size_t k = 0; k < value_fields_.size(); ++k)
      fields.push_back({row[value_fields_[k]], value_offsets_[k]});
    for (const auto& [v, at] : fields) {
      if (v.type == Type::String) total = b.CreateAdd(total, v.len);
    }
    llvm::Value* entry = b.CreateCall(cg.stdlib("flow_arena_alloc"), {arena_, total});
    llvm::Value* bytes = cg.i64c(fixed_bytes_);
    for (const auto& [v, at] : fields) {
      CgValue stored = v;
      if (v.type == Type::String) {
        llvm::Value* dst = b.CreateInBoundsGEP(cg.i8(), entry, bytes);
        b.CreateMemCpy(dst, llvm::MaybeAlign(1), v.v, llvm::MaybeAlign(1), v.len);
        stored.v = dst;
        bytes = b.CreateAdd(bytes, v.len);
      }
      cg.store_value(stored, field(entry, at));
    }
    for (size_t k = 0; k < value_fields_.size(); ++k) {
      if (hash_offsets_[k] >= 0) {
        b.CreateStore(emit_hash(cg, row[value_fields_[k]]), field(entry, hash_offsets_[k]));
      }
    }
    b.CreateStore(entry, field(slot, kEntryOffset));
  }

  // The entry for `key`, or null.
  llvm::Value* find(const CgValue& key) {
    auto& b = cg_.b();
    llvm::Value* probe = probe_of(key);
    llvm::Value* ht = b.CreateLoad(cg_.ptr(), table_global_);
    llvm::BasicBlock* before = b.GetInsertBlock();
    llvm::BasicBlock* look = llvm::BasicBlock::Create(cg_.llvm(), "table.look", cg_.fs().fn);
    llvm::BasicBlock* found = llvm::BasicBlock::Create(cg_.llvm(), "table.found", cg_.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "table.done", cg_.fs().fn);
    b.CreateCondBr(b.CreateIsNull(ht), done, look,
                   llvm::MDBuilder(cg_.llvm()).createUnlikelyBranchWeights());
    b.SetInsertPoint(look);
    llvm::Value* slot = b.CreateCall(cg_.stdlib("flow_ht_find"),
                                     {ht, emit_hash(cg_, key), probe, equal_function()});
    llvm::BasicBlock* look_end = b.GetInsertBlock();
    b.CreateCondBr(b.CreateIsNull(slot), done, found);
    b.SetInsertPoint(found);
    llvm::Value* entry = b.CreateLoad(cg_.ptr(), field(slot, kEntryOffset));
    b.CreateBr(done);
    b.SetInsertPoint(done);
    llvm::PHINode* out = b.CreatePHI(cg_.ptr(), 3);
    llvm::Constant* none = llvm::ConstantPointerNull::get(cg_.ptr());
    out->addIncoming(none, before);
    out->addIncoming(none, look_end);
    out->addIncoming(entry, found);
    return out;
  }

  // Probe hints for a key whose hash is known a few records ahead (a
  // join's lookahead, lower_scan.cpp): fetch the slot first, and its entry
  // a record later, once the slot is cached; the probe then hits both.
  void prefetch_slot(llvm::Value* hash) {
    cg_.b().CreateCall(cg_.stdlib("flow_ht_prefetch"),
                       {cg_.b().CreateLoad(cg_.ptr(), table_global_), hash});
  }
  void prefetch_entry(llvm::Value* hash) {
    // The fixed part and, as a guess, a line per string's bytes.
    int64_t bytes = fixed_bytes_;
    if (key_type() == Type::String) bytes += kLine;
    for (size_t i : value_fields_) {
      if (table_.schema.fields[i].type == Type::String) bytes += kLine;
    }
    cg_.b().CreateCall(cg_.stdlib("flow_ht_prefetch_entry"),
                       {cg_.b().CreateLoad(cg_.ptr(), table_global_), hash, cg_.i64c(kEntryOffset),
                        cg_.i64c(std::min(bytes, kMaxPrefetchBytes))});
  }

  Type key_type() const { return table_.schema.fields[table_.key].type; }

  // The non-key fields of `entry` (from find), in schema order; their
  // strings' stored hashes go into `known`.
  Row values(CgContext& cg, llvm::Value* entry, KnownHashScope& known) {
    Row out;
    for (size_t k = 0; k < value_fields_.size(); ++k) {
      out.push_back(cg.load_value(table_.schema.fields[value_fields_[k]].type,
                                  field(entry, value_offsets_[k])));
      if (hash_offsets_[k] >= 0) {
        known.add(out.back().v, out.back().len,
                  cg.b().CreateLoad(cg.i64(), field(entry, hash_offsets_[k])));
      }
    }
    return out;
  }

  // The defaults of the non-key fields (a left join's unmatched rows).
  Row defaults(CgContext& cg) {
    Row out;
    for (size_t i : value_fields_) {
      const plan::Field& f = table_.schema.fields[i];
      CgValue v =
          cg.param_constant(*f.default_value, f.default_expr,
                            "the default of field '" + f.name + "' of table '" + table_.name + "'");
      v.type = f.type;
      out.push_back(v);
    }
    return out;
  }

 private:
  llvm::Value* field(llvm::Value* base, int64_t offset) {
    return cg_.b().CreateConstInBoundsGEP1_64(cg_.i8(), base, static_cast<uint64_t>(offset));
  }

  // The key in memory, laid out as in an entry (what eq compares with).
  llvm::Value* probe_of(const CgValue& key) {
    llvm::Value* probe = cg_.entry_alloca(cg_.storage_type(key_type()), "table.probe");
    cg_.store_value(key, probe);
    return probe;
  }

  // int32_t eq(const void* slot, const void* probe): the slot's entry has
  // the probe's key.
  llvm::Function* equal_function() {
    if (eq_) return eq_;
    auto& b = cg_.b();
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    FunctionState saved = cg_.fs();
    auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
    eq_ = cg_.begin_function("table." + table_.name + ".eq", type);
    llvm::Value* entry = b.CreateLoad(cg_.ptr(), field(eq_->getArg(0), kEntryOffset));
    CgValue have = cg_.load_value(key_type(), entry);
    CgValue want = cg_.load_value(key_type(), eq_->getArg(1));
    llvm::Value* same = key_type() == Type::String
                            ? b.CreateICmpNE(b.CreateCall(cg_.stdlib("flow_key_eq_str"),
                                                          {have.v, have.len, want.v, want.len}),
                                             cg_.i32c(0))
                            : emit_key_equal(cg_, have, want);
    b.CreateRet(b.CreateZExt(same, cg_.i32()));
    cg_.fs() = saved;
    return eq_;
  }

  CgContext& cg_;
  const plan::Table& table_;
  std::vector<size_t> value_fields_;
  std::vector<int64_t> value_offsets_;  // in the entry
  std::vector<int64_t> hash_offsets_;   // per value field: its string's hash, or -1
  int64_t fixed_bytes_ = 0;
  llvm::GlobalVariable* table_global_ = nullptr;
  llvm::GlobalVariable* arena_ = nullptr;
  llvm::Function* eq_ = nullptr;
};

}  // namespace flowc::codegen
