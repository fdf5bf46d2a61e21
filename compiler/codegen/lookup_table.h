// compiler/codegen/lookup_table.h — the generated hash table of one
// `table` (LANGUAGE.md 4), shared by its loader and every join on it.
#pragma once

#include "codegen/keyed_table.h"

namespace flowc::codegen {

class LookupTable {
  using Type = plan::Type;
  // A FlowStrBuf is 24 bytes; other values 8.
  static int64_t stored_bytes(Type t) { return t == Type::String ? 24 : 8; }

 public:
  LookupTable(CgContext& cg, const plan::Table& table) : table_(table) {
    const plan::Field& key = table.schema.fields[table.key];
    keys_ = std::make_unique<KeyedTable>(cg, "table." + table.name, std::vector<Type>{key.type}, layout_,
                                         KeyedTable::KeyStorage::Arena, KeyedTable::Sharing::Shared);
    for (size_t i = 0; i < table.schema.fields.size(); ++i) {
      if (static_cast<int>(i) == table.key) continue;
      value_fields_.push_back(i);
      value_offsets_.push_back(layout_.add(stored_bytes(table.schema.fields[i].type)));
    }
  }

  // Stores the row (schema order) under its key.
  void insert(CgContext& cg, const Row& row) {
    auto [slot, fresh] = keys_->probe({row[table_.key]});
    for (size_t k = 0; k < value_fields_.size(); ++k) {
      const CgValue& v = row[value_fields_[k]];
      llvm::Value* at = keys_->field(slot, value_offsets_[k]);
      if (v.type == Type::String) {
        cg.b().CreateCall(cg.stdlib("flow_strbuf_set"), {at, v.v, v.len});
      } else {
        cg.store_value(v, at);
      }
    }
  }

  // The slot for `key`, or null.
  llvm::Value* find(const CgValue& key) { return keys_->find({key}); }

  // The non-key fields of `slot`, in schema order.
  Row values(CgContext& cg, llvm::Value* slot) {
    Row out;
    for (size_t k = 0; k < value_fields_.size(); ++k) {
      out.push_back(cg.load_value(table_.schema.fields[value_fields_[k]].type,
                                  keys_->field(slot, value_offsets_[k])));
    }
    return out;
  }

  // The defaults of the non-key fields (a left join's unmatched rows).
  Row defaults(CgContext& cg) {
    Row out;
    for (size_t i : value_fields_) {
      const plan::Field& f = table_.schema.fields[i];
      CgValue v = cg.param_constant(*f.default_value, f.default_expr,
                                       "the default of field '" + f.name + "' of table '" + table_.name + "'");
      v.type = f.type;
      out.push_back(v);
    }
    return out;
  }

 private:
  const plan::Table& table_;
  SlotLayout layout_;
  std::unique_ptr<KeyedTable> keys_;
  std::vector<size_t> value_fields_;
  std::vector<int64_t> value_offsets_;
};

}  // namespace flowc::codegen
