// compiler/codegen/keyed_table.h — the code shared by every operator that
// keeps a hash table keyed by `group by` values (aggregate, update): probe
// with find-or-insert, key equality and ordering functions, and the batch
// end scan that collects updated slots in key order.
#pragma once

#include <functional>

#include "codegen/cg_context.h"
#include "codegen/state_layout.h"

namespace flowc::codegen {

// Keyed state per kafka partition (plan/partitioning.h, runtime/abi.h):
// such a table keeps, after the `group by` keys, a hidden i64 key — the id
// of the source partition its rows came from — that rows do not show. The
// hash covers the visible keys only, so the slots of one key in several
// partitions share a probe chain: a new slot finds a twin there, which is
// reported (flow_key_in_two_partitions). Slots sort by the visible keys,
// then by partition (LANGUAGE.md 6.1 order; a key split between
// partitions yields one row per partition).
struct Partitioning {
  bool on = false;
  // The stream whose state this is, for the warning about a key in two
  // partitions; -1: do not look for one (tables rebuilt at each batch end
  // from a partitioned table that already looks).
  int stream = -1;
  // The first `group by` key among the table's keys (a window's panes
  // start with the pane's time, which the warning does not show).
  size_t first_group_key = 0;
};

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
             Sharing sharing = Sharing::PerWorker, Partitioning partitioning = {});

  bool partitioned() const { return partitioning_.on; }

  // Split by key hash into flow_state_parts() tables (runtime/abi.h; the
  // worker slots 0 .. parts-1), for an `update` whose source runs on every
  // thread (runtime/exchange.cpp). A key's part is part_of(its hash):
  // probe, find and erase address it; the scans (for_each_sorted,
  // for_each_slot, erase_if, count) cover every part, so what they see
  // is the same for every part count. Call before any code is emitted.
  void spread() { spread_ = true; }
  bool spread_out() const { return spread_; }
  // The part (i32) of a key whose hash is `hash` (i64), of `parts` (i32).
  llvm::Value* part_of(llvm::Value* hash, llvm::Value* parts);
  // flow_state_parts(ctx) (i32).
  llvm::Value* parts();
  // The keys' hash (i64), as a probe computes it.
  llvm::Value* hash(const std::vector<CgValue>& keys);
  // The keys the table holds (i64), in all its parts.
  llvm::Value* count();
  // Removes `slot` from its table (the caller releases what it owns).
  void erase(llvm::Value* slot);
  // The partition id of `slot` (i64; partitioned tables only).
  llvm::Value* partition(llvm::Value* slot);

  // Frees the slot's owned string keys (KeyStorage::Owned).
  void release_keys(llvm::Value* slot);

  // Emits, at the insertion point:
  //   ht = table ?: (table = flow_ht_create(size, 64));
  //   slot = flow_ht_find_or_insert(ht, hash(keys), probe(keys), eq, &inserted);
  //   if (inserted) copy string keys into the table's arena;
  //   slot->dirty = 1;
  // Returns {slot, inserted (i1)}. Call after layout is complete. A
  // partitioned table takes the partition id from `partition`, else from
  // the row being handled (FunctionState::partition). `cold`: code that
  // runs once (restoring a checkpoint) calls one shared out-of-line probe
  // rather than inlining its own.
  // `hash`: the keys' hash when known (a slot's stored_hash), not computed
  // again.
  std::pair<llvm::Value*, llvm::Value*> probe(const std::vector<CgValue>& keys,
                                              llvm::Value* partition = nullptr, bool cold = false,
                                              llvm::Value* hash = nullptr);
  // The hash `slot` is stored under (i64): probing with it finds the slot's
  // keys.
  llvm::Value* stored_hash(llvm::Value* slot);
  // Starts fetching where a probe for `hash` begins (flow_ht_prefetch).
  void prefetch(llvm::Value* hash);

  // The slot with these keys, or null (no insertion).
  llvm::Value* find(const std::vector<CgValue>& keys, llvm::Value* partition = nullptr);
  // The same with the keys' hash known (stored_hash), in a table that may
  // not exist yet (null then; it is not created, so several threads may
  // call this at once).
  llvm::Value* find_existing(const std::vector<CgValue>& keys, llvm::Value* partition,
                             llvm::Value* hash);

  size_t key_count() const { return key_types_.size(); }
  // Loads key i of `slot`.
  CgValue key(llvm::Value* slot, size_t i);
  // The address of byte `offset` of `slot`.
  llvm::Value* field(llvm::Value* slot, int64_t offset);

  // Emits a loop over the slots updated since the last call, in ascending
  // key order, clearing their dirty mark; `body` emits the handling of one
  // slot and may jump to `next` (the loop's continue block). With `all`,
  // every slot is visited, updated or not. Rows `body` hands on carry the
  // slot's partition (FunctionState::partition).
  // With `parallel` (StageSite::emits_in_parallel; only where `body`
  // uses nothing of the enclosing function but the FunctionState's ctx,
  // batch and arena), the sort and the loop run on every worker thread
  // (abi.h flow_sort_parallel, flow_emit_parallel): the loop goes into a
  // function of its own over a range of the sorted slots.
  void for_each_updated(const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body,
                        bool all = false, bool parallel = false);
  // The same over the slots for which `take` (emitted per slot) yields
  // true (i1), e.g. the keys `expire after` is about to remove; with
  // `clear_marks` false the dirty marks stay (checkpoints).
  // With `parallel` and `take_reads_slot_only` (`take` uses nothing of the
  // enclosing function), the slots of a table not split into parts are
  // collected on every worker thread too (abi.h flow_collect_parallel).
  void for_each_sorted(const std::function<llvm::Value*(llvm::Value* slot)>& take,
                       const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body,
                       bool clear_marks = true, bool parallel = false,
                       bool take_reads_slot_only = false);

  // Emits a loop over every slot, in table order (no sorting). `ahead`,
  // when given, is emitted at every index with the slot (used or not) a
  // few indexes further on, to prefetch for it.
  // With `part` and `parts` (i32), only the indexes of part `part` of
  // `parts` equal parts of the table.
  void for_each_slot(const std::function<void(llvm::Value* slot)>& body,
                     const std::function<void(llvm::Value* ahead)>& ahead = nullptr,
                     llvm::Value* part = nullptr, llvm::Value* parts = nullptr);

  // Emits the removal of every slot for which `pred` (emitted into its own
  // function, given the slot and `arg`) returns true.
  void erase_if(const std::string& name,
                const std::function<llvm::Value*(llvm::Value* slot, llvm::Value* arg)>& pred,
                llvm::Value* arg);

  // Merging partial states (partial_state.h): adds `n` (i64) to the count
  // of keys new to worker 0's table (atomically: every thread counts its
  // part), and, for the current function's worker's table, takes that
  // count (back to 0) and grows the table for it at once
  // (flow_ht_reserve_parallel).
  // reserve_fresh returns the count taken (i64).
  void add_fresh(llvm::Value* n);
  llvm::Value* reserve_fresh();
  // Then, on several threads at once (runtime flow_merge_parts), a key of
  // `src` (a worker's slot) absent from worker 0's table goes in: the slot
  // claimed there (flow_ht_claim) with src's keys, string bytes copied into
  // an arena of part `part` (i32) kept with worker 0's table; dirty mark
  // set. Returns the slot. Not for partitioned tables.
  llvm::Value* claim_copy(llvm::Value* src, llvm::Value* part);
  // And once they all went in: the current function's worker's table
  // counts `n` (i64) keys more (--max-state-keys checked as for each).
  void count_added(llvm::Value* n);

  // Emits flow_ht_clear (every slot gone, capacity kept).
  void clear();

  // The pipeline's own table (worker 0's slot: what end_batch fires,
  // checkpoints write and metrics count).
  llvm::Constant* table_global() { return cg_.worker0_slot(table_); }
  llvm::Constant* arena_global() { return cg_.worker0_slot(arena_); }

 private:
  // The loop of for_each_slot over indexes [first, end) of table `ht`
  // (i64s; ht a FlowHashTable*): `body` at every used slot. Leaves the
  // insertion point after the loop.
  void slot_range(llvm::Value* ht, llvm::Value* first, llvm::Value* end,
                  const std::function<void(llvm::Value* slot)>& body,
                  const std::function<void(llvm::Value* ahead)>& ahead = nullptr);
  // The address of this table's slot of a per-worker global.
  llvm::Value* mine(llvm::GlobalVariable* g) {
    return sharing_ == Sharing::Shared ? cg_.worker0_slot(g) : cg_.worker_slot(g);
  }
  llvm::Function* equal_function();
  // Partitioned tables: the visible keys equal, the partition not.
  llvm::Function* twin_function();
  llvm::Function* compare_function();
  // void sort(void** slots, int64_t n): flow_sort_ptrs by compare_function.
  llvm::Function* sort_function();
  // The loop over list[j], j from `from` to `to` (i64 values), handing
  // each slot to `body`, at the insertion point.
  void emit_slot_loop(llvm::Value* list, llvm::Value* from, llvm::Value* to,
                      const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body);
  // void emit(FlowContext*, const FlowBatch*, void** slots, int64_t lo,
  // int64_t hi): emit_slot_loop over [lo, hi), for flow_emit_parallel.
  llvm::Function* emit_function(
      const std::function<void(llvm::Value* slot, llvm::BasicBlock* next)>& body);
  // int64_t collect(FlowHashTable* ht, int64_t lo, int64_t hi, void** out):
  // the used slots of indexes [lo, hi) that `take` takes, into out (dirty
  // marks cleared with `clear_marks`); returns how many.
  llvm::Function* collect_function(const std::function<llvm::Value*(llvm::Value* slot)>& take,
                                   bool clear_marks);
  // One slot of a collect: when `take` takes it, list[*k] = slot, ++*k
  // (its dirty mark cleared with `clear_marks`).
  void collect_slot(llvm::Value* slot, const std::function<llvm::Value*(llvm::Value* slot)>& take,
                    llvm::Value* list, llvm::Value* k, bool clear_marks);
  llvm::Value* row_partition(llvm::Value* given);
  // A new slot of a partitioned table: report a twin in another partition.
  void report_twin(llvm::Value* ht, llvm::Value* hash, llvm::Value* probe,
                   const std::vector<CgValue>& keys, llvm::Value* partition);
  llvm::Value* load_table();
  // Emits `body` once per part (spread tables; else once), with the part
  // as the current worker (FunctionState::worker) that mine() addresses.
  void each_part(const std::function<void()>& body);
  // Runs `body` with the current worker set to the part of `hash` (spread
  // tables; else as it is).
  template <typename Body>
  auto in_part_of(llvm::Value* hash, Body body) {
    if (!spread_) return body();
    llvm::Value* saved = cg_.fs().worker;
    cg_.fs().worker = part_of(hash, parts());
    auto out = body();
    cg_.fs().worker = saved;
    return out;
  }
  // hash(keys) and a probe buffer laid out like a slot.
  std::pair<llvm::Value*, llvm::Value*> hash_and_probe(const std::vector<CgValue>& keys,
                                                       llvm::Value* partition,
                                                       llvm::Value* hash = nullptr);

  CgContext& cg_;
  std::string name_;
  std::vector<plan::Type> key_types_;
  SlotLayout& layout_;
  KeyStorage storage_;
  Sharing sharing_;
  Partitioning partitioning_;
  int64_t partition_offset_ = -1;  // the hidden key, when partitioned
  bool spread_ = false;
  // Per worker (CgContext::worker_global).
  llvm::GlobalVariable* table_ = nullptr;
  llvm::GlobalVariable* arena_ = nullptr;
  llvm::GlobalVariable* grow_check_ = nullptr;  // flow_state_grew's last answer
  llvm::GlobalVariable* fresh_ = nullptr;       // add_fresh's count (one, not per worker)
  llvm::GlobalVariable* fresh_global();
  // claim_copy's arenas, one per part (worker 0's table's: per worker
  // only in shape).
  llvm::GlobalVariable* merge_arenas_ = nullptr;
  llvm::Function* eq_ = nullptr;
  llvm::Function* twin_ = nullptr;
  llvm::Function* cmp_ = nullptr;
  llvm::Function* sort_ = nullptr;
};

}  // namespace flowc::codegen
