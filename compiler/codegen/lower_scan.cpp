// Sources: the loop over a batch's records and the parsing of each record's
// fields straight into SSA values, specialised to the schema and format.
//
//   void source_N(FlowContext* ctx, const FlowBatch* batch,
//                 const FlowRecord* recs, int64_t n) {
//     FlowArena* arena = flow_scratch(ctx);
//     for (int64_t i = 0; i < n; ++i) {
//       <split the record: csv columns / json values / regex groups>
//       <convert each used field; missing -> default or bad record>
//       <the stream's operators>
//     next_record: ;
//     }
//   }
//
// Only fields some operator reads are converted (dead-column elimination
// marks them in Source::used); the others are not even located in JSON.
#include "codegen/scan.h"

#include <llvm/IR/Constants.h>

#include <algorithm>
#include <cstddef>
#include <functional>

#include "abi.h"
#include "codegen/byte_match.h"
#include "codegen/lookup_table.h"
#include "flow_stdlib.h"
#include "plan/raw_filter.h"
#include "support/internal_error.h"

namespace flowc::codegen {

namespace {

using plan::Type;

// CSV records split into at most this many columns; a header naming a
// schema field at a later column leaves that field missing.
constexpr int64_t kMaxCsvColumns = 1024;

// Reading ahead for a join (ProbeAhead): a record is scanned and its
// probe's slot fetched kSlotAhead records before it runs, its entry
// fetched kEntryAhead records before; the scan results are kept for kRing
// records. A miss to L3 or memory takes a few records' time.
constexpr int64_t kSlotAhead = 4;
constexpr int64_t kEntryAhead = 2;
constexpr int64_t kRing = kSlotAhead + 1;

const char* expected_name(Type t) { return plan::type_name(t); }

struct FieldText {
  llvm::Value* present;  // i1
  llvm::Value* ptr;
  llvm::Value* len;
};

class Scan {
 public:
  Scan(CgContext& cg, const plan::Source& src, int index) : cg_(cg), b_(cg.b()), src_(src), index_(index) {}

  // Converts text to the field's type; a failure is a bad record naming the
  // field. Missing (or, for non-strings, empty) text takes the default.
  CgValue convert(const plan::Field& f, const FieldText& text) {
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg_.llvm(), name, cg_.fs().fn); };
    llvm::Value* present = text.present;
    if (f.type != Type::String) {
      present = b_.CreateAnd(present, b_.CreateICmpSGT(text.len, cg_.i64c(0)));
    }
    llvm::BasicBlock* parse = block("field.parse");
    llvm::BasicBlock* missing = block("field.missing");
    llvm::BasicBlock* done = block("field.done");
    b_.CreateCondBr(present, parse, missing);

    b_.SetInsertPoint(missing);
    CgValue fallback;
    if (f.default_value) {
      fallback = cg_.param_constant(*f.default_value, f.default_expr,
                                    "the default of field '" + f.name + "' of '" + src_.name + "'");
      if (f.type == Type::Timestamp && f.default_value->type == Type::Int) fallback.type = Type::Timestamp;
    } else {
      cg_.fail_record("field \"" + f.name + "\": missing");
    }
    llvm::BasicBlock* missing_end = b_.GetInsertBlock();
    if (f.default_value) b_.CreateBr(done);

    b_.SetInsertPoint(parse);
    CgValue parsed{f.type, text.ptr, text.len};
    if (!f.time_format.empty()) {
      // `ts: timestamp format "..."`: that form only (LANGUAGE.md 13).
      auto [ok, ms] = emit_time_parse(cg_, f.time_format, text.ptr, text.len);
      bad_field_unless(f, ok, text, "timestamp in the format \"" + f.time_format + "\"");
      parsed = {Type::Timestamp, ms, nullptr};
    } else if (f.type != Type::String) {
      llvm::Type* storage = f.type == Type::Float ? cg_.f64() : f.type == Type::Bool ? cg_.i32() : cg_.i64();
      llvm::Value* out = cg_.entry_alloca(storage, f.name + ".value");
      llvm::Value* ok = nullptr;
      switch (f.type) {
        case Type::Int:
          ok = b_.CreateCall(cg_.stdlib("flow_parse_int"), {text.ptr, text.len, out});
          break;
        case Type::Float:
          ok = b_.CreateCall(cg_.stdlib("flow_parse_float"), {text.ptr, text.len, out});
          break;
        case Type::Bool:
          ok = b_.CreateCall(cg_.stdlib("flow_parse_bool"), {text.ptr, text.len, out});
          break;
        default:
          ok = b_.CreateCall(cg_.stdlib("flow_parse_timestamp"),
                             {text.ptr, text.len, timestamp_unit_, out});
      }
      bad_field_unless(f, b_.CreateICmpNE(ok, cg_.i32c(0)), text, expected_name(f.type));
      llvm::Value* v = b_.CreateLoad(storage, out);
      if (f.type == Type::Bool) v = b_.CreateICmpNE(v, cg_.i32c(0));
      parsed.v = v;
      parsed.len = nullptr;
    }
    llvm::BasicBlock* parse_end = b_.GetInsertBlock();
    b_.CreateBr(done);

    b_.SetInsertPoint(done);
    if (!f.default_value) {
      // `missing` jumped to the next record: only the parsed value arrives.
      return parsed;
    }
    CgValue out{f.type, nullptr, nullptr};
    llvm::PHINode* v = b_.CreatePHI(parsed.v->getType(), 2);
    v->addIncoming(parsed.v, parse_end);
    v->addIncoming(fallback.v, missing_end);
    out.v = v;
    if (f.type == Type::String) {
      llvm::PHINode* n = b_.CreatePHI(cg_.i64(), 2);
      n->addIncoming(parsed.len, parse_end);
      n->addIncoming(fallback.len, missing_end);
      out.len = n;
    }
    return out;
  }

  // Unless `ok` (i1): a bad record `field "NAME": expected WHAT, got "TEXT"`.
  void bad_field_unless(const plan::Field& f, llvm::Value* ok, const FieldText& text,
                        const std::string& what) {
    llvm::BasicBlock* bad = llvm::BasicBlock::Create(cg_.llvm(), "field.bad", cg_.fs().fn);
    llvm::BasicBlock* good = llvm::BasicBlock::Create(cg_.llvm(), "field.good", cg_.fs().fn);
    b_.CreateCondBr(ok, good, bad);
    b_.SetInsertPoint(bad);
    b_.CreateCall(
        cg_.runtime("flow_bad_field"),
        {cg_.fs().ctx, cg_.i32c(index_), cg_.fs().rec, cg_.cstring(f.name),
         cg_.i64c(static_cast<int64_t>(f.name.size())), cg_.cstring(what), text.ptr, text.len});
    b_.CreateBr(cg_.fs().next_record);
    b_.SetInsertPoint(good);
  }

  // CSV: split the record into columns; a field's text is then its column
  // (by the header's column map, or by position). Records from the
  // runtime's splitter have balanced quotes, so the split stops after the
  // last column some field needs (flow_csv_split_more, SIMD index), and in
  // two steps when a leading `where` runs first. Kafka messages may hold an
  // unclosed quote anywhere: they are split whole, to find it.
  void csv(llvm::Value* rec_ptr, llvm::Value* rec_len) {
    int64_t max_cols = src_.format.header || header_
                           ? kMaxCsvColumns
                           : static_cast<int64_t>(src_.schema.fields.size());
    if (max_cols == 0) max_cols = 1;
    llvm::Value* cols = cg_.entry_alloca(llvm::ArrayType::get(cg_.str_type(), max_cols), "csv.cols");
    auto column_of = [this](size_t i) -> llvm::Value* {
      llvm::Value* col = cg_.i64c(static_cast<int64_t>(i));
      auto by_name = [&] {
        llvm::Value* at = b_.CreateConstInBoundsGEP1_64(cg_.i32(), column_map_, i);
        return b_.CreateSExt(b_.CreateLoad(cg_.i32(), at), cg_.i64());
      };
      if (header_) {
        // A param sets `header`: by name or by position, as it says.
        llvm::BasicBlock* from = b_.GetInsertBlock();
        llvm::BasicBlock* named = llvm::BasicBlock::Create(cg_.llvm(), "csv.by_name", cg_.fs().fn);
        llvm::BasicBlock* join = llvm::BasicBlock::Create(cg_.llvm(), "csv.column", cg_.fs().fn);
        b_.CreateCondBr(header_, named, join);
        b_.SetInsertPoint(named);
        llvm::Value* mapped = by_name();
        llvm::BasicBlock* named_end = b_.GetInsertBlock();
        b_.CreateBr(join);
        b_.SetInsertPoint(join);
        llvm::PHINode* phi = b_.CreatePHI(cg_.i64(), 2);
        phi->addIncoming(col, from);
        phi->addIncoming(mapped, named_end);
        col = phi;
      } else if (src_.format.header) {
        col = by_name();
      }
      return col;
    };
    if (src_.connector.kind == plan::ConnectorKind::Kafka) {
      llvm::Value* n =
          b_.CreateCall(cg_.stdlib("flow_csv_split"),
                        {rec_ptr, rec_len, delimiter_, cols, cg_.i64c(max_cols), cg_.fs().arena});
      require(cg_, b_.CreateICmpSGE(n, cg_.i64c(0)), "unclosed quote");
      csv_count_ = b_.CreateSelect(b_.CreateICmpSGT(n, cg_.i64c(max_cols)), cg_.i64c(max_cols), n);
    } else {
      // A FlowCsvSplit on the stack (so each worker thread has its own),
      // its counters zeroed for each record; the index words need not be.
      auto* state_type = llvm::ArrayType::get(cg_.i8(), sizeof(FlowCsvSplit));
      auto* state = llvm::cast<llvm::AllocaInst>(cg_.entry_alloca(state_type, "csv.split"));
      state->setAlignment(llvm::Align(alignof(FlowCsvSplit)));
      b_.CreateMemSet(state, b_.getInt8(0), offsetof(FlowCsvSplit, ix),
                      llvm::MaybeAlign(alignof(FlowCsvSplit)));
      prepare_ = [this, state, rec_ptr, rec_len, cols, max_cols,
                  column_of](const std::vector<bool>& which) {
        // Up to the last column a field in `which` needs (header columns
        // are known only at run time: the column map is read each record,
        // a few loads from one cache line).
        llvm::Value* upto = cg_.i64c(0);
        for (size_t i = 0; i < which.size(); ++i) {
          if (!which[i]) continue;
          llvm::Value* need = b_.CreateAdd(column_of(i), cg_.i64c(1));
          upto = b_.CreateSelect(b_.CreateICmpSGT(need, upto), need, upto);
        }
        upto =
            b_.CreateSelect(b_.CreateICmpSGT(upto, cg_.i64c(max_cols)), cg_.i64c(max_cols), upto);
        llvm::Value* n =
            b_.CreateCall(cg_.stdlib("flow_csv_split_more"),
                          {state, rec_ptr, rec_len, delimiter_, cols, upto, cg_.fs().arena});
        require(cg_, b_.CreateICmpSGE(n, cg_.i64c(0)), "unclosed quote");
        csv_count_ = n;
      };
    }
    locate_ = [this, cols, column_of](size_t i) -> FieldText {
      llvm::Value* col = column_of(i);
      llvm::Value* present =
          b_.CreateAnd(b_.CreateICmpSGE(col, cg_.i64c(0)), b_.CreateICmpSLT(col, csv_count_));
      llvm::Value* safe = b_.CreateSelect(present, col, cg_.i64c(0));
      llvm::Value* cell = b_.CreateInBoundsGEP(cg_.str_type(), cols, safe);
      CgValue text = cg_.load_value(Type::String, cell);
      return {present, text.v, text.len};
    };
  }

  // JSON: one scan of the object locates every used field by name (a
  // lookup specialised to the used names: a switch on the key's length,
  // then word compares); a field's text is then checked against its JSON
  // kind. Unused members are validated, not decoded.
  //
  // json_setup, before the loop: the lookup, the layout, room for the
  // scans' results (kRing records' when the scan reads ahead).
  void json_setup(int64_t records) {
    for (size_t i = 0; i < src_.schema.fields.size(); ++i) {
      if (!src_.used[i]) continue;
      json_wanted_.push_back(i);
    }
    std::vector<std::string> names;
    for (size_t i : json_wanted_) names.push_back(src_.schema.fields[i].name);
    json_count_ = static_cast<int64_t>(std::max<size_t>(json_wanted_.size(), 1));
    json_lookup_ = emit_name_lookup(cg_, cg_.unique("json.keys"), names);
    json_values_ = cg_.entry_alloca(llvm::ArrayType::get(cg_.str_type(), json_count_ * records),
                                    "json.values");
    json_kinds_ =
        cg_.entry_alloca(llvm::ArrayType::get(cg_.i32(), json_count_ * records), "json.kinds");
    // The source's layout (FlowJsonLayout): learned from its records, it
    // lets a record laid out like the last ones be read by comparing the
    // bytes between values whole. Learning writes it, so each worker
    // thread keeps its own (morsels of one source run at once).
    auto* layout_type = llvm::ArrayType::get(cg_.i8(), sizeof(FlowJsonLayout));
    llvm::GlobalVariable* layouts =
        cg_.worker_global(layout_type, nullptr, "source." + src_.name + ".json_layout");
    json_layout_ = cg_.worker_slot(layouts);
  }

  // Results slot `at` (i64) of json_setup's room.
  std::pair<llvm::Value*, llvm::Value*> json_slot(llvm::Value* at) {
    llvm::Value* first = b_.CreateMul(at, cg_.i64c(json_count_));
    return {b_.CreateInBoundsGEP(cg_.str_type(), json_values_, first),
            b_.CreateInBoundsGEP(cg_.i32(), json_kinds_, first)};
  }

  // Scans one record into values/kinds; returns FLOW_JSON_OK or the error.
  llvm::Value* json_scan(llvm::Value* rec_ptr, llvm::Value* rec_len, llvm::Value* values,
                         llvm::Value* kinds) {
    // A record laid out like the last ones is read in the loop; any other
    // goes to flow_json_scan_rest (native code, out of the loop).
    llvm::Value* count_value = cg_.i64c(static_cast<int64_t>(json_wanted_.size()));
    llvm::Value* fits = b_.CreateCall(cg_.stdlib("flow_json_scan_layout"),
                                      {rec_ptr, rec_len, values, kinds, count_value, json_layout_});
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* other = llvm::BasicBlock::Create(cg_.llvm(), "json.other", cg_.fs().fn);
    llvm::BasicBlock* scanned = llvm::BasicBlock::Create(cg_.llvm(), "json.scanned", cg_.fs().fn);
    b_.CreateCondBr(b_.CreateICmpNE(fits, cg_.i32c(0)), scanned, other);
    b_.SetInsertPoint(other);
    // Native code only: the bitcode declares it (json.cpp's flow_json_scan calls it).
    llvm::Function* rest = cg_.module().getFunction("flow_json_scan_rest");
    check_invariant(rest != nullptr, "flow_json_scan_rest is not declared in the stdlib bitcode");
    llvm::Value* other_rc = b_.CreateCall(rest, {rec_ptr, rec_len, json_lookup_, values, kinds,
                                                 count_value, cg_.fs().arena, json_layout_});
    b_.CreateBr(scanned);
    b_.SetInsertPoint(scanned);
    llvm::PHINode* rc = b_.CreatePHI(cg_.i32(), 2, "json.rc");
    rc->addIncoming(cg_.i32c(FLOW_JSON_OK), from);
    rc->addIncoming(other_rc, other);
    return rc;
  }

  // The current record's fields from its scan (rc, values, kinds).
  void json(llvm::Value* rc, llvm::Value* values, llvm::Value* kinds) {
    llvm::BasicBlock* bad = llvm::BasicBlock::Create(cg_.llvm(), "json.bad", cg_.fs().fn);
    llvm::BasicBlock* good = llvm::BasicBlock::Create(cg_.llvm(), "json.good", cg_.fs().fn);
    b_.CreateCondBr(b_.CreateICmpEQ(rc, cg_.i32c(FLOW_JSON_OK)), good, bad);
    b_.SetInsertPoint(bad);
    llvm::Value* msg = b_.CreateCall(cg_.stdlib("flow_json_error_text"), {rc});
    cg_.fail_record(msg, b_.CreateCall(cg_.stdlib("flow_cstr_len"), {msg}));
    b_.SetInsertPoint(good);

    locate_ = [this, values, kinds](size_t i) -> FieldText {
      size_t k = std::find(json_wanted_.begin(), json_wanted_.end(), i) - json_wanted_.begin();
      const plan::Field& f = src_.schema.fields[i];
      llvm::Value* kind = b_.CreateLoad(cg_.i32(), b_.CreateConstInBoundsGEP1_64(cg_.i32(), kinds, k));
      CgValue text = cg_.load_value(Type::String, b_.CreateConstInBoundsGEP1_64(cg_.str_type(), values, k));
      auto is = [&](FlowJsonKind k) { return b_.CreateICmpEQ(kind, cg_.i32c(k)); };
      llvm::Value* present = b_.CreateNot(b_.CreateOr(is(FLOW_JSON_MISSING), is(FLOW_JSON_NULL)));
      llvm::Value* fits = nullptr;
      switch (f.type) {
        case Type::String:  // numbers and booleans are taken as their text
          fits = b_.CreateNot(is(FLOW_JSON_NESTED));
          break;
        case Type::Int: fits = is(FLOW_JSON_NUMBER); break;
        case Type::Float:  // "nan"/"inf" as strings, as flowc writes them
        case Type::Timestamp:  // epoch numbers or RFC 3339 text
          fits = b_.CreateOr(is(FLOW_JSON_STRING), is(FLOW_JSON_NUMBER));
          break;
        case Type::Bool:
          fits = b_.CreateOr(is(FLOW_JSON_TRUE),
                             b_.CreateOr(is(FLOW_JSON_FALSE), is(FLOW_JSON_NUMBER)));
          break;
      }
      llvm::BasicBlock* wrong = llvm::BasicBlock::Create(cg_.llvm(), "json.wrong", cg_.fs().fn);
      llvm::BasicBlock* ok = llvm::BasicBlock::Create(cg_.llvm(), "json.fits", cg_.fs().fn);
      b_.CreateCondBr(b_.CreateOr(b_.CreateNot(present), fits), ok, wrong);
      b_.SetInsertPoint(wrong);
      b_.CreateCall(cg_.runtime("flow_bad_field"),
                    {cg_.fs().ctx, cg_.i32c(index_), cg_.fs().rec, cg_.cstring(f.name),
                     cg_.i64c(static_cast<int64_t>(f.name.size())), cg_.cstring(expected_name(f.type)),
                     text.v, text.len});
      b_.CreateBr(cg_.fs().next_record);
      b_.SetInsertPoint(ok);
      // A JSON string for a string field is present even when empty.
      return {present, text.v, text.len};
    };
  }

  // Reading ahead (ProbeAhead): record j is scanned, and its probe's slot
  // fetched, kSlotAhead records before it runs (ahead_scan), its entry
  // fetched kEntryAhead records before (ahead_entry); a record's scan
  // results stay in slot j % kRing until it has run. Nothing past n.
  void ahead_scan(const ProbeAhead& ahead, llvm::Value* recs, llvm::Value* n, llvm::Value* j) {
    guarded(b_.CreateICmpSLT(j, n), [&] {
      llvm::Value* rec = b_.CreateInBoundsGEP(cg_.record_type(), recs, j);
      llvm::Value* ptr =
          b_.CreateLoad(cg_.ptr(), cg_.abi_gep(cg_.record_type(), rec, offsetof(FlowRecord, ptr)));
      llvm::Value* len =
          b_.CreateLoad(cg_.i64(), cg_.abi_gep(cg_.record_type(), rec, offsetof(FlowRecord, len)));
      llvm::Value* at = b_.CreateURem(j, cg_.i64c(kRing));
      auto [values, kinds] = json_slot(at);
      llvm::Value* rc = json_scan(ptr, len, values, kinds);
      b_.CreateStore(rc, b_.CreateInBoundsGEP(cg_.i32(), ahead_rc_, at));
      // The key's text is the joined string when the record scanned and
      // the key is there (key_is_text; json.cpp decodes escapes): hashed as
      // the probe would hash it. Anything else hashes as "" (a useless
      // hint, not used as the key's hash).
      CgValue text = cg_.load_value(
          Type::String,
          b_.CreateConstInBoundsGEP1_64(cg_.str_type(), values, ahead_key_index(ahead)));
      llvm::Value* usable =
          b_.CreateAnd(b_.CreateICmpEQ(rc, cg_.i32c(FLOW_JSON_OK)), key_is_text(ahead, kinds));
      llvm::Value* hash =
          emit_hash(cg_, CgValue{Type::String, b_.CreateSelect(usable, text.v, cg_.cstring("")),
                                 b_.CreateSelect(usable, text.len, cg_.i64c(0))});
      b_.CreateStore(hash, b_.CreateInBoundsGEP(cg_.i64(), ahead_hash_, at));
      ahead.table->prefetch_slot(hash);
    });
  }

  size_t ahead_key_index(const ProbeAhead& ahead) const {
    return static_cast<size_t>(
        std::find(json_wanted_.begin(), json_wanted_.end(), static_cast<size_t>(ahead.field)) -
        json_wanted_.begin());
  }

  // The join key, a string field, is its JSON text: a string (decoded), a
  // number or a literal, not missing, null or nested (json()'s locate_).
  llvm::Value* key_is_text(const ProbeAhead& ahead, llvm::Value* kinds) {
    llvm::Value* kind = b_.CreateLoad(
        cg_.i32(), b_.CreateConstInBoundsGEP1_64(cg_.i32(), kinds, ahead_key_index(ahead)));
    auto is = [&](FlowJsonKind k) { return b_.CreateICmpEQ(kind, cg_.i32c(k)); };
    return b_.CreateNot(
        b_.CreateOr(is(FLOW_JSON_MISSING), b_.CreateOr(is(FLOW_JSON_NULL), is(FLOW_JSON_NESTED))));
  }

  // The converted join key's hash: the one computed when the record was
  // read ahead, when the key is the text hashed then.
  llvm::Value* ahead_key_hash(const ProbeAhead& ahead, const CgValue& key) {
    llvm::Value* reuse = key_is_text(ahead, ahead_kinds_);
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* again = llvm::BasicBlock::Create(cg_.llvm(), "ahead.rehash", cg_.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "ahead.hashed", cg_.fs().fn);
    llvm::Value* stored =
        b_.CreateLoad(cg_.i64(), b_.CreateInBoundsGEP(cg_.i64(), ahead_hash_, ahead_at_));
    b_.CreateCondBr(reuse, done, again);
    b_.SetInsertPoint(again);
    llvm::Value* fresh = emit_hash(cg_, key);
    llvm::BasicBlock* again_end = b_.GetInsertBlock();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
    llvm::PHINode* hash = b_.CreatePHI(cg_.i64(), 2, "ahead.key_hash");
    hash->addIncoming(stored, from);
    hash->addIncoming(fresh, again_end);
    return hash;
  }

  void ahead_entry(const ProbeAhead& ahead, llvm::Value* n, llvm::Value* j) {
    guarded(b_.CreateAnd(b_.CreateICmpSGE(j, cg_.i64c(0)), b_.CreateICmpSLT(j, n)), [&] {
      llvm::Value* at = b_.CreateURem(j, cg_.i64c(kRing));
      ahead.table->prefetch_entry(
          b_.CreateLoad(cg_.i64(), b_.CreateInBoundsGEP(cg_.i64(), ahead_hash_, at)));
    });
  }

  // Emits `then` under `cond`, continuing after it either way.
  template <typename Then>
  void guarded(llvm::Value* cond, Then then) {
    llvm::BasicBlock* yes = llvm::BasicBlock::Create(cg_.llvm(), "ahead.do", cg_.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "ahead.done", cg_.fs().fn);
    b_.CreateCondBr(cond, yes, done);
    b_.SetInsertPoint(yes);
    then();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  void regex(llvm::Value* rec) {
    size_t count = std::max<size_t>(src_.schema.fields.size(), 1);
    llvm::Value* groups = cg_.entry_alloca(llvm::ArrayType::get(cg_.str_type(), count), "regex.groups");
    llvm::Value* matched = b_.CreateCall(cg_.runtime("flow_regex_fields"),
                                         {cg_.fs().ctx, cg_.i32c(index_), rec, groups});
    require(cg_, b_.CreateICmpNE(matched, cg_.i32c(0)),
            "record does not match the pattern (the whole line must match)");
    locate_ = [this, groups](size_t i) -> FieldText {
      CgValue text = cg_.load_value(Type::String, b_.CreateConstInBoundsGEP1_64(cg_.str_type(), groups, i));
      // An empty group counts as missing, so a default can fill it.
      llvm::Value* present = b_.CreateICmpSGT(text.len, cg_.i64c(0));
      if (src_.schema.fields[i].type == Type::String && !src_.schema.fields[i].default_value) {
        present = b_.getTrue();
      }
      return {present, text.v, text.len};
    };
  }

  // Converts the used fields in `which` (not yet converted) into `row`.
  void convert_fields(Row& row, const std::vector<bool>& which) {
    std::vector<bool> todo(src_.schema.fields.size(), false);
    bool any = false;
    for (size_t i = 0; i < src_.schema.fields.size(); ++i) {
      todo[i] = which[i] && src_.used[i] && row[i].v == nullptr;
      any = any || todo[i];
    }
    if (!any) return;
    if (prepare_) prepare_(todo);
    for (size_t i = 0; i < src_.schema.fields.size(); ++i) {
      if (todo[i]) row[i] = convert(src_.schema.fields[i], locate_(i));
    }
  }

  // The loop over the batch's records.
  llvm::Function* text_source(const std::string& name, Operator* out, const EarlyFilter& early,
                              const ProbeAhead& ahead) {
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), {cg_.ptr(), cg_.ptr(), cg_.ptr(), cg_.i64()}, false);
    llvm::Function* fn = cg_.begin_function(name, type);
    FunctionState& fs = cg_.fs();
    fs.ctx = fn->getArg(0);
    fs.batch = fn->getArg(1);
    fs.source = index_;
    llvm::Value* recs = fn->getArg(2);
    llvm::Value* n = fn->getArg(3);
    fs.arena = b_.CreateCall(cg_.runtime("flow_scratch"), {fs.ctx});
    fs.worker = b_.CreateCall(cg_.runtime("flow_worker_index"), {fs.ctx});  // runtime/worker.h
    format_options();
    if (src_.format.kind == plan::FormatKind::Csv && (src_.format.header || header_)) {
      column_map_ = b_.CreateCall(cg_.runtime("flow_csv_column_map"), {fs.ctx, cg_.i32c(index_)});
    }
    llvm::Value* i = cg_.entry_alloca(cg_.i64(), "i");
    const bool is_json = src_.format.kind == plan::FormatKind::Json;
    const bool read_ahead = is_json && ahead.table != nullptr && ahead.field >= 0 &&
                            static_cast<size_t>(ahead.field) < src_.used.size() &&
                            src_.used[ahead.field];
    if (is_json) json_setup(read_ahead ? kRing : 1);
    if (read_ahead) {
      ahead_rc_ = cg_.entry_alloca(llvm::ArrayType::get(cg_.i32(), kRing), "ahead.rc");
      ahead_hash_ = cg_.entry_alloca(llvm::ArrayType::get(cg_.i64(), kRing), "ahead.hash");
    }
    // Reading ahead, the loop starts kSlotAhead records early: those turns
    // only read ahead (one copy of the scan, which is then inlined).
    b_.CreateStore(cg_.i64c(read_ahead ? -kSlotAhead : 0), i);
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg_.llvm(), "record.head", fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg_.llvm(), "record.body", fn);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg_.llvm(), "record.next", fn);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(cg_.llvm(), "exit", fn);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::Value* iv = b_.CreateLoad(cg_.i64(), i);
    b_.CreateCondBr(b_.CreateICmpSLT(iv, n), body, exit);
    b_.SetInsertPoint(body);
    if (read_ahead) {
      ahead_scan(ahead, recs, n, b_.CreateAdd(iv, cg_.i64c(kSlotAhead)));
      ahead_entry(ahead, n, b_.CreateAdd(iv, cg_.i64c(kEntryAhead)));
      llvm::BasicBlock* own = llvm::BasicBlock::Create(cg_.llvm(), "record.own", fn);
      b_.CreateCondBr(b_.CreateICmpSLT(iv, cg_.i64c(0)), next, own);
      b_.SetInsertPoint(own);
    }
    fs.rec = b_.CreateInBoundsGEP(cg_.record_type(), recs, iv);
    fs.record_index = iv;
    fs.next_record = next;
    if (src_.connector.kind == plan::ConnectorKind::Kafka) {
      // Keyed state per partition: (source << shift) | FlowRecord.offset
      // (a kafka record's topic-partition). Unused (and optimized away) unless
      // some keyed state follows this source's partitions.
      llvm::Value* part = b_.CreateLoad(
          cg_.i64(), cg_.abi_gep(cg_.record_type(), fs.rec, offsetof(FlowRecord, offset)));
      fs.partition =
          b_.CreateOr(part, cg_.i64c(static_cast<int64_t>(index_) << FLOW_PARTITION_SOURCE_SHIFT));
    }
    llvm::Value* rec_ptr =
        b_.CreateLoad(cg_.ptr(), cg_.abi_gep(cg_.record_type(), fs.rec, offsetof(FlowRecord, ptr)));
    llvm::Value* rec_len =
        b_.CreateLoad(cg_.i64(), cg_.abi_gep(cg_.record_type(), fs.rec, offsetof(FlowRecord, len)));
    Row row(src_.schema.fields.size());
    raw_filter(early, rec_ptr, rec_len);
    switch (src_.format.kind) {
      case plan::FormatKind::Csv: csv(rec_ptr, rec_len); break;
      case plan::FormatKind::Json:
        if (read_ahead) {
          llvm::Value* at = b_.CreateURem(iv, cg_.i64c(kRing));
          auto [values, kinds] = json_slot(at);
          ahead_at_ = at;
          ahead_kinds_ = kinds;
          json(b_.CreateLoad(cg_.i32(), b_.CreateInBoundsGEP(cg_.i32(), ahead_rc_, at)), values,
               kinds);
        } else {
          auto [values, kinds] = json_slot(cg_.i64c(0));
          json(json_scan(rec_ptr, rec_len, values, kinds), values, kinds);
        }
        break;
      case plan::FormatKind::Regex: regex(fs.rec); break;
      default:  // lines
        locate_ = [&](size_t) { return FieldText{b_.getTrue(), rec_ptr, rec_len}; };
        break;
    }
    if (early.predicate) {
      // A leading `where` runs as soon as the fields it reads (and the event
      // time) are converted: a record it drops costs only those fields, and
      // its other fields are not checked. A dropped record still moves the
      // watermark (every parsed record counts, before any `where`).
      std::vector<bool> first(src_.schema.fields.size(), false);
      if (src_.event_time >= 0) first[src_.event_time] = true;
      mark_fields(*early.predicate, first);
      convert_fields(row, first);
      CgValue keep = emit_expr(cg_, *early.predicate, ExprEnv{&row, {}});
      llvm::BasicBlock* pass = llvm::BasicBlock::Create(cg_.llvm(), "where.pass", fn);
      llvm::BasicBlock* drop = llvm::BasicBlock::Create(cg_.llvm(), "where.drop", fn);
      b_.CreateCondBr(keep.v, pass, drop);
      b_.SetInsertPoint(drop);
      track_event_time(row);
      b_.CreateBr(next);
      b_.SetInsertPoint(pass);
    }
    // A bad record (any field) does not move the watermark: track after.
    convert_fields(row, std::vector<bool>(src_.schema.fields.size(), true));
    track_event_time(row);
    KnownHashScope known(fs);
    if (read_ahead) {
      const CgValue& key = row[ahead.field];
      known.add(key.v, key.len, ahead_key_hash(ahead, key));
    }
    (early.predicate ? early.next : out)->consume(cg_, row);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(cg_.i64(), i), cg_.i64c(1)), i);
    b_.CreateBr(head);
    b_.SetInsertPoint(exit);
    b_.CreateRetVoid();
    return fn;
  }

  //   void source_N(ctx, batch, int64_t first, int64_t count) {
  //     for (v = first; v < first + count; ++v) out(value = v, ts = start + v * step);
  //   }
  llvm::Function* generate_source(const std::string& name, Operator* out) {
    auto* type = llvm::FunctionType::get(b_.getVoidTy(), {cg_.ptr(), cg_.ptr(), cg_.i64(), cg_.i64()}, false);
    llvm::Function* fn = cg_.begin_function(name, type);
    FunctionState& fs = cg_.fs();
    fs.ctx = fn->getArg(0);
    fs.batch = fn->getArg(1);
    fs.source = index_;
    fs.rec = llvm::ConstantPointerNull::get(cg_.ptr());
    fs.arena = b_.CreateCall(cg_.runtime("flow_scratch"), {fs.ctx});
    fs.worker = b_.CreateCall(cg_.runtime("flow_worker_index"), {fs.ctx});  // runtime/worker.h
    llvm::Value* first = fn->getArg(2);
    llvm::Value* end = b_.CreateAdd(first, fn->getArg(3));
    llvm::BasicBlock* entry = b_.GetInsertBlock();
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg_.llvm(), "gen.head", fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg_.llvm(), "gen.body", fn);
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg_.llvm(), "gen.next", fn);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(cg_.llvm(), "exit", fn);
    b_.CreateBr(head);
    b_.SetInsertPoint(head);
    llvm::PHINode* v = b_.CreatePHI(cg_.i64(), 2, "value");
    v->addIncoming(first, entry);
    b_.CreateCondBr(b_.CreateICmpSLT(v, end), body, exit);
    b_.SetInsertPoint(body);
    fs.next_record = next;
    fs.record_index = b_.CreateSub(v, first);
    llvm::Value* ts = b_.CreateAdd(connector_value("start", src_.connector.start),
                                   b_.CreateMul(v, connector_value("step", src_.connector.step)));
    Row row = {CgValue{Type::Int, v, nullptr}, CgValue{Type::Timestamp, ts, nullptr}};
    track_event_time(row);
    out->consume(cg_, row);
    b_.CreateBr(next);
    b_.SetInsertPoint(next);
    v->addIncoming(b_.CreateAdd(v, cg_.i64c(1)), next);
    b_.CreateBr(head);
    b_.SetInsertPoint(exit);
    b_.CreateRetVoid();
    return fn;
  }

 private:
  static void mark_fields(const plan::Expr& e, std::vector<bool>& fields) {
    if (e.kind == plan::ExprKind::Field) fields[e.index] = true;
    for (const plan::ExprPtr& a : e.args) mark_fields(*a, fields);
  }

  // An integer connector argument (generate's start and step): its value,
  // or in a built program what configure computed from the params it reads.
  llvm::Value* connector_value(const std::string& arg, int64_t value) {
    auto param = src_.connector.param_args.find(arg);
    plan::ParamExpr expr = param == src_.connector.param_args.end() ? nullptr : param->second;
    return cg_
        .param_constant(plan::Value::of_int(value), expr,
                        "argument '" + arg + "' of source '" + src_.name + "'")
        .v;
  }

  // The format's options: constants, or, in a built program whose format
  // arguments read params, what configure stored in this source's
  // descriptor (codegen/configure.cpp), loaded once per call.
  void format_options() {
    const auto& args = src_.format.param_args;
    auto from_descriptor = [&](const char* arg, size_t offset) -> llvm::Value* {
      if (cg_.fold_params() || !args.count(arg)) return nullptr;
      llvm::StructType* desc = cg_.abi_type("FlowSourceDesc");
      llvm::Value* at = b_.CreateConstInBoundsGEP2_64(cg_.source_descriptors()->getValueType(),
                                                      cg_.source_descriptors(), 0, index_);
      return b_.CreateLoad(cg_.i32(), cg_.abi_gep(desc, at, offset));
    };
    timestamp_unit_ = from_descriptor("timestamp_unit", offsetof(FlowSourceDesc, timestamp_unit));
    if (!timestamp_unit_) timestamp_unit_ = cg_.i32c(src_.format.timestamp_unit);
    delimiter_ = from_descriptor("delimiter", offsetof(FlowSourceDesc, csv_delimiter));
    if (!delimiter_) delimiter_ = cg_.i32c(static_cast<unsigned char>(src_.format.delimiter));
    header_ = from_descriptor("header", offsetof(FlowSourceDesc, csv_header));
    if (header_) header_ = b_.CreateICmpNE(header_, cg_.i32c(0));
  }

  // A raw filter (plan/raw_filter.h): a record without the literal's bytes
  // is dropped before it is parsed, where that is exactly what the leading
  // where would have done.
  void raw_filter(const EarlyFilter& early, llvm::Value* rec_ptr, llvm::Value* rec_len) {
    std::optional<plan::RawFilter> raw = plan::raw_filter(cg_.pipeline(), index_);
    if (!raw || !raw->applies || raw->where != early.predicate) return;
    llvm::BasicBlock* search = llvm::BasicBlock::Create(cg_.llvm(), "raw.search", cg_.fs().fn);
    llvm::BasicBlock* parse = llvm::BasicBlock::Create(cg_.llvm(), "raw.parse", cg_.fs().fn);
    llvm::Value* applies = b_.getTrue();
    for (int f : raw->first_column) {  // fields without a default: first in the header?
      llvm::Value* at =
          b_.CreateConstInBoundsGEP1_64(cg_.i32(), column_map_, static_cast<uint64_t>(f));
      applies = b_.CreateAnd(applies, b_.CreateICmpEQ(b_.CreateLoad(cg_.i32(), at), cg_.i32c(0)));
    }
    b_.CreateCondBr(applies, search, parse);
    b_.SetInsertPoint(search);
    llvm::Value* found = b_.CreateCall(cg_.stdlib("flow_bytes_contain"),
                                       {rec_ptr, rec_len, cg_.cstring(raw->literal),
                                        cg_.i64c(static_cast<int64_t>(raw->literal.size()))});
    b_.CreateCondBr(b_.CreateICmpNE(found, cg_.i32c(0)), parse, cg_.fs().next_record);
    b_.SetInsertPoint(parse);
  }

  // Every record that parsed counts toward the watermark, before any `where`.
  void track_event_time(const Row& row) {
    if (src_.event_time < 0) return;
    llvm::Value* t = row[src_.event_time].v;
    cg_.fs().event_time = t;
    llvm::Value* max = cg_.source_max_time(index_);
    llvm::Value* seen = b_.CreateLoad(cg_.i64(), max);
    b_.CreateStore(b_.CreateSelect(b_.CreateICmpSGT(t, seen), t, seen), max);
  }

  CgContext& cg_;
  llvm::IRBuilder<>& b_;
  const plan::Source& src_;
  int index_;
  llvm::Value* column_map_ = nullptr;
  llvm::Value* timestamp_unit_ = nullptr;  // i32 (format_options)
  llvm::Value* delimiter_ = nullptr;       // i32
  llvm::Value* header_ = nullptr;          // i1 when a param sets `header`, else null
  llvm::Value* csv_count_ = nullptr;       // CSV: columns split so far
  // JSON (json_setup): the used fields, the name lookup, the scans'
  // results, the layout.
  std::vector<size_t> json_wanted_;
  int64_t json_count_ = 1;
  llvm::Function* json_lookup_ = nullptr;
  llvm::Value* json_values_ = nullptr;
  llvm::Value* json_kinds_ = nullptr;
  llvm::Value* json_layout_ = nullptr;
  // Reading ahead: each ring slot's scan result and key hash.
  llvm::Value* ahead_rc_ = nullptr;
  llvm::Value* ahead_hash_ = nullptr;
  llvm::Value* ahead_at_ = nullptr;     // the running record's ring slot (i64)
  llvm::Value* ahead_kinds_ = nullptr;  // and its kinds
  // Work before locating the fields marked (CSV: split far enough).
  std::function<void(const std::vector<bool>&)> prepare_;
  // The text of field i of the current record (set per format).
  std::function<FieldText(size_t)> locate_;
};

}  // namespace

llvm::Function* lower_source(CgContext& cg, const plan::Source& source, int index, Operator* out,
                             const EarlyFilter& early, const ProbeAhead& ahead) {
  Scan scan(cg, source, index);
  std::string name = "flow_source_" + std::to_string(index);
  if (source.connector.kind == plan::ConnectorKind::Generate) return scan.generate_source(name, out);
  return scan.text_source(name, out, early, ahead);
}

}  // namespace flowc::codegen
