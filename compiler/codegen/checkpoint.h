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

// Emits, at the insertion point, the writing of every slot of `table`.
void emit_table_snapshot(CgContext& cg, KeyedTable& table, const std::vector<plan::Type>& key_types,
                         const std::vector<StateColumn>& columns, llvm::Value* writer);

// Emits the reading back of a table written by emit_table_snapshot.
void emit_table_restore(CgContext& cg, KeyedTable& table, const std::vector<plan::Type>& key_types,
                        const std::vector<StateColumn>& columns, llvm::Value* reader);

// A global i64 (watermarks, counters).
void emit_global_snapshot(CgContext& cg, llvm::Value* g, llvm::Value* writer);
void emit_global_restore(CgContext& cg, llvm::Value* g, llvm::Value* reader);

}  // namespace flowc::codegen
