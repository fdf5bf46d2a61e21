// window session G | group by KEYS | aggregate ...   (LANGUAGE.md 6.1)
//
// Per key, records at most G apart share a session: [start, last] grows as
// records arrive, and a record within G of two sessions merges them.
// window_start = start, window_end = last + G.
//
// State (memory: open sessions x keys, nothing per record):
//   sessions  keyed by (keys..., id), id from a global counter:
//             start, last, the aggregate state (KeyStorage::Owned: freed
//             one by one when a session fires)
//   index     keyed by (keys...): a FlowI64Vec of the key's open session
//             ids (usually one); the entry goes with its last session
//   results   keyed by (window_end, window_start, keys...): the id of each
//             session to emit at this batch end, so that for_each_updated
//             yields them in the order of LANGUAGE.md 6.1; cleared after
//
// Per row (in the source's fused loop):
//   t = event time, or the batch start under processing time
//   if (t + G <= watermark_at_batch_start) { late++; drop }
//   ids = index[keys]
//   for each id overlapping t (start - G <= t <= last + G):
//     the first becomes the target; each further one is combined into it
//     (AggState::combine, start = min, last = max) and erased
//   no target: a new id, pushed to ids
//   slot = sessions[(keys, target)]; start/last take t; update(slot, args)
//
// At the end of each batch, with W the new watermark (event time) or the
// batch's end (processing time; +infinity at the end of input):
//   emit final:   the sessions with last + G <= W go into `results`
//   emit updates: the sessions updated in this batch go into `results`
//   emit `results` in order; then erase every session with last + G <= W
//   (its state, its owned keys, its id in `index`, an emptied index entry).
//
// Slot pointers are valid only until the next find_or_insert or erase on
// the same table: every step below re-finds sessions by (keys, id).
#include <llvm/IR/Constants.h>
#include <llvm/IR/MDBuilder.h>

#include "codegen/agg_state.h"
#include "codegen/keyed_table.h"
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

using plan::Type;

class SessionOp : public Operator {
 public:
  SessionOp(const plan::Stage& stage, int root_source, Operator* next)
      : stage_(stage), gap_(stage.window->size_ms), event_time_(stage.window->event_time),
        root_source_(root_source), next_(next) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    prepare(cg);
    llvm::Function* fn = cg.fs().fn;
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, fn); };
    llvm::Value* t = event_time_
                         ? cg.fs().event_time
                         : b.CreateLoad(cg.i64(), b.CreateStructGEP(cg.batch_type(), cg.fs().batch, 0));
    llvm::BasicBlock* done = block("session.done");
    if (event_time_) {
      // Late: the record's own session [t, t + G] ended at or before the
      // watermark as it stood when this batch began.
      llvm::Value* watermark = b.CreateLoad(cg.i64(), cg.source_watermark(root_source_));
      llvm::Value* late = b.CreateICmpSLE(b.CreateAdd(t, cg.i64c(gap_)), watermark);
      llvm::BasicBlock* drop = block("session.late");
      llvm::BasicBlock* keep = block("session.keep");
      b.CreateCondBr(late, drop, keep, llvm::MDBuilder(cg.llvm()).createUnlikelyBranchWeights());
      b.SetInsertPoint(drop);
      b.CreateCall(cg.runtime("flow_count_late"), {cg.fs().ctx, cg.i32c(root_source_)});
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
    auto with_id = [&](llvm::Value* id) {
      std::vector<CgValue> k = keys;
      k.push_back({Type::Int, id, nullptr});
      return k;
    };

    auto [entry, entry_new] = index_->probe(keys);
    (void)entry_new;  // a new entry's vector is zeroed: empty
    llvm::Value* ids = index_->field(entry, ids_offset_);
    llvm::Value* target = cg.entry_alloca(cg.i64(), "session.target");
    llvm::Value* i = cg.entry_alloca(cg.i64(), "session.i");
    b.CreateStore(cg.i64c(-1), target);
    b.CreateStore(cg.i64c(0), i);

    // Scan the key's open sessions for those the record touches.
    llvm::BasicBlock* head = block("session.scan");
    llvm::BasicBlock* body = block("session.candidate");
    llvm::BasicBlock* touches = block("session.touches");
    llvm::BasicBlock* first = block("session.first");
    llvm::BasicBlock* merge = block("session.merge");
    llvm::BasicBlock* step = block("session.step");
    llvm::BasicBlock* scanned = block("session.scanned");
    b.CreateBr(head);
    b.SetInsertPoint(head);
    llvm::Value* iv = b.CreateLoad(cg.i64(), i);
    llvm::Value* len = b.CreateLoad(cg.i64(), b.CreateStructGEP(vec_type(cg), ids, 1));
    b.CreateCondBr(b.CreateICmpSLT(iv, len), body, scanned);

    b.SetInsertPoint(body);
    llvm::Value* data = b.CreateLoad(cg.ptr(), b.CreateStructGEP(vec_type(cg), ids, 0));
    llvm::Value* id = b.CreateLoad(cg.i64(), b.CreateInBoundsGEP(cg.i64(), data, iv));
    llvm::Value* s = sessions_->find(with_id(id));
    llvm::Value* start = b.CreateLoad(cg.i64(), sessions_->field(s, start_offset_));
    llvm::Value* last = b.CreateLoad(cg.i64(), sessions_->field(s, last_offset_));
    // start - G <= t <= last + G, as differences (no overflow near the ends).
    llvm::Value* after_start = b.CreateICmpSLE(b.CreateSub(start, t), cg.i64c(gap_));
    llvm::Value* before_end = b.CreateICmpSLE(b.CreateSub(t, last), cg.i64c(gap_));
    b.CreateCondBr(b.CreateAnd(after_start, before_end), touches, step);

    b.SetInsertPoint(touches);
    llvm::Value* current = b.CreateLoad(cg.i64(), target);
    b.CreateCondBr(b.CreateICmpEQ(current, cg.i64c(-1)), first, merge);

    b.SetInsertPoint(first);
    b.CreateStore(id, target);
    b.CreateBr(step);

    // A second touched session: fold it into the target and erase it. The
    // vector's last id moves to position i, so i is scanned again.
    b.SetInsertPoint(merge);
    llvm::Value* into = sessions_->find(with_id(current));
    state_->combine(cg, into, s, b.getFalse());
    llvm::Value* into_start = sessions_->field(into, start_offset_);
    llvm::Value* into_last = sessions_->field(into, last_offset_);
    llvm::Value* is = b.CreateLoad(cg.i64(), into_start);
    llvm::Value* il = b.CreateLoad(cg.i64(), into_last);
    b.CreateStore(b.CreateSelect(b.CreateICmpSLT(start, is), start, is), into_start);
    b.CreateStore(b.CreateSelect(b.CreateICmpSGT(last, il), last, il), into_last);
    if (state_->owns_memory()) state_->release(cg, s);
    sessions_->release_keys(s);
    b.CreateCall(cg.stdlib("flow_ht_erase"), {b.CreateLoad(cg.ptr(), sessions_->table_global()), s});
    b.CreateCall(cg.stdlib("flow_i64vec_remove"), {ids, id});
    b.CreateBr(head);

    b.SetInsertPoint(step);
    b.CreateStore(b.CreateAdd(iv, cg.i64c(1)), i);
    b.CreateBr(head);

    // Join the target, or open a new session.
    b.SetInsertPoint(scanned);
    llvm::Value* found = b.CreateLoad(cg.i64(), target);
    llvm::Value* fresh = b.CreateICmpEQ(found, cg.i64c(-1));
    llvm::BasicBlock* open = block("session.open");
    llvm::BasicBlock* join = block("session.join");
    b.CreateCondBr(fresh, open, join);
    b.SetInsertPoint(open);
    llvm::Value* next_id = b.CreateLoad(cg.i64(), next_id_);
    b.CreateStore(b.CreateAdd(next_id, cg.i64c(1)), next_id_);
    b.CreateCall(cg.stdlib("flow_i64vec_push"), {ids, next_id});
    b.CreateBr(join);
    b.SetInsertPoint(join);
    llvm::PHINode* session_id = b.CreatePHI(cg.i64(), 2, "session.id");
    session_id->addIncoming(next_id, open);
    session_id->addIncoming(found, scanned);
    auto [slot, inserted] = sessions_->probe(with_id(session_id));
    llvm::Value* start_at = sessions_->field(slot, start_offset_);
    llvm::Value* last_at = sessions_->field(slot, last_offset_);
    llvm::Value* old_start = b.CreateLoad(cg.i64(), start_at);
    llvm::Value* old_last = b.CreateLoad(cg.i64(), last_at);
    b.CreateStore(b.CreateSelect(b.CreateOr(inserted, b.CreateICmpSLT(t, old_start)), t, old_start), start_at);
    b.CreateStore(b.CreateSelect(b.CreateOr(inserted, b.CreateICmpSGT(t, old_last)), t, old_last), last_at);
    llvm::Value* arrival = b.CreateLoad(cg.i64(), arrival_);
    b.CreateStore(b.CreateAdd(arrival, cg.i64c(1)), arrival_);
    state_->update(cg, slot, args, inserted, arrival);
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }

  void end_batch(CgContext& cg) override {
    if (!sessions_) return;
    auto& b = cg.b();
    llvm::Function* fn = cg.fs().fn;
    auto block = [&](const char* name) { return llvm::BasicBlock::Create(cg.llvm(), name, fn); };
    llvm::Value* watermark;
    if (event_time_) {
      watermark = b.CreateLoad(cg.i64(), cg.source_watermark(root_source_));
    } else {
      // Processing time: sessions that ended by the batch's end; all at the end of input.
      llvm::Value* end = b.CreateLoad(cg.i64(), b.CreateStructGEP(cg.batch_type(), cg.fs().batch, 3));
      llvm::Value* final_batch = b.CreateICmpNE(fn->getArg(2), cg.i32c(0));
      watermark = b.CreateSelect(final_batch, cg.i64c(INT64_MAX), end);
    }
    const size_t nkeys = stage_.keys.size();
    bool final_mode = stage_.emit == plan::EmitMode::Final;

    // Pick the sessions to emit; count those that fire.
    llvm::Value* fired = cg.entry_alloca(cg.i64(), "session.fired");
    b.CreateStore(cg.i64c(0), fired);
    sessions_->for_each_slot([&](llvm::Value* s) {
      llvm::Value* start = b.CreateLoad(cg.i64(), sessions_->field(s, start_offset_));
      llvm::Value* end = window_end(cg, s);
      llvm::Value* fires = b.CreateICmpSLE(end, watermark);
      b.CreateStore(b.CreateAdd(b.CreateLoad(cg.i64(), fired), b.CreateZExt(fires, cg.i64())), fired);
      llvm::Value* take = fires;
      llvm::Value* dirty_at = sessions_->field(s, kSlotDirtyOffset);
      if (!final_mode) take = b.CreateICmpNE(b.CreateLoad(cg.i8(), dirty_at), b.getInt8(0));
      llvm::BasicBlock* emit = block("session.take");
      llvm::BasicBlock* skip = block("session.skip");
      b.CreateCondBr(take, emit, skip);
      b.SetInsertPoint(emit);
      b.CreateStore(b.getInt8(0), dirty_at);
      std::vector<CgValue> rkeys = {{Type::Timestamp, end, nullptr}, {Type::Timestamp, start, nullptr}};
      for (size_t k = 0; k < nkeys; ++k) rkeys.push_back(sessions_->key(s, k));
      auto [r, fresh] = results_->probe(rkeys);
      (void)fresh;
      b.CreateStore(sessions_->key(s, nkeys).v, results_->field(r, result_id_offset_));
      b.CreateBr(skip);
      b.SetInsertPoint(skip);
    });

    // Emit by (window_end, window_start, keys).
    results_->for_each_updated([&](llvm::Value* r, llvm::BasicBlock*) {
      std::vector<CgValue> skeys;
      for (size_t k = 0; k < nkeys; ++k) skeys.push_back(results_->key(r, k + 2));
      skeys.push_back({Type::Int, b.CreateLoad(cg.i64(), results_->field(r, result_id_offset_)), nullptr});
      llvm::Value* s = sessions_->find(skeys);
      Row out = {results_->key(r, 1), results_->key(r, 0)};
      for (size_t k = 0; k < nkeys; ++k) out.push_back(skeys[k]);
      for (CgValue& v : state_->finalize(cg, s)) out.push_back(v);
      int saved = cg.fs().source;
      cg.fs().source = root_source_;
      next_->consume(cg, out);
      cg.fs().source = saved;
    });
    results_->clear();

    // Free the sessions that fired.
    llvm::BasicBlock* erase = block("session.erase");
    llvm::BasicBlock* erased = block("session.erased");
    b.CreateCondBr(b.CreateICmpSGT(b.CreateLoad(cg.i64(), fired), cg.i64c(0)), erase, erased);
    b.SetInsertPoint(erase);
    llvm::Value* limit = cg.entry_alloca(cg.i64(), "session.limit");
    b.CreateStore(watermark, limit);
    sessions_->erase_if("fired", [&](llvm::Value* s, llvm::Value* arg) {
      auto& pb = cg.b();
      llvm::Value* w = pb.CreateLoad(cg.i64(), arg);
      llvm::Value* gone = pb.CreateICmpSLE(window_end(cg, s), w);
      llvm::BasicBlock* free_it = llvm::BasicBlock::Create(cg.llvm(), "session.free", cg.fs().fn);
      llvm::BasicBlock* keep = llvm::BasicBlock::Create(cg.llvm(), "session.keep", cg.fs().fn);
      pb.CreateCondBr(gone, free_it, keep);
      pb.SetInsertPoint(free_it);
      if (state_->owns_memory()) state_->release(cg, s);
      std::vector<CgValue> keys;
      for (size_t k = 0; k < nkeys; ++k) keys.push_back(sessions_->key(s, k));
      llvm::Value* entry = index_->find(keys);
      llvm::Value* ids = index_->field(entry, ids_offset_);
      pb.CreateCall(cg.stdlib("flow_i64vec_remove"), {ids, sessions_->key(s, nkeys).v});
      llvm::Value* left = pb.CreateLoad(cg.i64(), pb.CreateStructGEP(vec_type(cg), ids, 1));
      llvm::BasicBlock* drop = llvm::BasicBlock::Create(cg.llvm(), "session.index.drop", cg.fs().fn);
      llvm::BasicBlock* kept = llvm::BasicBlock::Create(cg.llvm(), "session.index.kept", cg.fs().fn);
      pb.CreateCondBr(pb.CreateICmpEQ(left, cg.i64c(0)), drop, kept);
      pb.SetInsertPoint(drop);
      pb.CreateCall(cg.stdlib("flow_i64vec_free"), {ids});
      index_->release_keys(entry);
      pb.CreateCall(cg.stdlib("flow_ht_erase"), {pb.CreateLoad(cg.ptr(), index_->table_global()), entry});
      pb.CreateBr(kept);
      pb.SetInsertPoint(kept);
      sessions_->release_keys(s);
      pb.CreateRet(cg.i32c(1));
      pb.SetInsertPoint(keep);
      return pb.getFalse();
    }, limit);
    b.CreateBr(erased);
    b.SetInsertPoint(erased);
  }

 private:
  static llvm::StructType* vec_type(CgContext& cg) {  // FlowI64Vec {ptr, i64, i64}
    return llvm::StructType::get(cg.llvm(), {cg.ptr(), cg.i64(), cg.i64()});
  }

  llvm::Value* window_end(CgContext& cg, llvm::Value* s) {
    llvm::Value* last = cg.b().CreateLoad(cg.i64(), sessions_->field(s, last_offset_));
    return cg.b().CreateAdd(last, cg.i64c(gap_));
  }

  void prepare(CgContext& cg) {
    if (sessions_) return;
    std::vector<Type> key_types;
    for (const plan::NamedExpr& k : stage_.keys) key_types.push_back(k.expr->type);
    std::vector<Type> session_keys = key_types;
    session_keys.push_back(Type::Int);  // the session id
    std::vector<Type> result_keys = {Type::Timestamp, Type::Timestamp};  // end, start
    result_keys.insert(result_keys.end(), key_types.begin(), key_types.end());
    std::string name = cg.unique("session");
    sessions_ = std::make_unique<KeyedTable>(cg, name + ".sessions", session_keys, session_layout_,
                                             KeyedTable::KeyStorage::Owned);
    index_ = std::make_unique<KeyedTable>(cg, name + ".index", key_types, index_layout_,
                                          KeyedTable::KeyStorage::Owned);
    results_ = std::make_unique<KeyedTable>(cg, name + ".results", result_keys, result_layout_);
    start_offset_ = session_layout_.add(8);
    last_offset_ = session_layout_.add(8);
    state_ = std::make_unique<AggState>(stage_.aggregates, session_layout_);
    ids_offset_ = index_layout_.add(24);
    result_id_offset_ = result_layout_.add(8);
    auto global = [&](const std::string& n) {
      return new llvm::GlobalVariable(cg.module(), cg.i64(), false, llvm::GlobalValue::InternalLinkage,
                                      cg.i64c(0), name + "." + n);
    };
    arrival_ = global("arrival");
    next_id_ = global("next_id");
  }

  const plan::Stage& stage_;
  int64_t gap_;
  bool event_time_;
  int root_source_;
  Operator* next_;
  SlotLayout session_layout_, index_layout_, result_layout_;
  int64_t start_offset_ = 0, last_offset_ = 0, ids_offset_ = 0, result_id_offset_ = 0;
  std::unique_ptr<KeyedTable> sessions_, index_, results_;
  std::unique_ptr<AggState> state_;
  llvm::GlobalVariable* arrival_ = nullptr;
  llvm::GlobalVariable* next_id_ = nullptr;
};

}  // namespace

OperatorPtr make_session(const plan::Stage& stage, int root_source, Operator* next) {
  return std::make_unique<SessionOp>(stage, root_source, next);
}

}  // namespace flowc::codegen
