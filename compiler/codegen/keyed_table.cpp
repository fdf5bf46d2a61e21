#include "codegen/keyed_table.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <algorithm>

#include "abi.h"
#include "codegen/expr_codegen.h"

namespace flowc::codegen {

// Slots fetched this many rows ahead of the one being emitted, and
// for_each_slot's `ahead` this many indexes ahead.
constexpr int64_t kEmitPrefetchAhead = 8;
constexpr int64_t kSlotPrefetchAhead = 16;

KeyedTable::KeyedTable(CgContext& cg, const std::string& name, std::vector<plan::Type> key_types,
                       SlotLayout& layout, KeyStorage storage, Sharing sharing,
                       Partitioning partitioning)
    : cg_(cg),
      name_(name),
      key_types_(std::move(key_types)),
      layout_(layout),
      storage_(storage),
      sharing_(sharing),
      partitioning_(partitioning) {
  // A string key is a FlowKeyStr: its view, then its first 16 bytes inline.
  for (plan::Type t : key_types_) {
    layout_.key_offsets.push_back(
        layout_.add(t == plan::Type::String ? kKeyStrBytes : value_bytes(t)));
  }
  if (partitioning_.on) partition_offset_ = layout_.add(8);
  // Per worker (runtime/worker.h): a worker thread's table is its partial
  // state, folded into worker 0's at the batch end (merge).
  table_ = cg.worker_global(cg.ptr(), nullptr, name + ".table");
  llvm::Type* arena_type = llvm::ArrayType::get(cg.ptr(), 3);  // FlowArena
  arena_ = cg.worker_global(arena_type, nullptr, name + ".arena");
}

llvm::Value* KeyedTable::field(llvm::Value* slot, int64_t offset) {
  return cg_.b().CreateConstInBoundsGEP1_64(cg_.i8(), slot, static_cast<uint64_t>(offset));
}

CgValue KeyedTable::key(llvm::Value* slot, size_t i) {
  return cg_.load_value(key_types_[i], field(slot, layout_.key_offsets[i]));
}

llvm::Value* KeyedTable::partition(llvm::Value* slot) {
  return cg_.b().CreateLoad(cg_.i64(), field(slot, partition_offset_));
}

llvm::Value* KeyedTable::row_partition(llvm::Value* given) {
  if (given != nullptr) return given;
  return cg_.fs().partition ? cg_.fs().partition : cg_.i64c(FLOW_NO_PARTITION);
}

// int32_t eq(const void* slot, const void* probe): every key equal. The
// probe is laid out like a slot, so both sides use the same offsets.
llvm::Function* KeyedTable::equal_function() {
  if (eq_) return eq_;
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
  eq_ = cg_.begin_function(name_ + ".eq", type);
  llvm::Value* slot = eq_->getArg(0);
  llvm::Value* probe = eq_->getArg(1);
  llvm::Value* all = b.getTrue();
  for (size_t i = 0; i < key_types_.size(); ++i) {
    // Strings: length and inline head first (flow_key_str_eq).
    all =
        b.CreateAnd(all, key_types_[i] == plan::Type::String
                             ? b.CreateICmpNE(b.CreateCall(cg_.stdlib("flow_key_str_eq"),
                                                           {field(slot, layout_.key_offsets[i]),
                                                            field(probe, layout_.key_offsets[i])}),
                                              cg_.i32c(0))
                             : emit_key_equal(cg_, key(slot, i), key(probe, i)));
  }
  if (partitioned()) all = b.CreateAnd(all, b.CreateICmpEQ(partition(slot), partition(probe)));
  b.CreateRet(b.CreateZExt(all, cg_.i32()));
  cg_.fs() = saved;
  return eq_;
}

// int32_t twin(const void* slot, const void* probe): the same visible keys
// in another partition.
llvm::Function* KeyedTable::twin_function() {
  if (twin_) return twin_;
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
  twin_ = cg_.begin_function(name_ + ".twin", type);
  llvm::Value* slot = twin_->getArg(0);
  llvm::Value* probe = twin_->getArg(1);
  llvm::Value* all = b.CreateICmpNE(partition(slot), partition(probe));
  for (size_t i = 0; i < key_types_.size(); ++i) {
    all = b.CreateAnd(all, emit_key_equal(cg_, key(slot, i), key(probe, i)));
  }
  b.CreateRet(b.CreateZExt(all, cg_.i32()));
  cg_.fs() = saved;
  return twin_;
}

// int cmp(const void* a, const void* b) for flow_sort_ptrs over slot pointers:
// keys compared in `group by` order.
llvm::Function* KeyedTable::compare_function() {
  if (cmp_) return cmp_;
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
  cmp_ = cg_.begin_function(name_ + ".cmp", type);
  llvm::Value* x = b.CreateLoad(cg_.ptr(), cmp_->getArg(0));
  llvm::Value* y = b.CreateLoad(cg_.ptr(), cmp_->getArg(1));
  for (size_t i = 0; i < key_types_.size(); ++i) {
    // Strings: the inline heads first (flow_key_str_cmp).
    llvm::Value* c =
        key_types_[i] == plan::Type::String
            ? b.CreateCall(cg_.stdlib("flow_key_str_cmp"),
                           {field(x, layout_.key_offsets[i]), field(y, layout_.key_offsets[i])})
            : emit_compare(cg_, key(x, i), key(y, i));
    llvm::BasicBlock* differ = llvm::BasicBlock::Create(cg_.llvm(), "differ", cmp_);
    llvm::BasicBlock* same = llvm::BasicBlock::Create(cg_.llvm(), "same", cmp_);
    b.CreateCondBr(b.CreateICmpNE(c, cg_.i32c(0)), differ, same);
    b.SetInsertPoint(differ);
    b.CreateRet(c);
    b.SetInsertPoint(same);
  }
  if (partitioned()) {  // a key split between partitions: by partition
    llvm::Value* px = partition(x);
    llvm::Value* py = partition(y);
    llvm::Value* c = b.CreateSub(b.CreateZExt(b.CreateICmpSGT(px, py), cg_.i32()),
                                 b.CreateZExt(b.CreateICmpSLT(px, py), cg_.i32()));
    b.CreateRet(c);
  } else {
    b.CreateRet(cg_.i32c(0));
  }
  cg_.fs() = saved;
  return cmp_;
}

llvm::Value* KeyedTable::load_table() {
  auto& b = cg_.b();
  llvm::Value* cached = b.CreateLoad(cg_.ptr(), mine(table_));
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* create = llvm::BasicBlock::Create(cg_.llvm(), "table.create", cg_.fs().fn);
  llvm::BasicBlock* ready = llvm::BasicBlock::Create(cg_.llvm(), "table.ready", cg_.fs().fn);
  b.CreateCondBr(b.CreateIsNull(cached), create, ready,
                 llvm::MDBuilder(cg_.llvm()).createUnlikelyBranchWeights());
  b.SetInsertPoint(create);
  llvm::Value* made = b.CreateCall(cg_.stdlib("flow_ht_create"),
                                   {cg_.i64c(layout_.size), cg_.i64c(kInitialTableCapacity)});
  b.CreateStore(made, mine(table_));
  b.CreateBr(ready);
  b.SetInsertPoint(ready);
  llvm::PHINode* ht = b.CreatePHI(cg_.ptr(), 2);
  ht->addIncoming(cached, before);
  ht->addIncoming(made, create);
  return ht;
}

std::pair<llvm::Value*, llvm::Value*> KeyedTable::hash_and_probe(const std::vector<CgValue>& keys,
                                                                 llvm::Value* partition,
                                                                 llvm::Value* known) {
  auto& b = cg_.b();
  llvm::Value* hash = known ? known : cg_.i64c(1);  // no keys: one group
  for (size_t i = 0; i < keys.size() && !known; ++i) {
    llvm::Value* h = emit_hash(cg_, keys[i]);
    hash = i == 0 ? h : b.CreateCall(cg_.stdlib("flow_hash_combine"), {hash, h});
  }
  llvm::Value* probe = cg_.entry_alloca(llvm::ArrayType::get(cg_.i64(), layout_.size / 8), name_ + ".probe");
  for (size_t i = 0; i < keys.size(); ++i) {
    llvm::Value* at = field(probe, layout_.key_offsets[i]);
    cg_.store_value(keys[i], at);
    if (keys[i].type == plan::Type::String) {
      b.CreateCall(cg_.stdlib("flow_key_str_head"),
                   {keys[i].v, keys[i].len, field(at, kKeyStrHeadOffset)});
    }
  }
  if (partitioned()) b.CreateStore(partition, field(probe, partition_offset_));
  return {hash, probe};
}

llvm::Value* KeyedTable::find_existing(const std::vector<CgValue>& keys, llvm::Value* partition,
                                       llvm::Value* known_hash) {
  auto& b = cg_.b();
  auto [hash, probe] =
      hash_and_probe(keys, partitioned() ? row_partition(partition) : nullptr, known_hash);
  llvm::Value* ht = in_part_of(hash, [&] { return b.CreateLoad(cg_.ptr(), mine(table_)); });
  llvm::BasicBlock* before = b.GetInsertBlock();
  llvm::BasicBlock* look = llvm::BasicBlock::Create(cg_.llvm(), "find.look", cg_.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "find.done", cg_.fs().fn);
  b.CreateCondBr(b.CreateIsNull(ht), done, look);
  b.SetInsertPoint(look);
  llvm::Value* found =
      b.CreateCall(cg_.stdlib("flow_ht_find"), {ht, hash, probe, equal_function()});
  b.CreateBr(done);
  b.SetInsertPoint(done);
  llvm::PHINode* slot = b.CreatePHI(cg_.ptr(), 2);
  slot->addIncoming(llvm::ConstantPointerNull::get(llvm::PointerType::get(cg_.llvm(), 0)), before);
  slot->addIncoming(found, look);
  return slot;
}

llvm::Value* KeyedTable::find(const std::vector<CgValue>& keys, llvm::Value* partition) {
  // A part's table is not made by a lookup: several threads may look.
  if (spread_) return find_existing(keys, partition, hash(keys));
  auto [hash, probe] = hash_and_probe(keys, partitioned() ? row_partition(partition) : nullptr);
  return cg_.b().CreateCall(cg_.stdlib("flow_ht_find"), {load_table(), hash, probe, equal_function()});
}

llvm::Value* KeyedTable::hash(const std::vector<CgValue>& keys) {
  auto& b = cg_.b();
  llvm::Value* hash = cg_.i64c(1);  // no keys: one group
  for (size_t i = 0; i < keys.size(); ++i) {
    llvm::Value* h = emit_hash(cg_, keys[i]);
    hash = i == 0 ? h : b.CreateCall(cg_.stdlib("flow_hash_combine"), {hash, h});
  }
  return hash;
}

// The hash's high half scaled to [0, parts): the tables index by its low
// bits, which stay spread within a part.
llvm::Value* KeyedTable::part_of(llvm::Value* hash, llvm::Value* parts) {
  auto& b = cg_.b();
  llvm::Value* high = b.CreateLShr(hash, cg_.i64c(32));
  llvm::Value* scaled =
      b.CreateLShr(b.CreateMul(high, b.CreateZExt(parts, cg_.i64())), cg_.i64c(32));
  return b.CreateTrunc(scaled, cg_.i32());
}

llvm::Value* KeyedTable::parts() { return cg_.ctx_call_at_entry("flow_state_parts"); }

void KeyedTable::each_part(const std::function<void()>& body) {
  if (!spread_) {
    body();
    return;
  }
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  llvm::Value* n = parts();
  llvm::Value* part = cg_.entry_alloca(cg_.i32(), name_ + ".part");
  b.CreateStore(cg_.i32c(0), part);
  llvm::BasicBlock* head = llvm::BasicBlock::Create(cg_.llvm(), "parts.head", fn);
  llvm::BasicBlock* each = llvm::BasicBlock::Create(cg_.llvm(), "parts.each", fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "parts.done", fn);
  b.CreateBr(head);
  b.SetInsertPoint(head);
  b.CreateCondBr(b.CreateICmpSLT(b.CreateLoad(cg_.i32(), part), n), each, done);
  b.SetInsertPoint(each);
  llvm::Value* saved = cg_.fs().worker;
  cg_.fs().worker = b.CreateLoad(cg_.i32(), part);
  body();
  cg_.fs().worker = saved;
  b.CreateStore(b.CreateAdd(b.CreateLoad(cg_.i32(), part), cg_.i32c(1)), part);
  b.CreateBr(head);
  b.SetInsertPoint(done);
}

llvm::Value* KeyedTable::count() {
  auto& b = cg_.b();
  llvm::Value* total = cg_.entry_alloca(cg_.i64(), name_ + ".count");
  b.CreateStore(cg_.i64c(0), total);
  each_part([&] {
    llvm::Value* ht = b.CreateLoad(cg_.ptr(), mine(table_));
    llvm::Value* n = b.CreateSelect(b.CreateIsNull(ht), cg_.i64c(0),
                                    b.CreateCall(cg_.stdlib("flow_ht_count"), {ht}));
    b.CreateStore(b.CreateAdd(b.CreateLoad(cg_.i64(), total), n), total);
  });
  return b.CreateLoad(cg_.i64(), total);
}

void KeyedTable::erase(llvm::Value* slot) {
  auto& b = cg_.b();
  llvm::Value* ht =
      in_part_of(stored_hash(slot), [&] { return b.CreateLoad(cg_.ptr(), mine(table_)); });
  b.CreateCall(cg_.stdlib("flow_ht_erase"), {ht, slot});
}

// Builds "v1, v2" from the `group by` keys (scratch memory) and reports the
// key with both partitions, when a slot of the same keys is in another one.
//   if ((other = flow_ht_find(ht, hash, probe, twin)))
//     flow_key_in_two_partitions(ctx, stream, text, len, other->partition, partition);
void KeyedTable::report_twin(llvm::Value* ht, llvm::Value* hash, llvm::Value* probe,
                             const std::vector<CgValue>& keys, llvm::Value* part) {
  auto& b = cg_.b();
  llvm::Value* other = b.CreateCall(cg_.stdlib("flow_ht_find"), {ht, hash, probe, twin_function()});
  llvm::BasicBlock* found = llvm::BasicBlock::Create(cg_.llvm(), "key.twin", cg_.fs().fn);
  llvm::BasicBlock* alone = llvm::BasicBlock::Create(cg_.llvm(), "key.alone", cg_.fs().fn);
  b.CreateCondBr(b.CreateIsNull(other), alone, found,
                 llvm::MDBuilder(cg_.llvm()).createUnlikelyBranchWeights());
  b.SetInsertPoint(found);
  llvm::Value* arena =
      cg_.fs().arena ? cg_.fs().arena : b.CreateCall(cg_.runtime("flow_scratch"), {cg_.fs().ctx});
  std::vector<CgValue> parts;
  for (size_t i = partitioning_.first_group_key; i < keys.size(); ++i) {
    if (!parts.empty()) parts.push_back(cg_.const_value(plan::Value::of_string(", ")));
    const CgValue& k = keys[i];
    if (k.type == plan::Type::String) {
      parts.push_back(k);
      continue;
    }
    const char* conv = k.type == plan::Type::Float       ? "flow_conv_string_f64"
                       : k.type == plan::Type::Bool      ? "flow_conv_string_bool"
                       : k.type == plan::Type::Timestamp ? "flow_conv_string_ts"
                                                         : "flow_conv_string_i64";
    llvm::Value* out = cg_.entry_alloca(cg_.str_type(), "twin.text");
    llvm::Value* v = k.type == plan::Type::Bool ? cg_.to_c_bool(k.v) : k.v;
    b.CreateCall(cg_.stdlib(conv), {arena, v, out});
    parts.push_back(cg_.load_value(plan::Type::String, out));
  }
  auto* list_type = llvm::ArrayType::get(cg_.str_type(), std::max<size_t>(parts.size(), 1));
  llvm::Value* list = cg_.entry_alloca(list_type, "twin.parts");
  for (size_t i = 0; i < parts.size(); ++i) {
    cg_.store_value(parts[i], b.CreateConstInBoundsGEP2_64(list_type, list, 0, i));
  }
  llvm::Value* text = cg_.entry_alloca(cg_.str_type(), "twin.key");
  b.CreateCall(cg_.stdlib("flow_str_concat_n"),
               {arena, list, cg_.i64c(static_cast<int64_t>(parts.size())), text});
  CgValue t = cg_.load_value(plan::Type::String, text);
  b.CreateCall(cg_.runtime("flow_key_in_two_partitions"),
               {cg_.fs().ctx, cg_.i32c(partitioning_.stream), t.v, t.len, partition(other), part});
  b.CreateBr(alone);
  b.SetInsertPoint(alone);
}

llvm::Value* KeyedTable::stored_hash(llvm::Value* slot) {
  return cg_.b().CreateLoad(cg_.i64(), field(slot, kSlotHashOffset));
}

void KeyedTable::prefetch(llvm::Value* hash) {
  cg_.b().CreateCall(cg_.stdlib("flow_ht_prefetch"),
                     {cg_.b().CreateLoad(cg_.ptr(), mine(table_)), hash});
}

std::pair<llvm::Value*, llvm::Value*> KeyedTable::probe(const std::vector<CgValue>& keys,
                                                        llvm::Value* given_partition, bool cold,
                                                        llvm::Value* known_hash) {
  auto& b = cg_.b();
  llvm::Value* part = partitioned() ? row_partition(given_partition) : nullptr;
  auto [hash, probe] = hash_and_probe(keys, part, known_hash);
  llvm::Value* inserted = cg_.entry_alloca(cg_.i32(), name_ + ".inserted");
  // A spread table: the key's part is the current worker's slot here.
  llvm::Value* saved_worker = cg_.fs().worker;
  if (spread_) cg_.fs().worker = part_of(hash, parts());
  llvm::Value* ht = load_table();
  llvm::Value* slot =
      b.CreateCall(cg_.stdlib(cold ? "flow_ht_find_or_insert_cold" : "flow_ht_find_or_insert"),
                   {ht, hash, probe, equal_function(), inserted});
  llvm::Value* is_new = b.CreateICmpNE(b.CreateLoad(cg_.i32(), inserted), cg_.i32c(0));
  // A new slot comes back zeroed: write its keys (string bytes copied into
  // the table's arena, since the probe's strings are views into the input).
  llvm::BasicBlock* fill = llvm::BasicBlock::Create(cg_.llvm(), "key.fill", cg_.fs().fn);
  llvm::BasicBlock* filled = llvm::BasicBlock::Create(cg_.llvm(), "key.filled", cg_.fs().fn);
  b.CreateCondBr(is_new, fill, filled);
  b.SetInsertPoint(fill);
  for (size_t i = 0; i < keys.size(); ++i) {
    CgValue k = keys[i];
    if (key_types_[i] == plan::Type::String) {
      k.v =
          storage_ == KeyStorage::Arena
              ? b.CreateCall(cg_.stdlib("flow_arena_copy"), {mine(arena_), keys[i].v, keys[i].len})
              : b.CreateCall(cg_.stdlib("flow_bytes_dup"), {keys[i].v, keys[i].len});
    }
    cg_.store_value(k, field(slot, layout_.key_offsets[i]));
    if (key_types_[i] == plan::Type::String) {
      llvm::Value* head = field(slot, layout_.key_offsets[i] + kKeyStrHeadOffset);
      b.CreateMemCpy(head, llvm::MaybeAlign(8),
                     field(probe, layout_.key_offsets[i] + kKeyStrHeadOffset), llvm::MaybeAlign(8),
                     kKeyStrBytes - kKeyStrHeadOffset);
    }
  }
  if (partitioned()) {
    b.CreateStore(part, field(slot, partition_offset_));
    if (partitioning_.stream >= 0 && cg_.fs().ctx != nullptr)
      report_twin(ht, hash, probe, keys, part);
  }
  // --max-state-keys: report growth to the runtime, which answers with the
  // key count at which to report again (twice as many, or just past the
  // limit). Restore code (no FlowContext) reloads what a run already held.
  // A spread table's parts are counted together by its owner instead
  // (the count in a part depends on the number of parts).
  if (cg_.fs().ctx != nullptr && !spread_) {
    if (grow_check_ == nullptr) {
      grow_check_ = cg_.worker_global(cg_.i64(), nullptr, name_ + ".grow_check");
    }
    llvm::Value* count = b.CreateCall(cg_.stdlib("flow_ht_count"), {ht});
    llvm::BasicBlock* report = llvm::BasicBlock::Create(cg_.llvm(), "key.grew", cg_.fs().fn);
    llvm::BasicBlock* reported = llvm::BasicBlock::Create(cg_.llvm(), "key.counted", cg_.fs().fn);
    llvm::Value* check = mine(grow_check_);
    b.CreateCondBr(b.CreateICmpSGT(count, b.CreateLoad(cg_.i64(), check)), report, reported);
    b.SetInsertPoint(report);
    b.CreateStore(b.CreateCall(cg_.runtime("flow_state_grew"), {cg_.fs().ctx, count}), check);
    b.CreateBr(reported);
    b.SetInsertPoint(reported);
  }
  b.CreateBr(filled);
  b.SetInsertPoint(filled);
  b.CreateStore(b.getInt8(1), field(slot, kSlotDirtyOffset));
  cg_.fs().worker = saved_worker;
  return {slot, is_new};
}

void KeyedTable::for_each_updated(
    const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body, bool all,
    bool parallel) {
  for_each_sorted(
      [&](llvm::Value* slot) -> llvm::Value* {
        if (all) return cg_.b().getTrue();
        llvm::Value* dirty = cg_.b().CreateLoad(cg_.i8(), field(slot, kSlotDirtyOffset));
        return cg_.b().CreateICmpNE(dirty, cg_.b().getInt8(0));
      },
      body, true, parallel, /*take_reads_slot_only=*/true);
}

void KeyedTable::collect_slot(llvm::Value* slot,
                              const std::function<llvm::Value*(llvm::Value* slot)>& take_slot,
                              llvm::Value* list, llvm::Value* k, bool clear_marks) {
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  llvm::BasicBlock* take = llvm::BasicBlock::Create(cg_.llvm(), "collect.take", fn);
  llvm::BasicBlock* skip = llvm::BasicBlock::Create(cg_.llvm(), "collect.skip", fn);
  b.CreateCondBr(take_slot(slot), take, skip);
  b.SetInsertPoint(take);
  llvm::Value* kv = b.CreateLoad(cg_.i64(), k);
  b.CreateStore(slot, b.CreateInBoundsGEP(cg_.ptr(), list, kv));
  b.CreateStore(b.CreateAdd(kv, cg_.i64c(1)), k);
  if (clear_marks) b.CreateStore(b.getInt8(0), field(slot, kSlotDirtyOffset));
  b.CreateBr(skip);
  b.SetInsertPoint(skip);
}

llvm::Function* KeyedTable::collect_function(
    const std::function<llvm::Value*(llvm::Value* slot)>& take_slot, bool clear_marks) {
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type =
      llvm::FunctionType::get(cg_.i64(), {cg_.ptr(), cg_.i64(), cg_.i64(), cg_.ptr()}, false);
  llvm::Function* fn = cg_.begin_function(cg_.unique(name_ + ".collect"), type);
  llvm::Value* out = fn->getArg(3);
  llvm::Value* k = cg_.entry_alloca(cg_.i64(), "collect.k");
  b.CreateStore(cg_.i64c(0), k);
  slot_range(fn->getArg(0), fn->getArg(1), fn->getArg(2),
             [&](llvm::Value* slot) { collect_slot(slot, take_slot, out, k, clear_marks); });
  b.CreateRet(b.CreateLoad(cg_.i64(), k));
  cg_.fs() = saved;
  return fn;
}

llvm::Function* KeyedTable::sort_function() {
  if (sort_) return sort_;
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.i64()}, false);
  sort_ = cg_.begin_function(name_ + ".sort", type);
  b.CreateCall(cg_.stdlib("flow_sort_ptrs"),
               {sort_->getArg(0), sort_->getArg(1), compare_function()});
  b.CreateRetVoid();
  cg_.fs() = saved;
  return sort_;
}

llvm::Function* KeyedTable::emit_function(
    const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body) {
  auto& b = cg_.b();
  llvm::IRBuilderBase::InsertPointGuard guard(b);
  FunctionState saved = cg_.fs();
  auto* type = llvm::FunctionType::get(
      b.getVoidTy(), {cg_.ptr(), cg_.ptr(), cg_.ptr(), cg_.i64(), cg_.i64()}, false);
  llvm::Function* fn = cg_.begin_function(cg_.unique(name_ + ".emit"), type);
  FunctionState& fs = cg_.fs();
  fs.ctx = fn->getArg(0);
  fs.batch = fn->getArg(1);
  fs.arena = b.CreateCall(cg_.runtime("flow_scratch"), {fs.ctx});  // the worker's
  fs.source = saved.source;
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "done", fn);
  fs.next_record = done;
  emit_slot_loop(fn->getArg(2), fn->getArg(3), fn->getArg(4), body);
  b.CreateBr(done);
  b.SetInsertPoint(done);
  b.CreateRetVoid();
  cg_.fs() = saved;
  return fn;
}

void KeyedTable::emit_slot_loop(
    llvm::Value* list, llvm::Value* from, llvm::Value* to,
    const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body) {
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg_.llvm(), name, fn); };
  llvm::Value* j = cg_.entry_alloca(cg_.i64(), "emit.j");
  b.CreateStore(from, j);
  llvm::BasicBlock* ehead = block("emit.row");
  llvm::BasicBlock* ebody = block("emit.body");
  llvm::BasicBlock* enext = block("emit.next");
  llvm::BasicBlock* edone = block("emit.done");
  b.CreateBr(ehead);
  b.SetInsertPoint(ehead);
  llvm::Value* jv = b.CreateLoad(cg_.i64(), j);
  b.CreateCondBr(b.CreateICmpSLT(jv, to), ebody, edone);
  b.SetInsertPoint(ebody);
  // The slots lie scattered over a table far larger than the caches: fetch
  // the one a few rows ahead while this one is handled.
  llvm::Value* ahead = b.CreateAdd(jv, cg_.i64c(kEmitPrefetchAhead));
  ahead = b.CreateSelect(b.CreateICmpSLT(ahead, to), ahead, jv);
  llvm::Value* ahead_slot = b.CreateLoad(cg_.ptr(), b.CreateInBoundsGEP(cg_.ptr(), list, ahead));
  b.CreateIntrinsic(llvm::Intrinsic::prefetch, {cg_.ptr()},
                    {ahead_slot, cg_.i32c(0), cg_.i32c(3), cg_.i32c(1)});
  llvm::Value* row_slot = b.CreateLoad(cg_.ptr(), b.CreateInBoundsGEP(cg_.ptr(), list, jv));
  llvm::BasicBlock* saved_next = cg_.fs().next_record;
  llvm::Value* saved_partition = cg_.fs().partition;
  cg_.fs().next_record = enext;
  if (partitioned()) cg_.fs().partition = partition(row_slot);
  body(row_slot, enext);
  cg_.fs().next_record = saved_next;
  cg_.fs().partition = saved_partition;
  b.CreateBr(enext);
  b.SetInsertPoint(enext);
  b.CreateStore(b.CreateAdd(b.CreateLoad(cg_.i64(), j), cg_.i64c(1)), j);
  b.CreateBr(ehead);
  b.SetInsertPoint(edone);
}

void KeyedTable::for_each_sorted(
    const std::function<llvm::Value*(llvm::Value* slot)>& take_slot,
    const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body, bool clear_marks,
    bool parallel, bool take_reads_slot_only) {
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg_.llvm(), name, fn); };

  llvm::BasicBlock* scan = block("emit.scan");
  llvm::BasicBlock* finished = block("emit.finished");
  llvm::Value* ht = nullptr;  // the one table, unless split into parts
  if (spread_) {  // every part's slots, sorted together
    b.CreateBr(scan);
  } else {
    ht = b.CreateLoad(cg_.ptr(), mine(table_));
    b.CreateCondBr(b.CreateIsNull(ht), finished, scan);
  }

  // Collect the updated slots into a heap array of pointers.
  b.SetInsertPoint(scan);
  llvm::Value* count = this->count();
  llvm::Value* bytes = b.CreateMul(b.CreateAdd(count, cg_.i64c(1)), cg_.i64c(8));
  llvm::Value* list = b.CreateCall(cg_.stdlib("flow_mem_alloc"), {bytes});
  llvm::Value* k = cg_.entry_alloca(cg_.i64(), "emit.k");
  b.CreateStore(cg_.i64c(0), k);
  if (parallel && take_reads_slot_only && ht != nullptr) {
    b.CreateStore(b.CreateCall(cg_.runtime("flow_collect_parallel"),
                               {cg_.fs().ctx, ht, list, collect_function(take_slot, clear_marks)}),
                  k);
  } else {
    for_each_slot([&](llvm::Value* slot) { collect_slot(slot, take_slot, list, k, clear_marks); });
  }

  // Sort by key (LANGUAGE.md 6.1: rows are emitted in key order).
  llvm::Value* taken = b.CreateLoad(cg_.i64(), k);
  if (parallel) {
    llvm::Value* ctx = cg_.fs().ctx;
    if (!key_types_.empty()) {
      b.CreateCall(cg_.runtime("flow_sort_parallel"),
                   {ctx, list, taken, sort_function(), compare_function()});
    }
    b.CreateCall(cg_.runtime("flow_emit_parallel"),
                 {ctx, cg_.fs().batch, list, taken, emit_function(body)});
    // The workers' rows went through flow_scratch on their threads: this
    // thread's arena is the FunctionState's again (udf_alloc.h).
    b.CreateCall(cg_.runtime("flow_scratch"), {ctx});
  } else {
    if (!key_types_.empty()) {
      b.CreateCall(cg_.stdlib("flow_sort_ptrs"), {list, taken, compare_function()});
    }
    emit_slot_loop(list, cg_.i64c(0), taken, body);
  }
  b.CreateCall(cg_.stdlib("flow_mem_free"), {list});
  b.CreateBr(finished);
  b.SetInsertPoint(finished);
}

void KeyedTable::for_each_slot(const std::function<void(llvm::Value* slot)>& body,
                               const std::function<void(llvm::Value* ahead)>& ahead,
                               llvm::Value* part, llvm::Value* parts) {
  if (spread_ && part == nullptr) {  // each part's table in turn
    each_part([&] {
      spread_ = false;
      for_each_slot(body, ahead);
      spread_ = true;
    });
    return;
  }
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg_.llvm(), name, fn); };
  llvm::Value* ht = b.CreateLoad(cg_.ptr(), mine(table_));
  llvm::BasicBlock* scan = block("slots.scan");
  llvm::BasicBlock* finished = block("slots.finished");
  b.CreateCondBr(b.CreateIsNull(ht), finished, scan);
  b.SetInsertPoint(scan);
  llvm::Value* capacity = b.CreateCall(cg_.stdlib("flow_ht_capacity"), {ht});
  llvm::Value* first = cg_.i64c(0);
  if (part != nullptr) {  // [capacity * part / parts, capacity * (part + 1) / parts)
    llvm::Value* n = b.CreateSExt(parts, cg_.i64());
    llvm::Value* k = b.CreateSExt(part, cg_.i64());
    first = b.CreateSDiv(b.CreateMul(capacity, k), n);
    capacity = b.CreateSDiv(b.CreateMul(capacity, b.CreateAdd(k, cg_.i64c(1))), n);
  }
  slot_range(ht, first, capacity, body, ahead);
  b.CreateBr(finished);
  b.SetInsertPoint(finished);
}

void KeyedTable::slot_range(llvm::Value* ht, llvm::Value* first, llvm::Value* end,
                            const std::function<void(llvm::Value* slot)>& body,
                            const std::function<void(llvm::Value* ahead)>& ahead) {
  auto& b = cg_.b();
  llvm::Function* fn = cg_.fs().fn;
  auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg_.llvm(), name, fn); };
  llvm::Value* i = cg_.entry_alloca(cg_.i64(), "slots.i");
  b.CreateStore(first, i);
  llvm::BasicBlock* head = block("slots.head");
  llvm::BasicBlock* visit = block("slots.visit");
  llvm::BasicBlock* used = block("slots.used");
  llvm::BasicBlock* step = block("slots.step");
  llvm::BasicBlock* done = block("slots.done");
  b.CreateBr(head);
  b.SetInsertPoint(head);
  llvm::Value* iv = b.CreateLoad(cg_.i64(), i);
  b.CreateCondBr(b.CreateICmpSLT(iv, end), visit, done);
  b.SetInsertPoint(visit);
  if (ahead) {
    llvm::Value* at = b.CreateAdd(iv, cg_.i64c(kSlotPrefetchAhead));
    at = b.CreateSelect(b.CreateICmpSLT(at, end), at, iv);
    ahead(b.CreateCall(cg_.stdlib("flow_ht_slot_at"), {ht, at}));
  }
  llvm::Value* slot = b.CreateCall(cg_.stdlib("flow_ht_slot_at"), {ht, iv});
  llvm::Value* is_used = b.CreateICmpNE(b.CreateCall(cg_.stdlib("flow_ht_slot_used"), {slot}), cg_.i32c(0));
  b.CreateCondBr(is_used, used, step);
  b.SetInsertPoint(used);
  body(slot);
  b.CreateBr(step);
  b.SetInsertPoint(step);
  b.CreateStore(b.CreateAdd(b.CreateLoad(cg_.i64(), i), cg_.i64c(1)), i);
  b.CreateBr(head);
  b.SetInsertPoint(done);
}

// int32_t pred(void* slot, void* arg): generated per use; the table's
// erase_if visits each live slot once and removes those it accepts.
void KeyedTable::erase_if(const std::string& name,
                          const std::function<llvm::Value*(llvm::Value*, llvm::Value*)>& pred,
                          llvm::Value* arg) {
  auto& b = cg_.b();
  llvm::Function* fn;
  {
    llvm::IRBuilderBase::InsertPointGuard guard(b);
    FunctionState saved = cg_.fs();
    auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
    fn = cg_.begin_function(name_ + "." + name, type);
    cg_.fs().ctx = saved.ctx;  // not used: predicates only read the slot and arg
    llvm::Value* verdict = pred(fn->getArg(0), fn->getArg(1));
    b.CreateRet(b.CreateZExt(verdict, cg_.i32()));
    cg_.fs() = saved;
  }
  each_part([&] {
    llvm::Value* ht = b.CreateLoad(cg_.ptr(), mine(table_));
    llvm::BasicBlock* run = llvm::BasicBlock::Create(cg_.llvm(), "erase.run", cg_.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "erase.done", cg_.fs().fn);
    b.CreateCondBr(b.CreateIsNull(ht), done, run);
    b.SetInsertPoint(run);
    b.CreateCall(cg_.stdlib("flow_ht_erase_if"), {ht, fn, arg});
    b.CreateBr(done);
    b.SetInsertPoint(done);
  });
}

void KeyedTable::release_keys(llvm::Value* slot) {
  if (storage_ != KeyStorage::Owned) return;
  for (size_t i = 0; i < key_types_.size(); ++i) {
    if (key_types_[i] != plan::Type::String) continue;
    llvm::Value* bytes = cg_.b().CreateLoad(cg_.ptr(), field(slot, layout_.key_offsets[i]));
    cg_.b().CreateCall(cg_.stdlib("flow_bytes_free"), {bytes});
  }
}

llvm::GlobalVariable* KeyedTable::fresh_global() {
  if (fresh_ == nullptr) {
    fresh_ =
        new llvm::GlobalVariable(cg_.module(), cg_.i64(), false, llvm::GlobalValue::InternalLinkage,
                                 llvm::ConstantInt::get(cg_.i64(), 0), name_ + ".fresh");
  }
  return fresh_;
}

void KeyedTable::add_fresh(llvm::Value* n) {
  cg_.b().CreateAtomicRMW(llvm::AtomicRMWInst::Add, fresh_global(), n, llvm::MaybeAlign(8),
                          llvm::AtomicOrdering::Monotonic);
}

llvm::Value* KeyedTable::reserve_fresh() {
  auto& b = cg_.b();
  // The counting threads are done (their jobs ended before this runs).
  llvm::Value* fresh = b.CreateLoad(cg_.i64(), fresh_global());
  b.CreateStore(cg_.i64c(0), fresh_global());
  llvm::Value* ht = load_table();
  llvm::Value* keys = b.CreateAdd(b.CreateCall(cg_.stdlib("flow_ht_count"), {ht}), fresh);
  b.CreateCall(cg_.runtime("flow_ht_reserve_parallel"), {cg_.fs().ctx, ht, keys});
  return fresh;
}

llvm::Value* KeyedTable::claim_copy(llvm::Value* src, llvm::Value* part) {
  auto& b = cg_.b();
  if (merge_arenas_ == nullptr) {
    llvm::Type* arena_type = llvm::ArrayType::get(cg_.ptr(), 3);  // FlowArena
    merge_arenas_ = cg_.worker_global(arena_type, nullptr, name_ + ".merge_arenas");
  }
  llvm::Value* arena = cg_.worker_slot(merge_arenas_, part);
  llvm::Value* ht = b.CreateLoad(cg_.ptr(), table_global());
  llvm::Value* dst = b.CreateCall(cg_.stdlib("flow_ht_claim"), {ht, stored_hash(src)});
  for (size_t i = 0; i < key_types_.size(); ++i) {
    CgValue k = key(src, i);
    if (key_types_[i] == plan::Type::String) {
      k.v = storage_ == KeyStorage::Arena
                ? b.CreateCall(cg_.stdlib("flow_arena_copy"), {arena, k.v, k.len})
                : b.CreateCall(cg_.stdlib("flow_bytes_dup"), {k.v, k.len});
      b.CreateMemCpy(field(dst, layout_.key_offsets[i] + kKeyStrHeadOffset), llvm::MaybeAlign(8),
                     field(src, layout_.key_offsets[i] + kKeyStrHeadOffset), llvm::MaybeAlign(8),
                     kKeyStrBytes - kKeyStrHeadOffset);
    }
    cg_.store_value(k, field(dst, layout_.key_offsets[i]));
  }
  b.CreateStore(b.getInt8(1), field(dst, kSlotDirtyOffset));
  return dst;
}

void KeyedTable::count_added(llvm::Value* n) {
  auto& b = cg_.b();
  llvm::Value* ht = load_table();
  llvm::Value* before = b.CreateCall(cg_.stdlib("flow_ht_count"), {ht});
  b.CreateCall(cg_.stdlib("flow_ht_add_count"), {ht, n});
  if (grow_check_ == nullptr) {
    grow_check_ = cg_.worker_global(cg_.i64(), nullptr, name_ + ".grow_check");
  }
  llvm::Value* check = mine(grow_check_);
  b.CreateStore(
      b.CreateCall(cg_.runtime("flow_state_grew_to"),
                   {cg_.fs().ctx, before, b.CreateAdd(before, n), b.CreateLoad(cg_.i64(), check)}),
      check);
}

void KeyedTable::clear() {
  auto& b = cg_.b();
  if (storage_ == KeyStorage::Arena) b.CreateCall(cg_.stdlib("flow_arena_reset"), {mine(arena_)});
  llvm::Value* ht = b.CreateLoad(cg_.ptr(), mine(table_));
  llvm::BasicBlock* run = llvm::BasicBlock::Create(cg_.llvm(), "clear.run", cg_.fs().fn);
  llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "clear.done", cg_.fs().fn);
  b.CreateCondBr(b.CreateIsNull(ht), done, run);
  b.SetInsertPoint(run);
  // A merged partial table: as large as the pipeline's, zeroed on every
  // thread (code without a FlowContext, on its own).
  if (cg_.fs().ctx != nullptr) {
    b.CreateCall(cg_.runtime("flow_ht_clear_parallel"), {cg_.fs().ctx, ht});
  } else {
    b.CreateCall(cg_.stdlib("flow_ht_clear"), {ht});
  }
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

}  // namespace flowc::codegen
