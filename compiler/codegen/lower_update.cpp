// group by KEYS | update STATE { STATEMENTS } [emit ...] [expire after D]
//
// Per record (in the source's fused loop), the block runs on copies of the
// key's state, written back only when every statement succeeded, so a bad
// record never leaves half an update behind:
//
//   slot = find_or_insert(state, keys)
//   s_0 = fresh ? INITIAL_0 : slot->s_0; ...         // locals
//   deleted = false
//   <STATEMENTS on the locals>                        // may fail: a bad record
//                                                     // `delete`: deleted = true
//   if (!deleted) { slot->s_i = s_i ...; slot->last_update = t; }
//   emit each: next(record..., s_0, ...)
//   if (deleted) erase(slot)                          // a later record starts afresh
// failed:
//   if (fresh) erase(slot)                            // no state for a bad first record
//
// Partitioned by key hash (plan/threads.h update_partitioned: the source
// runs on every thread; runtime/exchange.cpp): the state is split into
// parts by the keys' hash (KeyedTable::spread). A record in a morsel does
// not run the block: its keys, hash, time and the fields the block reads
// go into the exchange, and at the batch's end each part replays its rows
// in arrival order through the same block, on every thread at once.
// Records outside morsels (one thread) run the block at once, in their
// key's part.
//
// At the end of each batch: expire keys whose last update is more than D
// old (by the watermark under event time, else by the batch start; not at
// the end of input) — with `emit expired`, first emitting each one's keys
// and last state, by key; then emit updated (keys updated in the batch) or
// all (every live key), by key — sorted and emitted on every thread when
// the rows reach no further state (StageSite::emits_in_parallel).
#include <llvm/IR/Constants.h>

#include "abi.h"
#include "codegen/checkpoint.h"
#include "codegen/exchange_rows.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"
#include "codegen/time.h"
#include "support/internal_error.h"

namespace flowc::codegen {
namespace {

using plan::Type;

class UpdateOp : public Operator {
 public:
  UpdateOp(const plan::UpdateStage& stage, const StageSite& site, Operator* next)
      : stage_(stage),
        clock_(site.clock),
        stream_(site.stream),
        root_source_(site.root_source),
        partitioned_(site.partitioned),
        exchange_(site.exchange && !site.partitioned),
        in_parallel_(site.emits_in_parallel && !site.partitioned),
        next_(next) {}

  // The keys, then the block's statements on a copy of the key's state
  // (looked up, not inserted), then what `emit each` hands on — only when
  // a statement or what follows can fail, since it costs a lookup. (Rows
  // of one record into one key, after an explode, are each checked against
  // the state before the record.)
  void check(CgContext& cg, const Row& row) override {
    ExprEnv env{&row, {}};
    std::vector<CgValue> keys;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    emit_checks(cg, [&] {
      auto& b = cg.b();
      prepare(cg);
      llvm::Value* slot = table_->find(keys);
      llvm::Function* fn = cg.fs().fn;
      llvm::BasicBlock* fresh = llvm::BasicBlock::Create(cg.llvm(), "update.check.new", fn);
      llvm::BasicBlock* stored = llvm::BasicBlock::Create(cg.llvm(), "update.check.old", fn);
      llvm::BasicBlock* run = llvm::BasicBlock::Create(cg.llvm(), "update.check.run", fn);
      ExprEnv state{&row, {}};
      for (const plan::Field& f : stage_.state) {
        state.state_fields.push_back(cg.entry_alloca(cg.storage_type(f.type), "check." + f.name));
      }
      deleted_ = cg.entry_alloca(cg.i1(), "check.deleted");
      b.CreateCondBr(b.CreateIsNull(slot), fresh, stored);
      b.SetInsertPoint(fresh);
      for (size_t i = 0; i < stage_.state.size(); ++i) {
        CgValue initial =
            cg.param_constant(*stage_.state[i].default_value, stage_.state[i].default_expr,
                              "the initial value of '" + stage_.state[i].name + "'");
        initial.type = stage_.state[i].type;
        cg.store_value(initial, state.state_fields[i]);
      }
      b.CreateBr(run);
      b.SetInsertPoint(stored);
      for (size_t i = 0; i < stage_.state.size(); ++i) {
        CgValue v = cg.load_value(stage_.state[i].type, table_->field(slot, offsets_[i]));
        cg.store_value(v, state.state_fields[i]);
      }
      b.CreateBr(run);
      b.SetInsertPoint(run);
      emit_statements(cg, stage_.body, state);
      if (stage_.emit == plan::EmitMode::Each) {
        next_->check(cg, emitted_row(cg, row, state.state_fields));
      }
    });
  }

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    prepare(cg);
    ExprEnv env{&row, {}};
    std::vector<CgValue> keys;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    if (!exchange_) {
      apply(cg, row, keys, row_time(cg, clock_), nullptr);
      return;
    }
    // In a morsel: into the exchange; else (one thread) at once.
    llvm::Value* seq = cg.ctx_call_at_entry("flow_morsel_seq");
    llvm::BasicBlock* now = llvm::BasicBlock::Create(cg.llvm(), "update.now", cg.fs().fn);
    llvm::BasicBlock* later = llvm::BasicBlock::Create(cg.llvm(), "update.exchange", cg.fs().fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "update.handed", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpSLT(seq, cg.i64c(0)), now, later);
    b.SetInsertPoint(now);
    apply(cg, row, keys, row_time(cg, clock_), nullptr);
    b.CreateBr(done);
    b.SetInsertPoint(later);
    send(cg, row, keys, seq);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

 private:
  // The block on one row of `keys`, at time `time` (what `expire after`
  // measures from); `hash`: the keys' hash when known.
  void apply(CgContext& cg, const Row& row, const std::vector<CgValue>& keys, llvm::Value* time,
             llvm::Value* hash) {
    auto& b = cg.b();
    ExprEnv env{&row, {}};
    auto [slot, fresh] = table_->probe(keys, nullptr, false, hash);

    FunctionState& fs = cg.fs();
    llvm::BasicBlock* next_record = fs.next_record;
    llvm::BasicBlock* failed = llvm::BasicBlock::Create(cg.llvm(), "update.failed", fs.fn);
    fs.next_record = failed;

    // Locals: the initial values for a new key, else the slot's.
    locals_.clear();
    for (const plan::Field& f : stage_.state) locals_.push_back(cg.entry_alloca(cg.storage_type(f.type), f.name));
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      const plan::Field& f = stage_.state[i];
      CgValue initial = cg.param_constant(*f.default_value, f.default_expr,
                                          "the initial value of '" + f.name + "'");
      initial.type = f.type;
      CgValue stored = cg.load_value(f.type, table_->field(slot, offsets_[i]));
      CgValue start{f.type, b.CreateSelect(fresh, initial.v, stored.v), nullptr};
      if (f.type == Type::String) start.len = b.CreateSelect(fresh, initial.len, stored.len);
      cg.store_value(start, locals_[i]);
      env.state_fields.push_back(locals_[i]);
    }
    deleted_ = cg.entry_alloca(cg.i1(), "deleted");
    b.CreateStore(b.getFalse(), deleted_);
    emit_statements(cg, stage_.body, env);
    // `emit each` hands a row on after the state changed: what it reaches
    // is checked first (a failure still leaves the state as it was).
    if (stage_.emit == plan::EmitMode::Each && !fs.record_checked) {
      emit_checks(cg, [&] { next_->check(cg, emitted_row(cg, row, locals_)); });
    }

    // Every statement succeeded: write the state back, unless `delete` ran
    // (its key's state goes once what the block emits is handed on).
    llvm::Value* deleted = has_delete() ? b.CreateLoad(cg.i1(), deleted_) : nullptr;
    llvm::BasicBlock* write = llvm::BasicBlock::Create(cg.llvm(), "update.write", fs.fn);
    llvm::BasicBlock* written = llvm::BasicBlock::Create(cg.llvm(), "update.written", fs.fn);
    if (deleted) {
      b.CreateCondBr(deleted, written, write);
    } else {
      b.CreateBr(write);
    }
    b.SetInsertPoint(write);
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      const plan::Field& f = stage_.state[i];
      CgValue v = cg.load_value(f.type, locals_[i]);
      llvm::Value* at = table_->field(slot, offsets_[i]);
      if (f.type == Type::String) {
        b.CreateCall(cg.stdlib("flow_strbuf_set"), {at, v.v, v.len});
      } else {
        cg.store_value(v, at);
      }
    }
    b.CreateStore(time, table_->field(slot, last_update_offset_));
    b.CreateBr(written);
    b.SetInsertPoint(written);
    fs.next_record = next_record;
    if (stage_.emit == plan::EmitMode::Each) {
      const bool was = fs.record_checked;
      fs.record_checked = true;
      next_->consume(cg, emitted_row(cg, row, locals_));
      fs.record_checked = was;
    }
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "update.done", fs.fn);
    if (deleted) {
      llvm::BasicBlock* erase = llvm::BasicBlock::Create(cg.llvm(), "update.delete", fs.fn);
      b.CreateCondBr(deleted, erase, done);
      b.SetInsertPoint(erase);
      release(cg, slot);
      table_->erase(slot);
    }
    b.CreateBr(done);

    // A statement failed (the bad record is already reported).
    b.SetInsertPoint(failed);
    llvm::BasicBlock* erase = llvm::BasicBlock::Create(cg.llvm(), "update.erase", fs.fn);
    b.CreateCondBr(fresh, erase, next_record);
    b.SetInsertPoint(erase);
    table_->erase(slot);
    b.CreateBr(next_record);

    b.SetInsertPoint(done);
  }

  // A row of the exchange: [time][hash][keys...][the fields the block
  // reads...], 8 bytes a value, 16 a string ({bytes kept by the exchange,
  // length}).
  struct Entry {
    std::vector<plan::Type> row_types;  // the consumed row's
    std::vector<int> fields;            // the row fields stored, in order
    std::vector<int64_t> key_offsets, field_offsets;
    int64_t size = 16;
  };

  static void fields_read(const plan::Expr& e, std::vector<bool>& used) {
    if (e.kind == plan::ExprKind::Field && e.index >= 0 &&
        static_cast<size_t>(e.index) < used.size())
      used[static_cast<size_t>(e.index)] = true;
    for (const plan::ExprPtr& a : e.args) {
      if (a) fields_read(*a, used);
    }
  }
  static void fields_read(const std::vector<plan::StatementPtr>& body, std::vector<bool>& used) {
    for (const plan::StatementPtr& st : body) {
      if (st->value) fields_read(*st->value, used);
      if (st->condition) fields_read(*st->condition, used);
      fields_read(st->then_body, used);
      fields_read(st->else_body, used);
    }
  }

  void layout_entry(const Row& row) {
    Entry e;
    for (const CgValue& v : row) e.row_types.push_back(v.type);
    if (entry_) {
      check_invariant(entry_->row_types == e.row_types,
                      "update: rows of two shapes reach one exchange");
      return;
    }
    for (plan::Type t : key_types_) {
      e.key_offsets.push_back(e.size);
      e.size += value_bytes(t);
    }
    std::vector<bool> used(row.size(), false);
    fields_read(stage_.body, used);
    for (size_t i = 0; i < row.size(); ++i) {
      if (!used[i]) continue;
      check_invariant(row[i].v != nullptr, "update: the block reads a field not computed");
      e.fields.push_back(static_cast<int>(i));
      e.field_offsets.push_back(e.size);
      e.size += value_bytes(row[i].type);
    }
    entry_ = std::make_unique<Entry>(std::move(e));
  }

  void send(CgContext& cg, const Row& row, const std::vector<CgValue>& keys, llvm::Value* seq) {
    auto& b = cg.b();
    layout_entry(row);
    if (!exchange_buffers_) {
      exchange_buffers_ = cg.worker_global(cg.ptr(), nullptr, cg.unique("update.exchange"));
    }
    llvm::Value* hash = table_->hash(keys);
    llvm::Value* parts = table_->parts();
    llvm::Value* at = exchange_rows::append(cg, exchange_buffers_, parts,
                                            table_->part_of(hash, parts), seq, entry_->size);
    b.CreateStore(row_time(cg, clock_), exchange_rows::at(cg, at, 0));
    b.CreateStore(hash, exchange_rows::at(cg, at, 8));
    for (size_t i = 0; i < keys.size(); ++i) {
      CgValue k = keys[i];
      k.type = key_types_[i];
      exchange_rows::put(cg, exchange_buffers_, k,
                         exchange_rows::at(cg, at, entry_->key_offsets[i]));
    }
    for (size_t i = 0; i < entry_->fields.size(); ++i) {
      exchange_rows::put(cg, exchange_buffers_, row[static_cast<size_t>(entry_->fields[i])],
                         exchange_rows::at(cg, at, entry_->field_offsets[i]));
    }
  }

  //   void replay(FlowContext* ctx, const FlowBatch* batch, int32_t part, void* cursor) {
  //     while ((e = flow_xchg_next(cursor))) apply(e's row, e's keys, e's time, e's hash);
  //   }
  llvm::Function* replay_function(CgContext& cg) {
    auto each = [&](llvm::Value* at, llvm::Value* /*cursor*/) {
      auto& b = cg.b();
      auto word = [&](int64_t offset) { return exchange_rows::at(cg, at, offset); };
      b.CreateCall(cg.stdlib("flow_arena_reset"), {cg.fs().arena});  // the last row's strings
      llvm::Value* time = b.CreateLoad(cg.i64(), word(0));
      llvm::Value* hash = b.CreateLoad(cg.i64(), word(8));
      std::vector<CgValue> keys;
      for (size_t i = 0; i < key_types_.size(); ++i) {
        keys.push_back(cg.load_value(key_types_[i], word(entry_->key_offsets[i])));
      }
      Row row;
      for (plan::Type t : entry_->row_types) row.push_back(CgValue{t, nullptr, nullptr});
      for (size_t i = 0; i < entry_->fields.size(); ++i) {
        const auto f = static_cast<size_t>(entry_->fields[i]);
        row[f] = cg.load_value(row[f].type, word(entry_->field_offsets[i]));
      }
      // A block that could fail does not come here (plan/threads.cpp): no
      // record is left to report.
      const int fails = cg.fail_count();
      apply(cg, row, keys, time, hash);
      check_invariant(cg.fail_count() == fails,
                      "update: a block that can fail replays from the exchange");
    };
    return exchange_rows::replay_function(cg, "update.replay", root_source_, true, {}, each);
  }

 public:
  void end_batch(CgContext& cg) override {
    if (!table_) return;
    auto& b = cg.b();
    if (entry_) {  // the batch's rows from the exchange, each part on a thread
      b.CreateCall(cg.runtime("flow_xchg_replay"),
                   {cg.fs().ctx, cg.fs().batch, cg.worker0_slot(exchange_buffers_),
                    cg.i64c(entry_->size), replay_function(cg)});
    }
    if (table_->spread_out()) {  // --max-state-keys: the parts' keys together
      if (!grown_) {
        grown_ = new llvm::GlobalVariable(cg.module(), cg.i64(), false,
                                          llvm::GlobalValue::InternalLinkage, cg.i64c(0),
                                          cg.unique("update.grow_check"));
      }
      llvm::Value* count = table_->count();
      llvm::BasicBlock* grew = llvm::BasicBlock::Create(cg.llvm(), "update.grew", cg.fs().fn);
      llvm::BasicBlock* counted = llvm::BasicBlock::Create(cg.llvm(), "update.counted", cg.fs().fn);
      b.CreateCondBr(b.CreateICmpSGT(count, b.CreateLoad(cg.i64(), grown_)), grew, counted);
      b.SetInsertPoint(grew);
      b.CreateStore(b.CreateCall(cg.runtime("flow_state_grew"), {cg.fs().ctx, count}), grown_);
      b.CreateBr(counted);
      b.SetInsertPoint(counted);
    }
    if (stage_.expire) {
      // Not at the end of input: the watermark is then +infinity, which
      // would expire every key before the last batch's rows are emitted.
      // Nor, for the same reason, once every source of the stream has
      // ended (its watermark is then +infinity too).
      llvm::Value* is_final = b.CreateICmpNE(cg.fs().fn->getArg(2), cg.i32c(0));
      llvm::Value* now = clock_.event_time ? watermark(cg, clock_) : row_time(cg, clock_);
      if (clock_.event_time)
        is_final = b.CreateOr(is_final, b.CreateICmpEQ(now, cg.i64c(INT64_MAX)));
      llvm::BasicBlock* expire = llvm::BasicBlock::Create(cg.llvm(), "expire", cg.fs().fn);
      llvm::BasicBlock* expired = llvm::BasicBlock::Create(cg.llvm(), "expired", cg.fs().fn);
      b.CreateCondBr(is_final, expired, expire);
      b.SetInsertPoint(expire);
      llvm::Value* limit = cg.entry_alloca(cg.i64(), "expire.limit");
      b.CreateStore(now, limit);
      if (stage_.emit_expired) {
        // The keys about to go, by key, each with its last state.
        table_->for_each_sorted([&](llvm::Value* slot) { return is_expired(cg, slot, now); },
                                [&](llvm::Value* slot, llvm::BasicBlock*) {
                                  emit_row(cg, next_, state_row(cg, slot), root_source_, nullptr);
                                });
      }
      table_->erase_if("expired", [&](llvm::Value* slot, llvm::Value* arg) {
        auto& fb = cg.b();
        llvm::Value* old = is_expired(cg, slot, fb.CreateLoad(cg.i64(), arg));
        llvm::BasicBlock* free_it = llvm::BasicBlock::Create(cg.llvm(), "state.free", cg.fs().fn);
        llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "state.keep", cg.fs().fn);
        fb.CreateCondBr(old, free_it, keep);
        fb.SetInsertPoint(free_it);
        release(cg, slot);
        fb.CreateRet(cg.i32c(1));
        fb.SetInsertPoint(keep);
        return fb.getFalse();
      }, limit);
      b.CreateBr(expired);
      b.SetInsertPoint(expired);
    }
    if (stage_.emit == plan::EmitMode::Each || stage_.emit == plan::EmitMode::Expired) return;
    table_->for_each_updated(
        [&](llvm::Value* slot, llvm::BasicBlock*) {
          // A changelog row: no event time (sema refuses windows downstream).
          emit_row(cg, next_, state_row(cg, slot), root_source_, nullptr);
        },
        stage_.emit == plan::EmitMode::All, in_parallel_);
  }

  void snapshot(CgContext& cg, llvm::Value* writer) override {
    if (table_) emit_table_snapshot(cg, *table_, key_types_, columns(), writer);
  }
  void restore(CgContext& cg, llvm::Value* reader) override {
    if (table_) emit_table_restore(cg, *table_, key_types_, columns(), reader);
  }

  void snapshot_partition(CgContext& cg, llvm::Value* part, llvm::Value* writer,
                          llvm::Value* slots) override {
    if (table_ && partitioned_)
      emit_table_snapshot_partition(cg, *table_, key_types_, columns(), part, writer, slots);
  }
  void restore_partition(CgContext& cg, llvm::Value* part, llvm::Value* reader) override {
    if (table_ && partitioned_)
      emit_table_restore_partition(cg, *table_, key_types_, columns(), part, reader);
  }
  void drop_partition(CgContext& cg, llvm::Value* part) override {
    if (table_ && partitioned_)
      emit_table_drop_partition(cg, *table_, part, [&](llvm::Value* slot) { release(cg, slot); });
  }
  // `expire after` removes keys at batch ends.
  bool partition_timers() const override { return partitioned_ && stage_.expire.has_value(); }

 private:
  std::vector<StateColumn> columns() const {
    std::vector<StateColumn> out = {{last_update_offset_, ColumnKind::Scalar}};
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      out.push_back({offsets_[i], stage_.state[i].type == Type::String ? ColumnKind::StrBuf : ColumnKind::Scalar});
    }
    return out;
  }

  void prepare(CgContext& cg) {
    if (table_) return;
    for (const plan::NamedExpr& k : stage_.keys) key_types_.push_back(k.expr->type);
    table_ = std::make_unique<KeyedTable>(
        cg, cg.unique("update"), key_types_, layout_, KeyedTable::KeyStorage::Owned,
        KeyedTable::Sharing::PerWorker, Partitioning{partitioned_, stream_});
    if (exchange_) table_->spread();
    cg.add_state_table(stream_, table_->table_global(), exchange_ ? FLOW_MAX_WORKERS : 0);
    last_update_offset_ = layout_.add(8);
    for (const plan::Field& f : stage_.state) {
      offsets_.push_back(layout_.add(f.type == Type::String ? 24 : 8));  // FlowStrBuf for strings
    }
  }

  // The row of a key at a batch's end: its keys, then its state fields.
  Row state_row(CgContext& cg, llvm::Value* slot) {
    Row out;
    for (size_t i = 0; i < stage_.keys.size(); ++i) out.push_back(table_->key(slot, i));
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      out.push_back(cg.load_value(stage_.state[i].type, table_->field(slot, offsets_[i])));
    }
    return out;
  }

  // Whether the key of `slot` was last updated more than D before `now`:
  // now - last > D, written to avoid overflow at -infinity.
  llvm::Value* is_expired(CgContext& cg, llvm::Value* slot, llvm::Value* now) {
    auto& b = cg.b();
    // More than D old: now - last > D (written to avoid overflow at -infinity).
    llvm::Value* last = b.CreateLoad(cg.i64(), table_->field(slot, last_update_offset_));
    llvm::Value* expire = cg.duration(*stage_.expire);
    llvm::Value* old = b.CreateICmpSLT(last, b.CreateSub(now, expire));
    return b.CreateAnd(old, b.CreateICmpSGT(now, b.CreateAdd(cg.i64c(INT64_MIN), expire)));
  }

  bool has_delete() const { return contains_delete(stage_.body); }
  static bool contains_delete(const std::vector<plan::StatementPtr>& body) {
    for (const plan::StatementPtr& st : body) {
      if (st->is_delete || contains_delete(st->then_body) || contains_delete(st->else_body))
        return true;
    }
    return false;
  }

  // What `emit each` hands on: the record's row, then the state fields
  // (their addresses in `state`).
  Row emitted_row(CgContext& cg, const Row& row, const std::vector<llvm::Value*>& state) {
    Row out = row;
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      out.push_back(cg.load_value(stage_.state[i].type, state[i]));
    }
    return out;
  }

  void release(CgContext& cg, llvm::Value* slot) {
    for (size_t i = 0; i < stage_.state.size(); ++i) {
      if (stage_.state[i].type == Type::String) {
        cg.b().CreateCall(cg.stdlib("flow_strbuf_free"), {table_->field(slot, offsets_[i])});
      }
    }
    table_->release_keys(slot);
  }

  // Statements run on the locals (`env.state_fields`).
  //   s = e;  s += e (+ concatenates strings);  s -= e;  s *= e;  s /= e (floats)
  //   if (c) { ... } else { ... }
  void emit_statements(CgContext& cg, const std::vector<plan::StatementPtr>& body, const ExprEnv& env) {
    auto& b = cg.b();
    for (const plan::StatementPtr& st : body) {
      if (st->is_delete) {
        b.CreateStore(b.getTrue(), deleted_);
        continue;
      }
      if (st->is_if) {
        CgValue cond = emit_expr(cg, *st->condition, env);
        llvm::BasicBlock* then = llvm::BasicBlock::Create(cg.llvm(), "st.then", cg.fs().fn);
        llvm::BasicBlock* other = llvm::BasicBlock::Create(cg.llvm(), "st.else", cg.fs().fn);
        llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "st.end", cg.fs().fn);
        b.CreateCondBr(cond.v, then, other);
        b.SetInsertPoint(then);
        emit_statements(cg, st->then_body, env);
        b.CreateBr(done);
        b.SetInsertPoint(other);
        emit_statements(cg, st->else_body, env);
        b.CreateBr(done);
        b.SetInsertPoint(done);
        continue;
      }
      const plan::Field& target = stage_.state[st->target];
      llvm::Value* at = env.state_fields[st->target];
      CgValue v = emit_expr(cg, *st->value, env);
      if (st->op == "=") {
        v.type = target.type;
        cg.store_value(v, at);
        continue;
      }
      CgValue cur = cg.load_value(target.type, at);
      CgValue out = cur;
      if (target.type == Type::String) {
        llvm::Value* joined = cg.entry_alloca(cg.str_type(), "concat");
        b.CreateCall(cg.stdlib("flow_str_concat"), {cg.fs().arena, cur.v, cur.len, v.v, v.len, joined});
        out = cg.load_value(Type::String, joined);
      } else if (target.type == Type::Float) {
        if (st->op == "+=") out.v = b.CreateFAdd(cur.v, v.v);
        if (st->op == "-=") out.v = b.CreateFSub(cur.v, v.v);
        if (st->op == "*=") out.v = b.CreateFMul(cur.v, v.v);
        if (st->op == "/=") out.v = b.CreateFDiv(cur.v, v.v);
      } else {  // int and timestamp wrap
        if (st->op == "+=") out.v = b.CreateAdd(cur.v, v.v);
        if (st->op == "-=") out.v = b.CreateSub(cur.v, v.v);
        if (st->op == "*=") out.v = b.CreateMul(cur.v, v.v);
      }
      cg.store_value(out, at);
    }
  }

  const plan::UpdateStage& stage_;
  plan::Clock clock_;
  int stream_;
  int root_source_;
  bool partitioned_;
  bool exchange_;  // split by key hash, fed through the exchange in morsels
  bool in_parallel_;  // StageSite::emits_in_parallel
  Operator* next_;
  SlotLayout layout_;
  std::vector<Type> key_types_;
  int64_t last_update_offset_ = 0;
  std::vector<int64_t> offsets_;
  std::vector<llvm::Value*> locals_;
  llvm::Value* deleted_ = nullptr;  // i1 local: `delete` ran in the block
  std::unique_ptr<KeyedTable> table_;
  std::unique_ptr<Entry> entry_;  // the exchange's rows, once a morsel sends any
  llvm::GlobalVariable* exchange_buffers_ = nullptr;  // per worker (flow_xchg_append)
  llvm::GlobalVariable* grown_ = nullptr;  // flow_state_grew's last answer (spread tables)
};

}  // namespace

OperatorPtr make_update(const plan::UpdateStage& stage, const StageSite& site, Operator* next) {
  return std::make_unique<UpdateOp>(stage, site, next);
}

}  // namespace flowc::codegen
