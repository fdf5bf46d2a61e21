// window session G | group by KEYS | aggregate ...   (LANGUAGE.md 6.1)
//
// Per key, records at most G apart share a session: [start, last] grows as
// records arrive, and a record within G of two sessions merges them.
// window_start = start, window_end = last + G.
//
// State (memory: open sessions x keys, nothing per record):
//   sessions  a hash table keyed by KEYS whose slot holds a FlowSessionList
//             (stdlib): the key's open sessions as an array of elements
//             {start, last, dirty, aggregate state}, sorted by time (open
//             sessions of a key are more than G apart, so by start and by
//             last alike). String keys are owned: an entry goes with its
//             last session.
//   results   keyed by (window_end, window_start, KEYS): a pointer to each
//             element to emit at this batch end, so that for_each_updated
//             yields rows in the order of LANGUAGE.md 6.1; cleared after.
//
// Per row (in the source's fused loop):
//   t = event time, or the batch start under processing time
//   if (t + G <= watermark_at_batch_start) { late++; drop }
//   list = sessions[keys]; i = first element with last >= t - G
//   element i touches t when start <= t + G; then so may i+1 (t bridges):
//     none:  insert a new element at i (start = last = t)
//     i:     start = min(start, t), last = max(last, t)
//     i+1:   AggState::combine it into i, last = its last, remove it
//   update(element, args)
// Binary search keeps a key with many open sessions (a short gap in a long
// batch) at O(log n) a record; in-order records append at the end.
// Each record that reaches the lists takes the next arrival number (what
// first/last compare when sessions merge).
//
// Split by key hash (plan/threads.h update_partitioned: the source runs
// on every thread; runtime/exchange.cpp), as `update` is: the lists are
// split into parts by the keys' hash. A record in a morsel is checked for
// lateness and its keys and arguments computed there (a bad one drops out
// there, before any state); then its time, hash, keys and arguments go
// into the exchange, and at the batch's end each part takes its rows in
// arrival order and applies them as above, on every thread at once, each
// with the arrival number one thread would have given it
// (flow_xchg_arrival). Records outside morsels (one thread) go to their
// key's part at once. A key lives in one part: its sessions grow and
// merge record by record as with one thread.
//
// At the end of each batch, with W the new watermark (event time) or the
// batch's end (processing time; +infinity at the end of input):
//   emit final:   the sessions with last + G <= W (a prefix of each list)
//                 go into `results`
//   emit updates: the sessions updated in this batch go into `results`
//   emit `results` in order; then drop every list's fired prefix (state
//   released), and the entries whose list is left empty.
// (The scans cover every part; `results` sorts what they pick.)
// At the end of input (W = +infinity) every session fires, and stays in
// its list marked fired instead: an incremental run (LANGUAGE.md 13) goes
// on from the checkpoint, where a record that falls into a fired session
// is late, and a fired session is dropped unemitted once the watermark
// passes its end.
#include <llvm/IR/Constants.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include "abi.h"
#include "codegen/agg_state.h"
#include "codegen/checkpoint.h"
#include "codegen/exchange_rows.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"
#include "codegen/time.h"
#include "support/internal_error.h"

namespace flowc::codegen {
namespace {

using plan::Type;

class SessionOp : public Operator {
 public:
  SessionOp(const plan::AggregateStage& stage, const StageSite& site, Operator* next)
      : stage_(stage),
        gap_(stage.window->size),
        clock_(site.clock),
        stream_(site.stream),
        root_source_(site.root_source),
        partitioned_(site.partitioned),
        exchange_(site.exchange && !site.partitioned),
        next_(next) {}

  // The expressions of a record that is not late (a late one is dropped,
  // not bad).
  void check(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "session.check.done", cg.fs().fn);
    if (clock_.event_time) {
      llvm::Value* watermark = late_bound(cg, clock_);
      llvm::Value* late = b.CreateICmpSLE(plus_gap(cg, cg.fs().event_time), watermark);
      llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "session.check", cg.fs().fn);
      b.CreateCondBr(late, done, keep);
      b.SetInsertPoint(keep);
    }
    check_keys_and_args(cg, stage_, row);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    prepare(cg);
    llvm::Function* fn = cg.fs().fn;
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, fn); };
    llvm::Value* t = row_time(cg, clock_);
    // t + G, saturating: the latest start a session t joins may have.
    llvm::Value* reach = plus_gap(cg, t);
    llvm::BasicBlock* done = block("session.done");
    if (clock_.event_time) {
      // Late: the record's own session [t, t + G] ended at or before the
      // watermark as it stood when this batch began.
      llvm::Value* watermark = late_bound(cg, clock_);
      llvm::BasicBlock* drop = block("session.late");
      llvm::BasicBlock* keep = block("session.keep");
      b.CreateCondBr(b.CreateICmpSLE(reach, watermark), drop, keep,
                     llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
      b.SetInsertPoint(drop);
      b.CreateCall(cg.runtime("flow_count_late"), {cg.fs().ctx, cg.i32c(stream_)});
      b.CreateBr(done);
      b.SetInsertPoint(keep);
    }
    // Every expression first: a failing one drops the record before any
    // state changes.
    ExprEnv env{&row, {}};
    std::vector<CgValue> keys;
    std::vector<CgValue> args;
    for (const plan::NamedExpr& k : stage_.keys) keys.push_back(emit_expr(cg, *k.expr, env));
    for (const plan::Aggregate& a : stage_.aggregates) {
      args.push_back(a.arg ? emit_expr(cg, *a.arg, env) : CgValue{});
    }
    if (!exchange_) {
      apply(cg, keys, args, t, nullptr, next_arrival(cg));
      b.CreateBr(done);
      b.SetInsertPoint(done);
      return;
    }
    // In a morsel: into the exchange; else (one thread) at once.
    llvm::Value* seq = cg.ctx_call_at_entry("flow_morsel_seq");
    llvm::BasicBlock* now = block("session.now");
    llvm::BasicBlock* later = block("session.exchange");
    b.CreateCondBr(b.CreateICmpSLT(seq, cg.i64c(0)), now, later);
    b.SetInsertPoint(now);
    apply(cg, keys, args, t, nullptr, next_arrival(cg));
    b.CreateBr(done);
    b.SetInsertPoint(later);
    send(cg, keys, args, t, seq);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

 private:
  // arrival_++ (a record applied at once).
  llvm::Value* next_arrival(CgContext& cg) {
    auto& b = cg.b();
    llvm::Value* arrival = b.CreateLoad(cg.i64(), arrival_);
    b.CreateStore(b.CreateAdd(arrival, cg.i64c(1)), arrival_);
    return arrival;
  }

  // A record of `keys` with the aggregates' `args` at time `t` (not late
  // by the batch's start), the `arrival`-th to reach the lists: into its
  // key's sessions. `hash`: the keys' hash when known. Leaves the
  // insertion point where the record is done.
  void apply(CgContext& cg, const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
             llvm::Value* t, llvm::Value* hash, llvm::Value* arrival) {
    auto& b = cg.b();
    llvm::Function* fn = cg.fs().fn;
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, fn); };
    llvm::Value* reach = plus_gap(cg, t);
    llvm::BasicBlock* done = block("session.applied");
    auto [entry, entry_new] = sessions_->probe(keys, nullptr, false, hash);
    (void)entry_new;  // a new entry's list is zeroed: empty
    llvm::Value* list = sessions_->field(entry, list_offset_);
    llvm::Value* size = cg.i64c(elem_size());
    llvm::Value* i =
        b.CreateCall(cg.stdlib("flow_sessions_lower"), {list, size, t, cg.duration(gap_)});
    llvm::Value* len = load_len(cg, list);
    llvm::BasicBlock* check = block("session.check");
    llvm::BasicBlock* open = block("session.open");
    llvm::BasicBlock* join = block("session.join");
    llvm::BasicBlock* ready = block("session.ready");
    b.CreateCondBr(b.CreateICmpSLT(i, len), check, open);

    // Element i touches t when its start is within G after t.
    b.SetInsertPoint(check);
    llvm::Value* ei = element(cg, list, i);
    b.CreateCondBr(b.CreateICmpSLE(load_start(cg, ei), reach), join, open);

    // No session touches t: a new one at i.
    b.SetInsertPoint(open);
    llvm::Value* fresh_elem = b.CreateCall(cg.stdlib("flow_sessions_insert"), {list, size, i});
    b.CreateStore(t, start_at(cg, fresh_elem));
    b.CreateStore(t, last_at(cg, fresh_elem));
    llvm::BasicBlock* opened = b.GetInsertBlock();
    b.CreateBr(ready);

    // Join element i; when element i+1 touches t too, t bridges them. A
    // session the end of input fired takes no record: it is late.
    b.SetInsertPoint(join);
    llvm::BasicBlock* join_open = block("session.join_open");
    llvm::BasicBlock* join_fired = block("session.join_fired");
    b.CreateCondBr(is_fired(cg, ei), join_fired, join_open,
                   llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
    b.SetInsertPoint(join_fired);
    b.CreateCall(cg.runtime("flow_count_late"), {cg.fs().ctx, cg.i32c(stream_)});
    b.CreateBr(done);
    b.SetInsertPoint(join_open);
    llvm::Value* start = load_start(cg, ei);
    llvm::Value* last = load_last(cg, ei);
    b.CreateStore(b.CreateSelect(b.CreateICmpSLT(t, start), t, start), start_at(cg, ei));
    b.CreateStore(b.CreateSelect(b.CreateICmpSGT(t, last), t, last), last_at(cg, ei));
    llvm::Value* j = b.CreateAdd(i, cg.i64c(1));
    llvm::BasicBlock* check_next = block("session.check_next");
    llvm::BasicBlock* merge = block("session.merge");
    llvm::BasicBlock* joined = block("session.joined");
    b.CreateCondBr(b.CreateICmpSLT(j, len), check_next, joined);
    b.SetInsertPoint(check_next);
    llvm::Value* ej = element(cg, list, j);
    // A fired session is not merged into an open one.
    b.CreateCondBr(
        b.CreateAnd(b.CreateICmpSLE(load_start(cg, ej), reach), b.CreateNot(is_fired(cg, ej))),
        merge, joined);
    b.SetInsertPoint(merge);
    state_->combine(cg, ei, ej, b.getFalse());
    b.CreateStore(load_last(cg, ej), last_at(cg, ei));  // later than t and than i's last
    if (state_->owns_memory()) state_->release(cg, ej);
    b.CreateCall(cg.stdlib("flow_sessions_erase"), {list, size, j, cg.i64c(1)});
    b.CreateBr(joined);
    b.SetInsertPoint(joined);
    // The erase may have moved the array: find element i again.
    llvm::Value* joined_elem = element(cg, list, i);
    llvm::BasicBlock* joined_end = b.GetInsertBlock();
    b.CreateBr(ready);

    b.SetInsertPoint(ready);
    llvm::PHINode* elem = b.CreatePHI(cg.ptr(), 2, "session.elem");
    elem->addIncoming(fresh_elem, opened);
    elem->addIncoming(joined_elem, joined_end);
    llvm::PHINode* fresh = b.CreatePHI(cg.i1(), 2, "session.fresh");
    fresh->addIncoming(b.getTrue(), opened);
    fresh->addIncoming(b.getFalse(), joined_end);
    b.CreateStore(b.getInt8(1), dirty_at(cg, elem));
    state_->update(cg, elem, args, fresh, arrival);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  // A row of the exchange: [time][hash][keys...][the aggregates'
  // arguments...], 8 bytes a value, 16 a string ({bytes kept by the
  // exchange, length}).
  int64_t layout_entry(const std::vector<CgValue>& args) {
    if (entry_size_ > 0) return entry_size_;
    int64_t size = 16;
    for (Type t : key_types_) {
      key_at_.push_back(size);
      size += value_bytes(t);
    }
    for (const CgValue& a : args) {
      arg_at_.push_back(a.v ? size : -1);  // count() has none
      if (a.v) size += value_bytes(a.type);
    }
    entry_size_ = size;
    return size;
  }

  void send(CgContext& cg, const std::vector<CgValue>& keys, const std::vector<CgValue>& args,
            llvm::Value* t, llvm::Value* seq) {
    auto& b = cg.b();
    const int64_t size = layout_entry(args);
    if (!exchange_buffers_) {
      exchange_buffers_ = cg.worker_global(cg.ptr(), nullptr, cg.unique("session.exchange"));
    }
    llvm::Value* hash = sessions_->hash(keys);
    llvm::Value* parts = sessions_->parts();
    llvm::Value* at = exchange_rows::append(cg, exchange_buffers_, parts,
                                            sessions_->part_of(hash, parts), seq, size);
    b.CreateStore(t, exchange_rows::at(cg, at, 0));
    b.CreateStore(hash, exchange_rows::at(cg, at, 8));
    for (size_t i = 0; i < keys.size(); ++i) {
      CgValue k = keys[i];
      k.type = key_types_[i];
      exchange_rows::put(cg, exchange_buffers_, k, exchange_rows::at(cg, at, key_at_[i]));
    }
    for (size_t i = 0; i < args.size(); ++i) {
      if (arg_at_[i] >= 0) {
        exchange_rows::put(cg, exchange_buffers_, args[i], exchange_rows::at(cg, at, arg_at_[i]));
      }
    }
  }

  //   void replay(FlowContext* ctx, const FlowBatch* batch, int32_t part, void* cursor) {
  //     while ((e = flow_xchg_next(cursor)))
  //       apply(e's keys, e's args, e's time, e's hash, arrival_ + flow_xchg_arrival(cursor));
  //   }
  // (arrival_ moves on by the batch's rows once every part is done.)
  llvm::Function* replay_function(CgContext& cg) {
    llvm::Value* base = nullptr;
    auto entry = [&](llvm::Value* /*cursor*/) { base = cg.b().CreateLoad(cg.i64(), arrival_); };
    auto each = [&](llvm::Value* at, llvm::Value* cursor) { replay_row(cg, at, cursor, base); };
    return exchange_rows::replay_function(cg, "session.replay", root_source_, true, entry, each);
  }

  // One row of the replay: `base` is the arrival number of the batch's
  // first row.
  void replay_row(CgContext& cg, llvm::Value* at, llvm::Value* cursor, llvm::Value* base) {
    auto& b = cg.b();
    auto word = [&](int64_t offset) { return exchange_rows::at(cg, at, offset); };
    llvm::Value* time = b.CreateLoad(cg.i64(), word(0));
    llvm::Value* hash = b.CreateLoad(cg.i64(), word(8));
    std::vector<CgValue> keys;
    for (size_t i = 0; i < key_types_.size(); ++i) {
      keys.push_back(cg.load_value(key_types_[i], word(key_at_[i])));
    }
    std::vector<CgValue> args;
    for (size_t i = 0; i < stage_.aggregates.size(); ++i) {
      const plan::Aggregate& a = stage_.aggregates[i];
      args.push_back(arg_at_[i] >= 0 ? cg.load_value(a.arg->type, word(arg_at_[i])) : CgValue{});
    }
    llvm::Value* arrival =
        b.CreateAdd(base, b.CreateCall(cg.runtime("flow_xchg_arrival"), {cursor}));
    // Nothing here can fail: the record's expressions ran in its morsel.
    const int fails = cg.fail_count();
    apply(cg, keys, args, time, hash, arrival);
    check_invariant(cg.fail_count() == fails, "session: a replayed record can fail");
  }

 public:
  void end_batch(CgContext& cg) override {
    if (!sessions_) return;
    auto& b = cg.b();
    llvm::Function* fn = cg.fs().fn;
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, fn); };
    if (entry_size_ > 0) {  // the batch's rows from the exchange, each part on a thread
      llvm::Value* rows =
          b.CreateCall(cg.runtime("flow_xchg_replay"),
                       {cg.fs().ctx, cg.fs().batch, cg.worker0_slot(exchange_buffers_),
                        cg.i64c(entry_size_), replay_function(cg)});
      b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), arrival_), rows), arrival_);
    }
    if (sessions_->spread_out()) count_keys(cg);
    llvm::Value* watermark = fire_bound(cg, clock_);
    const size_t nkeys = stage_.keys.size();
    bool final_mode = stage_.emit == plan::EmitMode::Final;

    // Pick the sessions to emit and count those that fire. Under emit
    // final only a prefix of each list can fire: the scan stops there.
    llvm::Value* fired = cg.entry_alloca(cg.i64(), "session.fired");
    llvm::Value* k = cg.entry_alloca(cg.i64(), "session.k");
    b.CreateStore(cg.i64c(0), fired);
    sessions_->for_each_slot([&](llvm::Value* entry) {
      llvm::Value* list = sessions_->field(entry, list_offset_);
      llvm::Value* len = load_len(cg, list);
      b.CreateStore(cg.i64c(0), k);
      llvm::BasicBlock* head = block("session.scan");
      llvm::BasicBlock* body = block("session.visit");
      llvm::BasicBlock* take = block("session.take");
      llvm::BasicBlock* step = block("session.step");
      llvm::BasicBlock* exit = block("session.scanned");
      b.CreateBr(head);
      b.SetInsertPoint(head);
      llvm::Value* kv = b.CreateLoad(cg.i64(), k);
      b.CreateCondBr(b.CreateICmpSLT(kv, len), body, exit);
      b.SetInsertPoint(body);
      llvm::Value* e = element(cg, list, kv);
      llvm::Value* end = plus_gap(cg, load_last(cg, e));
      llvm::Value* fires = b.CreateICmpSLE(end, watermark);
      b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), fired), b.CreateZExt(fires, cg.i64())), fired);
      llvm::Value* emitted = is_fired(cg, e);  // by an earlier run's end: never again
      if (final_mode) {
        llvm::BasicBlock* fresh = block("session.unfired");
        b.CreateCondBr(fires, fresh, exit);
        b.SetInsertPoint(fresh);
        b.CreateCondBr(emitted, step, take);
      } else {
        llvm::Value* dirty = dirty_at(cg, e);
        llvm::Value* updated = b.CreateICmpNE(b.CreateLoad(cg.i8(), dirty), b.getInt8(0));
        b.CreateStore(b.getInt8(0), dirty);
        b.CreateCondBr(b.CreateAnd(updated, b.CreateNot(emitted)), take, step);
      }
      b.SetInsertPoint(take);
      std::vector<CgValue> rkeys = {{Type::Timestamp, end, nullptr},
                                    {Type::Timestamp, load_start(cg, e), nullptr}};
      for (size_t n = 0; n < nkeys; ++n) rkeys.push_back(sessions_->key(entry, n));
      auto [r, fresh] =
          results_->probe(rkeys, partitioned_ ? sessions_->partition(entry) : nullptr);
      (void)fresh;
      b.CreateStore(e, results_->field(r, result_elem_offset_));
      b.CreateBr(step);
      b.SetInsertPoint(step);
      b.CreateStore(b.CreateAdd(kv, cg.i64c(1)), k);
      b.CreateBr(head);
      b.SetInsertPoint(exit);
    });

    // Emit by (window_end, window_start, keys). No list changes until the
    // rows are out, so the element pointers hold.
    results_->for_each_updated([&](llvm::Value* r, llvm::BasicBlock*) {
      llvm::Value* e = b.CreateLoad(cg.ptr(), results_->field(r, result_elem_offset_));
      Row out = {results_->key(r, 1), results_->key(r, 0)};
      for (size_t n = 0; n < nkeys; ++n) out.push_back(results_->key(r, n + 2));
      for (CgValue& v : state_->finalize(cg, e)) out.push_back(v);
      // A roll-up downstream sees the row at window_end - 1ms (LANGUAGE.md 13).
      llvm::Value* time = clock_.event_time ? b.CreateSub(out[1].v, cg.i64c(1)) : nullptr;
      emit_row(cg, next_, out, root_source_, time);
    });
    results_->clear();

    // Drop the fired prefix of every list, and the keys left with none; at
    // the end of input mark every session fired instead.
    llvm::BasicBlock* erase = block("session.erase");
    llvm::BasicBlock* erased = block("session.erased");
    llvm::BasicBlock* mark = block("session.mark_fired");
    llvm::BasicBlock* some = block("session.some_fired");
    b.CreateCondBr(b.CreateICmpSGT(b.CreateLoad(cg.i64(), fired), cg.i64c(0)), some, erased);
    b.SetInsertPoint(some);
    b.CreateCondBr(b.CreateICmpEQ(watermark, cg.i64c(INT64_MAX)), mark, erase);
    b.SetInsertPoint(mark);
    sessions_->for_each_slot([&](llvm::Value* entry) {
      llvm::Value* list = sessions_->field(entry, list_offset_);
      count_loop(cg, load_len(cg, list), nullptr, [&](llvm::Value* k) {
        b.CreateStore(b.getInt8(1), fired_at(cg, element(cg, list, k)));
      });
    });
    b.CreateBr(erased);
    b.SetInsertPoint(erase);
    llvm::Value* limit = cg.entry_alloca(cg.i64(), "session.limit");
    b.CreateStore(watermark, limit);
    sessions_->erase_if("fired", [&](llvm::Value* entry, llvm::Value* arg) {
      auto& pb = cg.b();
      llvm::Function* pred = cg.fs().fn;
      auto pblock = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, pred); };
      llvm::Value* w = pb.CreateLoad(cg.i64(), arg);
      llvm::Value* list = sessions_->field(entry, list_offset_);
      llvm::Value* len = load_len(cg, list);
      llvm::Value* n = cg.entry_alloca(cg.i64(), "fired.n");
      pb.CreateStore(cg.i64c(0), n);
      llvm::BasicBlock* head = pblock("fired.head");
      llvm::BasicBlock* check = pblock("fired.check");
      llvm::BasicBlock* release = pblock("fired.release");
      llvm::BasicBlock* cut = pblock("fired.cut");
      pb.CreateBr(head);
      pb.SetInsertPoint(head);
      llvm::Value* nv = pb.CreateLoad(cg.i64(), n);
      pb.CreateCondBr(pb.CreateICmpSLT(nv, len), check, cut);
      pb.SetInsertPoint(check);
      llvm::Value* e = element(cg, list, nv);
      pb.CreateCondBr(pb.CreateICmpSLE(plus_gap(cg, load_last(cg, e)), w), release, cut);
      pb.SetInsertPoint(release);
      if (state_->owns_memory()) state_->release(cg, e);
      pb.CreateStore(pb.CreateAdd(nv, cg.i64c(1)), n);
      pb.CreateBr(head);
      pb.SetInsertPoint(cut);
      pb.CreateCall(cg.stdlib("flow_sessions_erase"),
                    {list, cg.i64c(elem_size()), cg.i64c(0), pb.CreateLoad(cg.i64(), n)});
      llvm::BasicBlock* gone = pblock("fired.entry_gone");
      llvm::BasicBlock* kept = pblock("fired.entry_kept");
      pb.CreateCondBr(pb.CreateICmpEQ(load_len(cg, list), cg.i64c(0)), gone, kept);
      pb.SetInsertPoint(gone);
      sessions_->release_keys(entry);
      pb.CreateRet(cg.i32c(1));
      pb.SetInsertPoint(kept);
      return pb.getFalse();
    }, limit);
    b.CreateBr(erased);
    b.SetInsertPoint(erased);
  }

  // Checkpoints (LANGUAGE.md 10). Between batches `results` is empty; the
  // lists are written as: arrival, entry count, then per entry its keys,
  // [its partition,] its session count and per session start, last,
  // fired (by an end of input) and the state columns.
  void snapshot(CgContext& cg, llvm::Value* writer) override {
    if (!sessions_) return;
    auto& b = cg.b();
    emit_global_snapshot(cg, arrival_, writer);
    put_i64(cg, writer, sessions_->count());
    // By key, not in table order: which part, or which thread first, held
    // a key must not change a checkpoint's bytes.
    sessions_->for_each_sorted([&](llvm::Value*) { return b.getTrue(); },
                               [&](llvm::Value* entry, llvm::BasicBlock*) {
                                 write_entry(cg, entry, writer, partitioned_);
                               },
                               false);
  }

  void restore(CgContext& cg, llvm::Value* reader) override {
    if (!sessions_) return;
    emit_global_restore(cg, arrival_, reader);
    count_loop(cg, get_i64(cg, reader), reader,
               [&](llvm::Value*) { read_entry(cg, reader, nullptr); });
  }

  // One partition: the arrival counter (a copy that takes the sessions
  // over counts on from the larger), then each of its entries after a 1,
  // then a 0.
  void snapshot_partition(CgContext& cg, llvm::Value* part, llvm::Value* writer,
                          llvm::Value* slots) override {
    if (!sessions_ || !partitioned_) return;
    auto& b = cg.b();
    emit_global_snapshot(cg, arrival_, writer);
    sessions_->for_each_slot([&](llvm::Value* entry) {
      llvm::BasicBlock* mine = llvm::BasicBlock::Create(cg.llvm(), "part.entry", cg.fs().fn);
      llvm::BasicBlock* other = llvm::BasicBlock::Create(cg.llvm(), "part.other", cg.fs().fn);
      b.CreateCondBr(b.CreateICmpEQ(sessions_->partition(entry), part), mine, other);
      b.SetInsertPoint(mine);
      put_i64(cg, writer, cg.i64c(1));
      write_entry(cg, entry, writer, false);
      b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), slots), cg.i64c(1)), slots);
      b.CreateBr(other);
      b.SetInsertPoint(other);
    });
    put_i64(cg, writer, cg.i64c(0));
  }

  void restore_partition(CgContext& cg, llvm::Value* part, llvm::Value* reader) override {
    if (!sessions_ || !partitioned_) return;
    auto& b = cg.b();
    llvm::Value* theirs = get_i64(cg, reader);
    llvm::Value* ours = b.CreateLoad(cg.i64(), arrival_);
    b.CreateStore(b.CreateSelect(b.CreateICmpSGT(theirs, ours), theirs, ours), arrival_);
    llvm::Function* fn = cg.fs().fn;
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "part.head", fn);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(cg.llvm(), "part.body", fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg.llvm(), "part.done", fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value* more = b.CreateICmpEQ(get_i64(cg, reader), cg.i64c(1));
    llvm::Value* ok =
        b.CreateICmpNE(b.CreateCall(cg.runtime("flow_ckpt_ok"), {reader}), cg.i32c(0));
    b.CreateCondBr(b.CreateAnd(more, ok), body, done);
    b.SetInsertPoint(body);
    read_entry(cg, reader, part);
    b.CreateBr(head);
    b.SetInsertPoint(done);
  }

  void drop_partition(CgContext& cg, llvm::Value* part) override {
    if (!sessions_ || !partitioned_) return;
    emit_table_drop_partition(cg, *sessions_, part, [&](llvm::Value* entry) {
      llvm::Value* list = sessions_->field(entry, list_offset_);
      if (state_->owns_memory()) {
        count_loop(cg, load_len(cg, list), nullptr,
                   [&](llvm::Value* k) { state_->release(cg, element(cg, list, k)); });
      }
      cg.b().CreateCall(cg.stdlib("flow_sessions_free"), {list});
      sessions_->release_keys(entry);
    });
  }

  bool partition_timers() const override { return partitioned_; }

 private:
  // One entry: its keys, [its partition,] its session count, then per
  // session start, last, fired and the state columns.
  void write_entry(CgContext& cg, llvm::Value* entry, llvm::Value* writer, bool with_partition) {
    auto& b = cg.b();
    for (size_t n = 0; n < key_types_.size(); ++n) {
      CgValue k = sessions_->key(entry, n);
      if (k.type == Type::String) {
        b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, k.v, k.len});
      } else {
        put_i64(cg, writer,
                k.type == Type::Float  ? b.CreateBitCast(k.v, cg.i64())
                : k.type == Type::Bool ? b.CreateZExt(k.v, cg.i64())
                                       : k.v);
      }
    }
    if (with_partition) put_i64(cg, writer, sessions_->partition(entry));
    llvm::Value* list = sessions_->field(entry, list_offset_);
    llvm::Value* len = load_len(cg, list);
    put_i64(cg, writer, len);
    count_loop(cg, len, nullptr, [&](llvm::Value* k) {
      llvm::Value* e = element(cg, list, k);
      put_i64(cg, writer, load_start(cg, e));
      put_i64(cg, writer, load_last(cg, e));
      put_i64(cg, writer, b.CreateZExt(is_fired(cg, e), cg.i64()));
      for (const StateColumn& c : state_->columns()) {
        llvm::Value* at = b.CreateConstInBoundsGEP1_64(cg.i8(), e, static_cast<uint64_t>(c.offset));
        switch (c.kind) {
          case ColumnKind::Scalar: put_i64(cg, writer, b.CreateLoad(cg.i64(), at)); break;
          case ColumnKind::StrBuf: {
            CgValue v = cg.load_value(Type::String, at);
            b.CreateCall(cg.runtime("flow_ckpt_put_bytes"), {writer, v.v, v.len});
            break;
          }
          case ColumnKind::Distinct:
            b.CreateCall(cg.runtime("flow_ckpt_put_distinct"),
                         {writer, b.CreateLoad(cg.ptr(), at)});
            break;
        }
      }
    });
  }

  // Reads an entry written by write_entry into `partition` when given,
  // else into the partition read after its keys (partitioned tables).
  void read_entry(CgContext& cg, llvm::Value* reader, llvm::Value* partition) {
    auto& b = cg.b();
    llvm::Value* size = cg.i64c(elem_size());
    std::vector<CgValue> keys;
    for (Type t : key_types_) {
      if (t == Type::String) {
        llvm::Value* out = cg.entry_alloca(cg.str_type(), "session.ckpt.bytes");
        b.CreateCall(cg.runtime("flow_ckpt_get_bytes"), {reader, out});
        keys.push_back(cg.load_value(Type::String, out));
      } else {
        llvm::Value* bits = get_i64(cg, reader);
        keys.push_back({t,
                        t == Type::Float  ? b.CreateBitCast(bits, cg.f64())
                        : t == Type::Bool ? b.CreateICmpNE(bits, cg.i64c(0))
                                          : bits,
                        nullptr});
      }
    }
    if (partitioned_ && partition == nullptr) partition = get_i64(cg, reader);
    llvm::Value* list = sessions_->field(sessions_->probe(keys, partition).first, list_offset_);
    count_loop(cg, get_i64(cg, reader), reader, [&](llvm::Value*) {
      llvm::Value* e =
          b.CreateCall(cg.stdlib("flow_sessions_insert"), {list, size, load_len(cg, list)});
      b.CreateStore(get_i64(cg, reader), start_at(cg, e));
      b.CreateStore(get_i64(cg, reader), last_at(cg, e));
      b.CreateStore(b.CreateTrunc(get_i64(cg, reader), cg.i8()), fired_at(cg, e));
      for (const StateColumn& c : state_->columns()) {
        llvm::Value* at = b.CreateConstInBoundsGEP1_64(cg.i8(), e, static_cast<uint64_t>(c.offset));
        switch (c.kind) {
          case ColumnKind::Scalar: b.CreateStore(get_i64(cg, reader), at); break;
          case ColumnKind::StrBuf: {
            llvm::Value* out = cg.entry_alloca(cg.str_type(), "session.ckpt.str");
            b.CreateCall(cg.runtime("flow_ckpt_get_bytes"), {reader, out});
            CgValue v = cg.load_value(Type::String, out);
            b.CreateCall(cg.stdlib("flow_strbuf_set"), {at, v.v, v.len});
            break;
          }
          case ColumnKind::Distinct:
            b.CreateStore(b.CreateCall(cg.runtime("flow_ckpt_get_distinct"), {reader}), at);
            break;
        }
      }
    });
  }

  // An element: [0] start, [8] last, [16] dirty, then the aggregate state
  // (element_layout_, whose first 16 bytes a hash-table slot would use for
  // its hash and dirty mark: unused by AggState).
  static constexpr int64_t kStart = 0, kLast = 8;

  static void put_i64(CgContext& cg, llvm::Value* writer, llvm::Value* v) {
    cg.b().CreateCall(cg.runtime("flow_ckpt_put_i64"), {writer, v});
  }
  static llvm::Value* get_i64(CgContext& cg, llvm::Value* reader) {
    return cg.b().CreateCall(cg.runtime("flow_ckpt_get_i64"), {reader});
  }
  // for (k = 0; k < n; ++k) body(k); with a reader, also stops once it
  // has failed (a corrupt count must not spin).
  void count_loop(CgContext& cg, llvm::Value* n, llvm::Value* reader,
                  const std::function<void(llvm::Value*)>& body) {
    auto& b = cg.b();
    llvm::Function* fn = cg.fs().fn;
    llvm::Value* k = cg.entry_alloca(cg.i64(), "session.ckpt.k");
    b.CreateStore(cg.i64c(0), k);
    llvm::BasicBlock* head = llvm::BasicBlock::Create(cg.llvm(), "ckpt.head", fn);
    llvm::BasicBlock* visit = llvm::BasicBlock::Create(cg.llvm(), "ckpt.body", fn);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(cg.llvm(), "ckpt.done", fn);
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value* kv = b.CreateLoad(cg.i64(), k);
    llvm::Value* go = b.CreateICmpSLT(kv, n);
    if (reader) {
      go = b.CreateAnd(go, b.CreateICmpNE(b.CreateCall(cg.runtime("flow_ckpt_ok"), {reader}), cg.i32c(0)));
    }
    b.CreateCondBr(go, visit, exit);
    b.SetInsertPoint(visit);
    body(kv);
    b.CreateStore(b.CreateAdd(kv, cg.i64c(1)), k);
    b.CreateBr(head);
    b.SetInsertPoint(exit);
  }

  int64_t elem_size() const { return element_layout_.size; }

  static llvm::StructType* list_type(CgContext& cg) {  // FlowSessionList {ptr, i64, i64}
    return llvm::StructType::get(cg.llvm(), {cg.ptr(), cg.i64(), cg.i64()});
  }
  llvm::Value* load_len(CgContext& cg, llvm::Value* list) {
    return cg.b().CreateLoad(cg.i64(), cg.b().CreateStructGEP(list_type(cg), list, 1));
  }
  llvm::Value* element(CgContext& cg, llvm::Value* list, llvm::Value* index) {
    auto& b = cg.b();
    llvm::Value* data = b.CreateLoad(cg.ptr(), b.CreateStructGEP(list_type(cg), list, 0));
    return b.CreateInBoundsGEP(cg.i8(), data, b.CreateMul(index, cg.i64c(elem_size())));
  }
  llvm::Value* start_at(CgContext& cg, llvm::Value* e) {
    return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), e, kStart);
  }
  llvm::Value* last_at(CgContext& cg, llvm::Value* e) {
    return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), e, kLast);
  }
  llvm::Value* dirty_at(CgContext& cg, llvm::Value* e) {
    return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), e, static_cast<uint64_t>(dirty_offset_));
  }
  // The byte after `dirty`: fired by the end of input (kept for the next run).
  llvm::Value* fired_at(CgContext& cg, llvm::Value* e) {
    return cg.b().CreateConstInBoundsGEP1_64(cg.i8(), e, static_cast<uint64_t>(dirty_offset_ + 1));
  }
  llvm::Value* is_fired(CgContext& cg, llvm::Value* e) {
    return cg.b().CreateICmpNE(cg.b().CreateLoad(cg.i8(), fired_at(cg, e)), cg.b().getInt8(0));
  }
  llvm::Value* load_start(CgContext& cg, llvm::Value* e) { return cg.b().CreateLoad(cg.i64(), start_at(cg, e)); }
  llvm::Value* load_last(CgContext& cg, llvm::Value* e) { return cg.b().CreateLoad(cg.i64(), last_at(cg, e)); }
  // v + G, saturating at INT64_MAX (a session's end near the end of time).
  llvm::Value* plus_gap(CgContext& cg, llvm::Value* v) {
    return cg.b().CreateBinaryIntrinsic(llvm::Intrinsic::sadd_sat, v, cg.duration(gap_));
  }

  // --max-state-keys over the parts together (a part's own count depends
  // on the number of parts), reported when it grew past flow_state_grew's
  // last answer.
  void count_keys(CgContext& cg) {
    auto& b = cg.b();
    if (!grown_) {
      grown_ =
          new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                                   cg.i64c(0), cg.unique("session.grow_check"));
    }
    llvm::Value* count = sessions_->count();
    llvm::BasicBlock* grew = llvm::BasicBlock::Create(cg.llvm(), "session.grew", cg.fs().fn);
    llvm::BasicBlock* counted = llvm::BasicBlock::Create(cg.llvm(), "session.counted", cg.fs().fn);
    b.CreateCondBr(b.CreateICmpSGT(count, b.CreateLoad(cg.i64(), grown_)), grew, counted);
    b.SetInsertPoint(grew);
    b.CreateStore(b.CreateCall(cg.runtime("flow_state_grew"), {cg.fs().ctx, count}), grown_);
    b.CreateBr(counted);
    b.SetInsertPoint(counted);
  }

  void prepare(CgContext& cg) {
    if (sessions_) return;
    for (const plan::NamedExpr& k : stage_.keys) key_types_.push_back(k.expr->type);
    std::vector<Type> result_keys = {Type::Timestamp, Type::Timestamp};  // end, start
    result_keys.insert(result_keys.end(), key_types_.begin(), key_types_.end());
    std::string name = cg.unique("session");
    sessions_ = std::make_unique<KeyedTable>(
        cg, name + ".sessions", key_types_, entry_layout_, KeyedTable::KeyStorage::Owned,
        KeyedTable::Sharing::PerWorker, Partitioning{partitioned_, stream_});
    if (exchange_) sessions_->spread();
    // Only the batch's end, on one thread, uses `results` — also from
    // within the scans of the sessions' parts, each of which sets the
    // current worker to its part: always the pipeline's table.
    results_ = std::make_unique<KeyedTable>(
        cg, name + ".results", result_keys, result_layout_, KeyedTable::KeyStorage::Arena,
        KeyedTable::Sharing::Shared, Partitioning{partitioned_});
    // results_ is empty between batches.
    cg.add_state_table(stream_, sessions_->table_global(), exchange_ ? FLOW_MAX_WORKERS : 0);
    list_offset_ = entry_layout_.add(24);
    result_elem_offset_ = result_layout_.add(8);
    dirty_offset_ = element_layout_.add(8);
    state_ = std::make_unique<AggState>(stage_.aggregates, element_layout_);
    arrival_ = new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                                        cg.i64c(0), name + ".arrival");
  }

  const plan::AggregateStage& stage_;
  plan::Duration gap_;  // a constant unless a built program reads a duration param
  plan::Clock clock_;
  int stream_;
  int root_source_;
  bool partitioned_;
  bool exchange_;  // split by key hash, fed through the exchange in morsels
  Operator* next_;
  std::vector<Type> key_types_;
  // The exchange's rows (layout_entry), once a morsel sends any: their
  // size, and where each key and argument (-1: none) is in them.
  int64_t entry_size_ = 0;
  std::vector<int64_t> key_at_, arg_at_;
  llvm::GlobalVariable* exchange_buffers_ = nullptr;  // per worker (flow_xchg_append)
  llvm::GlobalVariable* grown_ = nullptr;  // flow_state_grew's last answer (spread lists)
  SlotLayout entry_layout_, result_layout_, element_layout_;
  int64_t list_offset_ = 0, result_elem_offset_ = 0, dirty_offset_ = 0;
  std::unique_ptr<KeyedTable> sessions_, results_;
  std::unique_ptr<AggState> state_;
  llvm::GlobalVariable* arrival_ = nullptr;
};

}  // namespace

OperatorPtr make_session(const plan::AggregateStage& stage, const StageSite& site, Operator* next) {
  return std::make_unique<SessionOp>(stage, site, next);
}

}  // namespace flowc::codegen
