// compiler/codegen/checkpoint.h — snapshot and restore of keyed state
// (LANGUAGE.md 10), written through the runtime's checkpoint streams.
//
// A table is written as its slot count, then per slot its keys and its
// state columns; restore reads them back in the same order and re-inserts
// each key (so hashes and string copies are made afresh).
#pragma once

#include "codegen/keyed_table.h"

namespace flowc::codegen {

// How one 8-byte-aligned piece of slot state is stored.
enum class ColumnKind {
  Scalar,    // 8 bytes: int, float, bool, timestamp, counters
  StrBuf,    // a FlowStrBuf owned by the slot (24 bytes)
  Distinct,  // a FlowDistinctSet* (count_distinct)
};

struct StateColumn {
  int64_t offset;
  ColumnKind kind;
};

// Emits, at the insertion point, the writing of every slot of `table` (a
// partitioned table's hidden partition after the keys).
void emit_table_snapshot(CgContext& cg, KeyedTable& table, const std::vector<plan::Type>& key_types,
                         const std::vector<StateColumn>& columns, llvm::Value* writer);

// Emits the reading back of a table written by emit_table_snapshot.
void emit_table_restore(CgContext& cg, KeyedTable& table, const std::vector<plan::Type>& key_types,
                        const std::vector<StateColumn>& columns, llvm::Value* reader);

// Keyed state per kafka partition (runtime/abi.h): the slots of ONE
// partition `part` (i64) of a partitioned table, each after a 1, then a 0
// (one scan, no count first). Adds the slots written to *slots (an i64
// alloca).
void emit_table_snapshot_partition(CgContext& cg, KeyedTable& table,
                                   const std::vector<plan::Type>& key_types,
                                   const std::vector<StateColumn>& columns, llvm::Value* part,
                                   llvm::Value* writer, llvm::Value* slots);
// Reads them back into partition `part` (whose slots were dropped before).
void emit_table_restore_partition(CgContext& cg, KeyedTable& table,
                                  const std::vector<plan::Type>& key_types,
                                  const std::vector<StateColumn>& columns, llvm::Value* part,
                                  llvm::Value* reader);
// Removes the slots of partition `part`; `release` emits the freeing of
// what one slot owns (its string keys, strings, sets) first.
void emit_table_drop_partition(CgContext& cg, KeyedTable& table, llvm::Value* part,
                               const std::function<void(llvm::Value* slot)>& release);

// A global i64 (watermarks, counters).
void emit_global_snapshot(CgContext& cg, llvm::Value* g, llvm::Value* writer);
void emit_global_restore(CgContext& cg, llvm::Value* g, llvm::Value* reader);

}  // namespace flowc::codegen
