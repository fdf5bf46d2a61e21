// compiler/codegen/keyed_table.h — the code shared by every operator that
// keeps a hash table keyed by `group by` values (aggregate, update): probe
// with find-or-insert, key equality and ordering functions, and the batch
// end scan that collects updated slots in key order.
#pragma once

#include <functional>

#include "codegen/cg_context.h"
#include "codegen/state_layout.h"

namespace flowc::codegen {

class KeyedTable {
 public:
  // Where a slot's string key bytes live: an arena freed with the table
  // (slots live as long as the table, or all go at once with clear()), or
  // one malloc'd copy per key, freed by release_keys() when a slot goes.
  enum class KeyStorage { Arena, Owned };
  // Whose table code addresses: the current function's worker's (state a
  // worker thread updates for itself, runtime/worker.h), or always the
  // pipeline's (a lookup table: loaded once, then read by every worker).
  enum class Sharing { PerWorker, Shared };

  // `name` prefixes the generated globals and functions.
  KeyedTable(CgContext& cg, const std::string& name, std::vector<plan::Type> key_types,
             SlotLayout& layout, KeyStorage storage = KeyStorage::Arena,
             Sharing sharing = Sharing::PerWorker);

  // Frees the slot's owned string keys (KeyStorage::Owned).
  void release_keys(llvm::Value* slot);

  // Emits, at the insertion point:
  //   ht = table ?: (table = flow_ht_create(size, 64));
  //   slot = flow_ht_find_or_insert(ht, hash(keys), probe(keys), eq, &inserted);
  //   if (inserted) copy string keys into the table's arena;
  //   slot->dirty = 1;
  // Returns {slot, inserted (i1)}. Call after layout is complete.
  std::pair<llvm::Value*, llvm::Value*> probe(const std::vector<CgValue>& keys);

  // The slot with these keys, or null (no insertion).
  llvm::Value* find(const std::vector<CgValue>& keys);

  size_t key_count() const { return key_types_.size(); }
  // Loads key i of `slot`.
  CgValue key(llvm::Value* slot, size_t i);
  // The address of byte `offset` of `slot`.
  llvm::Value* field(llvm::Value* slot, int64_t offset);

  // Emits a loop over the slots updated since the last call, in ascending
  // key order, clearing their dirty mark; `body` emits the handling of one
  // slot and may jump to `next` (the loop's continue block). With `all`,
  // every slot is visited, updated or not.
  void for_each_updated(const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body,
                        bool all = false);
  // The same over the slots for which `take` (emitted per slot) yields
  // true (i1), e.g. the keys `expire after` is about to remove; with
  // `clear_marks` false the dirty marks stay (checkpoints).
  void for_each_sorted(const std::function<llvm::Value*(llvm::Value* slot)>& take,
                       const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body,
                       bool clear_marks = true);

  // Emits a loop over every slot, in table order (no sorting).
  void for_each_slot(const std::function<void(llvm::Value* slot)>& body);

  // Emits the removal of every slot for which `pred` (emitted into its own
  // function, given the slot and `arg`) returns true.
  void erase_if(const std::string& name,
                const std::function<llvm::Value*(llvm::Value* slot, llvm::Value* arg)>& pred,
                llvm::Value* arg);

  // Emits flow_ht_clear (every slot gone, capacity kept).
  void clear();

  // The pipeline's own table (worker 0's slot: what end_batch fires,
  // checkpoints write and metrics count).
  llvm::Constant* table_global() { return cg_.worker0_slot(table_); }
  llvm::Constant* arena_global() { return cg_.worker0_slot(arena_); }

 private:
  // The address of this table's slot of a per-worker global.
  llvm::Value* mine(llvm::GlobalVariable* g) {
    return sharing_ == Sharing::Shared ? cg_.worker0_slot(g) : cg_.worker_slot(g);
  }
  llvm::Function* equal_function();
  llvm::Function* compare_function();
  llvm::Value* load_table();
  // hash(keys) and a probe buffer laid out like a slot.
  std::pair<llvm::Value*, llvm::Value*> hash_and_probe(const std::vector<CgValue>& keys);

  CgContext& cg_;
  std::string name_;
  std::vector<plan::Type> key_types_;
  SlotLayout& layout_;
  KeyStorage storage_;
  Sharing sharing_;
  // Per worker (CgContext::worker_global).
  llvm::GlobalVariable* table_ = nullptr;
  llvm::GlobalVariable* arena_ = nullptr;
  llvm::GlobalVariable* grow_check_ = nullptr;  // flow_state_grew's last answer
  llvm::Function* eq_ = nullptr;
  llvm::Function* cmp_ = nullptr;
};

}  // namespace flowc::codegen
