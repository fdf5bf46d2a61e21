// compiler/codegen/join_buffer.h — one side of a stream–stream join
// (lower_interval_join.cpp): the rows that side has seen, by join key, each
// kept until the watermark passes its time + D.
//
//   slot (KeyedTable, string keys owned):  [hash][dirty][key][FlowRowList rows]
//   row (FlowRowList element, in arrival order):
//     [0] time   event time (ms)
//     [8] seq    arrival number, shared by both sides (miss order, ties)
//     [16] matched  a left row that joined at least once (left join)
//     [24...] the stored fields, 8 bytes each; strings 16 ({malloc'd copy, length})
//
// Memory is bounded by the watermark: expire() drops every row at or past
// the bound with its strings, and every key left without rows.
#pragma once

#include <functional>
#include <memory>

#include "codegen/keyed_table.h"

namespace flowc::codegen {

class JoinBuffer {
 public:
  // `name` prefixes the generated globals; `fields` are the stored fields'
  // types, in the order add() and fields() use.
  JoinBuffer(const std::string& name, plan::Type key_type, std::vector<plan::Type> fields);

  // Emits: appends {time, seq, matched, fields} under `key`, string bytes
  // copied. A field not computed (nullptr: pruned, nothing reads it) is 0.
  void add(CgContext& cg, const CgValue& key, llvm::Value* time, llvm::Value* seq,
           llvm::Value* matched, const Row& fields);

  // Emits a loop over the rows stored under `key`, in arrival order.
  void for_each_row(CgContext& cg, const CgValue& key,
                    const std::function<void(llvm::Value* row)>& body);

  // Emits a loop over every stored row whose time is at or before `bound`
  // (keys in table order, rows in arrival order). Skipped at once when
  // the earliest stored time is after it.
  void for_each_due(CgContext& cg, llvm::Value* bound,
                    const std::function<void(llvm::Value* row)>& body);

  // Emits the removal of the rows whose time is at or before `bound`.
  void expire(CgContext& cg, llvm::Value* bound);

  llvm::Value* time(CgContext& cg, llvm::Value* row);
  llvm::Value* seq(CgContext& cg, llvm::Value* row);
  llvm::Value* matched_at(CgContext& cg, llvm::Value* row);  // i64 0/1
  Row fields(CgContext& cg, llvm::Value* row);

  // Checkpoints: keys, then each key's rows with every word of them.
  void snapshot(CgContext& cg, llvm::Value* writer);
  void restore(CgContext& cg, llvm::Value* reader);

 private:
  static constexpr int64_t kTime = 0, kSeq = 8, kMatched = 16, kFields = 24;

  void prepare(CgContext& cg);
  llvm::Value* list_of(CgContext& cg, llvm::Value* slot);
  llvm::Value* row_at(CgContext& cg, llvm::Value* list, llvm::Value* index);
  // for (i = 0; i < n; ++i) body(i), stopping when `reader` fails.
  void loop(CgContext& cg, llvm::Value* n, llvm::Value* reader,
            const std::function<void(llvm::Value*)>& body);
  // The compaction of one slot's list, as the predicate of erase_if.
  llvm::Value* compact(CgContext& cg, llvm::Value* slot, llvm::Value* arg);

  std::string name_;
  plan::Type key_type_;
  std::vector<plan::Type> field_types_;
  std::vector<int64_t> field_offsets_;
  int64_t row_size_ = kFields;
  SlotLayout layout_;
  int64_t list_offset_ = 0;
  std::unique_ptr<KeyedTable> table_;
  // The least time stored (INT64_MAX when empty): expiry and the miss scan
  // skip the table while the watermark has not reached it.
  llvm::GlobalVariable* earliest_ = nullptr;
};

}  // namespace flowc::codegen
