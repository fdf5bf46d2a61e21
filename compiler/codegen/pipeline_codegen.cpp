// The whole pipeline: operators wired source -> streams -> sinks, one fused
// function per source, the end_batch function, and the descriptors the
// runtime reads (runtime/abi.h).
#include <llvm/IR/Constants.h>

#include <map>
#include <sstream>

#include "abi.h"
#include "codegen/checkpoint.h"
#include "codegen/codegen.h"
#include "codegen/configure.h"
#include "codegen/lookup_table.h"
#include "codegen/operator.h"
#include "codegen/scan.h"
#include "plan/explain.h"
#include "plan/partitioning.h"
#include "plan/read_ahead.h"
#include "plan/threads.h"
#include "support/overloaded.h"

namespace flowc::codegen {

namespace {

class PipelineBuilder {
 public:
  PipelineBuilder(const plan::Pipeline& p, llvm::Module& m, const CodegenOptions& options)
      : p_(p), cg_(m, p, options.fold_params), options_(options) {}

  CodegenResult build() {
    CodegenResult result;
    make_tables();
    wire_operators();
    std::vector<llvm::Function*> sources;
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      sources.push_back(lower_source(cg_, p_.sources[i], static_cast<int>(i),
                                     source_outputs_[i].get(), early_filters_[i], probe_ahead(i)));
    }
    for (size_t t = 0; t < p_.tables.size(); ++t) {
      int index = static_cast<int>(p_.sources.size() + t);
      sources.push_back(lower_source(cg_, table_sources_[t], index, table_loaders_[t].get()));
    }
    llvm::Function* end_batch = end_batch_function();
    llvm::Function* snapshot = snapshot_function();
    llvm::Function* restore = restore_function();
    partition_functions();
    merge_ = merge_function();
    if (merge_) merge_found_ = merge_found_function();
    descriptors(sources, end_batch, snapshot, restore);
    result.exported.push_back("flow_pipeline");
    if (options_.emit_main) {
      main_function();
      result.exported.push_back("main");
    }
    return result;
  }

 private:
  // A table is read like a source (before the first batch) into its
  // LookupTable; its scan sees it as a source without event time.
  void make_tables() {
    table_sources_.reserve(p_.tables.size());
    for (const plan::Table& t : p_.tables) {
      plan::Source s;
      s.name = t.name;
      s.connector = t.connector;
      s.format = t.format;
      s.schema = t.schema;
      s.used.assign(t.schema.fields.size(), true);
      table_sources_.push_back(std::move(s));
      lookup_tables_.push_back(std::make_unique<LookupTable>(cg_, t));
      table_loaders_.push_back(make_table_load(*lookup_tables_.back()));
    }
  }

  // The operator of one stage, handing its rows to `next`. A stream join
  // also reads S: its second operator goes to `other`.
  OperatorPtr lower_stage(const plan::Stream& stream, const plan::Stage& st,
                          const plan::Schema& input, Operator* next, OperatorPtr& other) {
    const int index = static_cast<int>(&stream - p_.streams.data());
    const bool partitioned = plan::state_follows_partitions(p_, index, st);
    any_partitioned_ = any_partitioned_ || partitioned;
    const size_t stage = static_cast<size_t>(&st - stream.stages.data());
    const bool emits_in_parallel = !partitioned && plan::rows_keep_no_state(p_, index, stage + 1);
    const auto* agg = st.as<plan::AggregateStage>();
    const bool session = agg && agg->window && agg->window->kind == plan::WindowKind::Session;
    const bool exchange = (st.is<plan::UpdateStage>() || session) && !partitioned &&
                          plan::update_partitioned(p_, index);
    const bool agg_exchange =
        agg && !session && !partitioned && plan::aggregate_exchanged(p_, index, *agg);
    const StageSite site{index,       stream.root_source, st.clock,
                         partitioned, emits_in_parallel,  exchange || agg_exchange};
    return std::visit(
        Overloaded{
            [&](const plan::WhereStage& s) { return make_where(s, next); },
            [&](const plan::SelectStage& s) { return make_select(s, next); },
            [&](const plan::ExplodeStage& s) { return make_explode(s, next); },
            [&](const plan::JoinStage& s) { return make_join(s, *lookup_tables_[s.table], next); },
            [&](const plan::AggregateStage& s) {
              if (!s.window) return make_aggregate(s, site, next);
              if (s.window->kind == plan::WindowKind::Session) return make_session(s, site, next);
              if (s.window->kind == plan::WindowKind::Batch)
                return make_batch_window(s, stream.root_source, next);
              return make_window(s, site, next);
            },
            [&](const plan::UpdateStage& s) { return make_update(s, site, next); },
            [&](const plan::IntervalJoinStage& s) {
              auto [join, reader] = make_interval_join(s, input, p_.schema_of(s.other), site, next);
              other = std::move(reader);
              return std::move(join);
            },
            [&](const plan::TopStage& s) {
              return make_top(s, st.output, st.clock, stream.root_source, next);
            },
        },
        st.op);
  }

  // Builds the operator graph back to front: a stream's operators hand rows
  // to the sinks and streams that read it, which are built first.
  void wire_operators() {
    std::vector<std::vector<Operator*>> stream_readers(p_.streams.size());
    std::vector<std::vector<Operator*>> source_readers(p_.sources.size());
    for (size_t i = 0; i < p_.sinks.size(); ++i) {
      ops_.push_back(make_sink(static_cast<int>(i), p_.sinks[i]));
      const plan::Input& in = p_.sinks[i].input;
      (in.kind == plan::Input::Source ? source_readers : stream_readers)[in.index].push_back(ops_.back().get());
    }
    stage_ops_.resize(p_.streams.size());
    stream_tails_.resize(p_.streams.size());
    auto readers_of = [&](const plan::Input& in) -> std::vector<Operator*>& {
      return (in.kind == plan::Input::Source ? source_readers : stream_readers)[in.index];
    };
    for (size_t s = p_.streams.size(); s-- > 0;) {
      const plan::Stream& stream = p_.streams[s];
      ops_.push_back(make_fanout(stream_readers[s]));
      Operator* next = ops_.back().get();
      stream_tails_[s] = next;
      for (size_t k = stream.stages.size(); k-- > 0;) {
        const plan::Schema& input =
            k > 0 ? stream.stages[k - 1].output : p_.schema_of(stream.input);
        OperatorPtr other;
        ops_.push_back(lower_stage(stream, stream.stages[k], input, next, other));
        next = ops_.back().get();
        stage_ops_[s].insert(stage_ops_[s].begin(), next);
        if (other) {  // a stream join reads S too
          readers_of(stream.stages[k].as<plan::IntervalJoinStage>()->other).push_back(other.get());
          ops_.push_back(std::move(other));
        }
      }
      // Every input of a union hands its rows to the first stage.
      for (const plan::Input& in : stream.inputs) {
        Operator* first = next;
        if (!in.order.empty()) {
          ops_.push_back(make_union_input(in.order, next));
          first = ops_.back().get();
        }
        readers_of(in).push_back(first);
      }
    }
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      source_outputs_.push_back(make_fanout(source_readers[i]));
    }
    // A source read by one stream that starts with `where`: the scan runs it.
    early_filters_.resize(p_.sources.size());
    for (size_t s = 0; s < p_.streams.size(); ++s) {
      const plan::Stream& stream = p_.streams[s];
      if (stream.inputs.size() != 1 || stream.input.kind != plan::Input::Source ||
          source_readers[stream.input.index].size() != 1 || stream.stages.empty() ||
          !stream.stages[0].is<plan::WhereStage>()) {
        continue;
      }
      Operator* after = stage_ops_[s].size() > 1 ? stage_ops_[s][1] : stream_tails_[s];
      early_filters_[stream.input.index] =
          EarlyFilter{stream.stages[0].as<plan::WhereStage>()->predicate.get(), after};
    }
  }

  // The join a source's scan reads ahead for (plan/read_ahead.h).
  ProbeAhead probe_ahead(size_t source) {
    std::optional<plan::ReadAhead> r = plan::read_ahead(p_, static_cast<int>(source));
    if (!r) return {};
    return ProbeAhead{r->field, lookup_tables_[r->table].get()};
  }

  //   void flow_end_batch(FlowContext* ctx, const FlowBatch* batch, int32_t final) {
  //     <each operator's end-of-batch work, upstream streams first>
  //   }
  llvm::Function* end_batch_function() {
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.ptr(), cg_.i32()}, false);
    llvm::Function* fn = cg_.begin_function("flow_end_batch", type);
    FunctionState& fs = cg_.fs();
    fs.ctx = fn->getArg(0);
    fs.batch = fn->getArg(1);
    fs.arena = b.CreateCall(cg_.runtime("flow_scratch"), {fs.ctx});
    llvm::BasicBlock* done = llvm::BasicBlock::Create(cg_.llvm(), "done", fn);
    fs.next_record = done;
    advance_watermarks(fn->getArg(2));
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->end_batch(cg_);
    }
    settle_watermarks();
    b.CreateBr(done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
    return fn;
  }

  //   void flow_snapshot(FlowContext* ctx, FlowCkptWriter* w) {
  //     <input_ended: the last batch ended the input>
  //     <each event-time source's max time, watermark and own watermark>
  //     <each stateful operator's state, upstream streams first>
  //   }
  // flow_restore reads the same values back in the same order.
  // Whether source `k`'s records may run on any worker thread (--threads,
  // runtime/worker.h), as plan/threads.h decides.
  bool source_parallel(size_t k) const {
    return plan::source_threads(p_, static_cast<int>(k)).parallel;
  }

  //   void flow_merge(FlowContext* ctx, int32_t worker) {
  //     source.max_time[0] = max(source.max_time[0], source.max_time[worker]); ...[worker] =
  //     INT64_MIN <each operator's merge: worker's partial tables into worker 0's>
  //   }
  // Null when no source runs in parallel.
  llvm::Function* merge_function() {
    bool any = false;
    for (size_t k = 0; k < p_.sources.size(); ++k) any = any || source_parallel(k);
    if (!any) return nullptr;
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.i32()}, false);
    llvm::Function* fn = cg_.begin_function("flow_merge", type);
    cg_.fs().ctx = fn->getArg(0);
    llvm::Value* worker = fn->getArg(1);
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      llvm::GlobalVariable* times = cg_.source_max_times(static_cast<int>(i));
      llvm::Value* own = cg_.worker0_slot(times);
      cg_.fs().worker = worker;
      llvm::Value* theirs = cg_.worker_slot(times);
      cg_.fs().worker = nullptr;
      llvm::Value* a = b.CreateLoad(cg_.i64(), own);
      llvm::Value* t = b.CreateLoad(cg_.i64(), theirs);
      b.CreateStore(b.CreateSelect(b.CreateICmpSGT(t, a), t, a), own);
      b.CreateStore(cg_.i64c(INT64_MIN), theirs);
    }
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->merge(cg_, worker);
    }
    b.CreateRetVoid();
    return fn;
  }

  //   void flow_merge_found(FlowContext* ctx, int32_t worker, int32_t part, int32_t parts) {
  //     <each operator's merge_found>
  //   }
  llvm::Function* merge_found_function() {
    auto& b = cg_.b();
    auto* type =
        llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.i32(), cg_.i32(), cg_.i32()}, false);
    llvm::Function* fn = cg_.begin_function("flow_merge_found", type);
    cg_.fs().ctx = fn->getArg(0);
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->merge_found(cg_, fn->getArg(1), fn->getArg(2), fn->getArg(3));
    }
    b.CreateRetVoid();
    return fn;
  }

  llvm::Function* snapshot_function() {
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.ptr()}, false);
    llvm::Function* fn = cg_.begin_function("flow_snapshot", type);
    cg_.fs().ctx = fn->getArg(0);
    llvm::Value* writer = fn->getArg(1);
    emit_global_snapshot(cg_, input_ended(), writer);
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      emit_global_snapshot(cg_, cg_.source_max_time(static_cast<int>(i)), writer);
      emit_global_snapshot(cg_, cg_.source_watermark(static_cast<int>(i)), writer);
      emit_global_snapshot(cg_, own_watermark(static_cast<int>(i)), writer);
    }
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->snapshot(cg_, writer);
    }
    b.CreateRetVoid();
    return fn;
  }

  llvm::Function* restore_function() {
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.ptr()}, false);
    llvm::Function* fn = cg_.begin_function("flow_restore", type);
    cg_.fs().ctx = fn->getArg(0);
    llvm::Value* reader = fn->getArg(1);
    // A checkpoint of a run that ended (an incremental run, LANGUAGE.md 13):
    // each source goes on from its own watermark, not from the +infinity
    // the end of input set; the windows that end fired stay fired (each
    // operator's own record of what it fired: lower_window.cpp,
    // lower_session.cpp).
    emit_global_restore(cg_, input_ended(), reader);
    llvm::Value* ended = b.CreateICmpNE(b.CreateLoad(cg_.i64(), input_ended()), cg_.i64c(0));
    b.CreateStore(cg_.i64c(0), input_ended());
    llvm::Value* lowest = nullptr;
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      const int index = static_cast<int>(i);
      emit_global_restore(cg_, cg_.source_max_time(index), reader);
      emit_global_restore(cg_, cg_.source_watermark(index), reader);
      emit_global_restore(cg_, own_watermark(index), reader);
      llvm::Value* wm = b.CreateLoad(cg_.i64(), cg_.source_watermark(index));
      wm = b.CreateSelect(ended, b.CreateLoad(cg_.i64(), own_watermark(index)), wm);
      b.CreateStore(wm, cg_.source_watermark(index));
      lowest = lowest ? b.CreateSelect(b.CreateICmpSLT(wm, lowest), wm, lowest) : wm;
    }
    if (lowest) b.CreateCall(cg_.runtime("flow_set_watermark"), {cg_.fs().ctx, lowest});
    settle_watermarks();
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->restore(cg_, reader);
    }
    b.CreateRet(b.CreateCall(cg_.runtime("flow_ckpt_ok"), {reader}));
    return fn;
  }

  // Keyed state per kafka partition (runtime/abi.h), one partition id at a time:
  //   int64_t flow_snapshot_partition(ctx, int64_t part, FlowCkptWriter* w) {
  //     int64_t slots = 0; <each partitioned operator's slots of part>; return slots; }
  //   int32_t flow_restore_partition(ctx, int64_t part, FlowCkptReader* r)
  //   void flow_drop_partition(ctx, int64_t part)
  // in stream order, like flow_snapshot. None without such state.
  void partition_functions() {
    if (!any_partitioned_) return;
    auto& b = cg_.b();
    auto begin = [&](const char* name, llvm::Type* result, bool stream) {
      std::vector<llvm::Type*> args = {cg_.ptr(), cg_.i64()};
      if (stream) args.push_back(cg_.ptr());
      llvm::Function* fn = cg_.begin_function(name, llvm::FunctionType::get(result, args, false));
      cg_.fs().ctx = fn->getArg(0);
      cg_.fs().arena = b.CreateCall(cg_.runtime("flow_scratch"), {cg_.fs().ctx});
      return fn;
    };
    snapshot_partition_ = begin("flow_snapshot_partition", cg_.i64(), true);
    llvm::Value* slots = cg_.entry_alloca(cg_.i64(), "slots");
    b.CreateStore(cg_.i64c(0), slots);
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) {
        op->snapshot_partition(cg_, snapshot_partition_->getArg(1), snapshot_partition_->getArg(2),
                               slots);
        partition_timers_ = partition_timers_ || op->partition_timers();
      }
    }
    b.CreateRet(b.CreateLoad(cg_.i64(), slots));

    restore_partition_ = begin("flow_restore_partition", cg_.i32(), true);
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream)
        op->restore_partition(cg_, restore_partition_->getArg(1), restore_partition_->getArg(2));
    }
    b.CreateRet(b.CreateCall(cg_.runtime("flow_ckpt_ok"), {restore_partition_->getArg(2)}));

    drop_partition_ = begin("flow_drop_partition", b.getVoidTy(), false);
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->drop_partition(cg_, drop_partition_->getArg(1));
    }
    b.CreateRetVoid();
  }

  // LANGUAGE.md 6.1: at the end of a batch each event-time source's
  // watermark becomes max(watermark, largest event time - delay); when every
  // source has ended it is +infinity. The runtime is told the smallest.
  // Each source's own watermark (the same rule without the +infinity) is
  // kept too: an incremental run goes on from it.
  void advance_watermarks(llvm::Value* final_batch) {
    auto& b = cg_.b();
    llvm::Value* is_final = b.CreateICmpNE(final_batch, cg_.i32c(0));
    b.CreateStore(b.CreateZExt(is_final, cg_.i64()), input_ended());
    llvm::Value* lowest = nullptr;
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      const plan::Source& s = p_.sources[i];
      if (s.event_time < 0) continue;
      int index = static_cast<int>(i);
      llvm::Value* max = b.CreateLoad(cg_.i64(), cg_.source_max_time(index));
      llvm::Value* wm_global = cg_.source_watermark(index);
      llvm::Value* wm = b.CreateLoad(cg_.i64(), wm_global);
      // max - delay, saturating at INT64_MIN ("no record yet" stays -infinity).
      llvm::Value* delay = cg_.duration(s.watermark);
      llvm::Value* room = b.CreateICmpSGE(max, b.CreateAdd(cg_.i64c(INT64_MIN), delay));
      llvm::Value* candidate = b.CreateSelect(room, b.CreateSub(max, delay), cg_.i64c(INT64_MIN));
      llvm::Value* next = b.CreateSelect(b.CreateICmpSGT(candidate, wm), candidate, wm);
      llvm::Value* own = b.CreateLoad(cg_.i64(), own_watermark(index));
      b.CreateStore(b.CreateSelect(b.CreateICmpSGT(candidate, own), candidate, own),
                    own_watermark(index));
      // At the end of input, and for a source that has ended: +infinity
      // (an ended source no longer holds back a union or a join).
      llvm::Value* ended = b.CreateICmpNE(
          b.CreateCall(cg_.runtime("flow_source_ended"), {cg_.fs().ctx, cg_.i32c(index)}),
          cg_.i32c(0));
      next = b.CreateSelect(b.CreateOr(is_final, ended), cg_.i64c(INT64_MAX), next);
      b.CreateStore(next, wm_global);
      lowest = lowest ? b.CreateSelect(b.CreateICmpSLT(next, lowest), next, lowest) : next;
    }
    if (lowest) b.CreateCall(cg_.runtime("flow_set_watermark"), {cg_.fs().ctx, lowest});
  }

  // 1 after a batch that ended the input (end_batch's `final`), else 0.
  llvm::GlobalVariable* input_ended() {
    if (!input_ended_) {
      input_ended_ =
          new llvm::GlobalVariable(cg_.module(), cg_.i64(), false,
                                   llvm::GlobalValue::InternalLinkage, cg_.i64c(0), "input_ended");
    }
    return input_ended_;
  }

  // A source's watermark as its records alone move it: never the
  // +infinity of the end of input or of the source's own end.
  llvm::GlobalVariable* own_watermark(int source) {
    llvm::GlobalVariable*& g = own_watermarks_[source];
    if (!g) {
      g = new llvm::GlobalVariable(cg_.module(), cg_.i64(), false,
                                   llvm::GlobalValue::InternalLinkage, cg_.i64c(INT64_MIN),
                                   "source." + p_.sources[source].name + ".own_watermark");
    }
    return g;
  }

  // The watermarks the next batch's rows are late against are those this
  // batch ended with (codegen/time.h): set once every window has fired.
  void settle_watermarks() {
    auto& b = cg_.b();
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      int index = static_cast<int>(i);
      b.CreateStore(b.CreateLoad(cg_.i64(), cg_.source_watermark(index)),
                    cg_.source_watermark_at_start(index));
    }
  }

  // A private global array of `items`; null when there are none.
  llvm::GlobalVariable* global_array(llvm::Type* element, const std::vector<llvm::Constant*>& items,
                                     const std::string& name, bool constant = true) {
    if (items.empty()) return nullptr;
    auto* type = llvm::ArrayType::get(element, items.size());
    return new llvm::GlobalVariable(cg_.module(), type, constant, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, items), name);
  }

  llvm::Constant* or_null(llvm::GlobalVariable* g) {
    return g ? static_cast<llvm::Constant*>(g) : llvm::ConstantPointerNull::get(cg_.ptr());
  }
  llvm::Constant* or_null_fn(llvm::Function* f) {
    return f ? static_cast<llvm::Constant*>(f) : llvm::ConstantPointerNull::get(cg_.ptr());
  }

  llvm::Constant* columns(const plan::Schema& schema, const std::string& name) {
    std::vector<llvm::Constant*> items;
    for (const plan::Field& f : schema.fields) {
      items.push_back(AbiConstant(cg_, "FlowColumn")
                          .set(offsetof(FlowColumn, name), cg_.cstring(f.name))
                          .set(offsetof(FlowColumn, type), cg_.i32c(flow_type(f.type)))
                          .get());
    }
    return or_null(global_array(cg_.abi_type("FlowColumn"), items, name));
  }

  // NAME, VALUE, ... as a private array of C strings (kafka options);
  // writable when configure sets values that read params. Kept in `made`.
  // `extra` pairs follow the connector's (configure indexes those).
  llvm::Constant* options(const plan::Connector& c, const std::string& name,
                          std::vector<llvm::GlobalVariable*>& made,
                          const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    std::vector<llvm::Constant*> items;
    for (const auto& [key, value] : c.kafka) {
      items.push_back(cg_.cstring(key));
      items.push_back(cg_.cstring(value));
    }
    for (const auto& [key, value] : extra) {
      items.push_back(cg_.cstring(key));
      items.push_back(cg_.cstring(value));
    }
    made.push_back(global_array(cg_.ptr(), items, name, c.param_args.empty()));
    return or_null(made.back());
  }

  static int32_t format_code(plan::FormatKind k) {
    switch (k) {
      case plan::FormatKind::Csv: return FLOW_FORMAT_CSV;
      case plan::FormatKind::Json: return FLOW_FORMAT_JSON;
      case plan::FormatKind::Lines: return FLOW_FORMAT_LINES;
      case plan::FormatKind::Regex: return FLOW_FORMAT_REGEX;
      case plan::FormatKind::Table: return FLOW_FORMAT_TABLE;
      case plan::FormatKind::Default: return FLOW_FORMAT_DEFAULT;
    }
    return FLOW_FORMAT_DEFAULT;
  }

  static int32_t flow_type(plan::Type t) {
    switch (t) {
      case plan::Type::Bool: return FLOW_TYPE_BOOL;
      case plan::Type::Int: return FLOW_TYPE_INT;
      case plan::Type::Float: return FLOW_TYPE_FLOAT;
      case plan::Type::String: return FLOW_TYPE_STRING;
      case plan::Type::Timestamp: return FLOW_TYPE_TIMESTAMP;
    }
    return FLOW_TYPE_INT;
  }

  static int32_t source_kind(plan::ConnectorKind k) {
    switch (k) {
      case plan::ConnectorKind::Stdin: return FLOW_SOURCE_STDIN;
      case plan::ConnectorKind::Socket: return FLOW_SOURCE_SOCKET;
      case plan::ConnectorKind::Generate: return FLOW_SOURCE_GENERATE;
      case plan::ConnectorKind::Kafka: return FLOW_SOURCE_KAFKA;
      case plan::ConnectorKind::Dir: return FLOW_SOURCE_DIR;
      default: return FLOW_SOURCE_FILE;
    }
  }

  static int32_t sink_kind(plan::ConnectorKind k) {
    switch (k) {
      case plan::ConnectorKind::Stdout: return FLOW_SINK_STDOUT;
      case plan::ConnectorKind::Kafka: return FLOW_SINK_KAFKA;
      default: return FLOW_SINK_FILE;
    }
  }

  static int32_t on_error_code(plan::OnError e) {
    switch (e) {
      case plan::OnError::Skip: return FLOW_ON_ERROR_SKIP;
      case plan::OnError::Fail: return FLOW_ON_ERROR_FAIL;
      case plan::OnError::DeadLetter: return FLOW_ON_ERROR_DEAD_LETTER;
    }
    return FLOW_ON_ERROR_SKIP;
  }

  // What a source's and a table's descriptors share: their text input.
  AbiConstant source_desc(const plan::Source& s, const std::string& columns_name) {
    AbiConstant d(cg_, "FlowSourceDesc");
    d.set(offsetof(FlowSourceDesc, name), cg_.cstring(s.name))
        .set(offsetof(FlowSourceDesc, format), cg_.i32c(format_code(s.format.kind)))
        .set(offsetof(FlowSourceDesc, path), cg_.cstring(s.connector.path))
        .set(offsetof(FlowSourceDesc, csv_header), cg_.i32c(s.format.header))
        .set(offsetof(FlowSourceDesc, csv_delimiter),
             cg_.i32c(static_cast<unsigned char>(s.format.delimiter)))
        .set(offsetof(FlowSourceDesc, timestamp_unit), cg_.i32c(s.format.timestamp_unit))
        .set(offsetof(FlowSourceDesc, regex), cg_.cstring(s.format.pattern))
        .set(offsetof(FlowSourceDesc, fields), columns(s.schema, columns_name))
        .set(offsetof(FlowSourceDesc, field_count),
             cg_.i32c(static_cast<int>(s.schema.fields.size())));
    return d;
  }

  // The FlowPipeline global and everything it points to.
  void descriptors(const std::vector<llvm::Function*>& sources, llvm::Function* end_batch,
                   llvm::Function* snapshot, llvm::Function* restore) {
    llvm::Constant* null = llvm::ConstantPointerNull::get(cg_.ptr());
    ConfigureTargets configure;
    std::vector<llvm::Constant*> source_items;
    const std::vector<bool> partitioned = plan::sources_with_partitioned_state(p_);
    for (size_t k = 0; k < p_.sources.size(); ++k) {
      const plan::Source& s = p_.sources[k];
      const bool generate = s.connector.kind == plan::ConnectorKind::Generate;
      // The changelog of a source whose partitions keyed state follows:
      // its `changelog` argument is among the options, else the default.
      std::vector<std::pair<std::string, std::string>> extra;
      if (partitioned[k] && !s.connector.kafka.count("changelog")) {
        extra.emplace_back("changelog", plan::changelog_topic(p_, s));
      }
      AbiConstant d = source_desc(s, "columns." + s.name);
      d.set(offsetof(FlowSourceDesc, kind), cg_.i32c(source_kind(s.connector.kind)))
          .set(offsetof(FlowSourceDesc, follow), cg_.i32c(s.connector.follow))
          .set(offsetof(FlowSourceDesc, pattern), cg_.cstring(s.connector.pattern))
          .set(offsetof(FlowSourceDesc, gen_count), cg_.i64c(s.connector.count))
          .set(offsetof(FlowSourceDesc, gen_rate), cg_.i64c(s.connector.rate))
          .set(offsetof(FlowSourceDesc, gen_start), cg_.i64c(s.connector.start))
          .set(offsetof(FlowSourceDesc, gen_step), cg_.i64c(s.connector.step))
          .set(offsetof(FlowSourceDesc, on_error), cg_.i32c(on_error_code(s.on_error)))
          .set(offsetof(FlowSourceDesc, dead_letter_path),
               s.dead_letter ? cg_.cstring(s.dead_letter->path) : null)
          .set(generate ? offsetof(FlowSourceDesc, generate) : offsetof(FlowSourceDesc, process),
               sources[k])
          .set(offsetof(FlowSourceDesc, options),
               options(s.connector, "options." + s.name, configure.source_options, extra))
          .set(offsetof(FlowSourceDesc, option_count),
               cg_.i32c(static_cast<int>(s.connector.kafka.size() + extra.size())))
          .set(offsetof(FlowSourceDesc, partitioned_state),
               cg_.i32c(partitioned[k] && any_partitioned_ ? 1 : 0))
          .set(offsetof(FlowSourceDesc, max_event_time),
               s.event_time >= 0 ? cg_.worker0_slot(cg_.source_max_times(static_cast<int>(k)))
                                 : null)
          .set(offsetof(FlowSourceDesc, watermark),
               s.event_time >= 0 ? cg_.source_watermark(static_cast<int>(k)) : null)
          .set(offsetof(FlowSourceDesc, parallel), cg_.i32c(source_parallel(k) ? 1 : 0));
      source_items.push_back(d.get());
    }
    for (size_t t = 0; t < p_.tables.size(); ++t) {
      AbiConstant d = source_desc(table_sources_[t], "columns.table." + table_sources_[t].name);
      d.set(offsetof(FlowSourceDesc, kind),
            cg_.i32c(static_cast<int>(FLOW_SOURCE_FILE) | FLOW_SOURCE_TABLE_BIT))
          .set(offsetof(FlowSourceDesc, gen_step), cg_.i64c(1))
          .set(offsetof(FlowSourceDesc, process), sources[p_.sources.size() + t]);
      source_items.push_back(d.get());
    }
    std::vector<llvm::Constant*> sink_items;
    for (size_t k = 0; k < p_.sinks.size(); ++k) {
      const plan::Sink& s = p_.sinks[k];
      const std::string n = std::to_string(k);
      sink_items.push_back(
          AbiConstant(cg_, "FlowSinkDesc")
              .set(offsetof(FlowSinkDesc, name), cg_.cstring(s.input_name))
              .set(offsetof(FlowSinkDesc, kind), cg_.i32c(sink_kind(s.connector.kind)))
              .set(offsetof(FlowSinkDesc, format), cg_.i32c(format_code(s.format.kind)))
              .set(offsetof(FlowSinkDesc, path), cg_.cstring(s.connector.path))
              .set(offsetof(FlowSinkDesc, columns), columns(s.columns, "columns.sink" + n))
              .set(offsetof(FlowSinkDesc, column_count),
                   cg_.i32c(static_cast<int>(s.columns.fields.size())))
              .set(offsetof(FlowSinkDesc, options),
                   options(s.connector, "options.sink" + n, configure.sink_options))
              .set(offsetof(FlowSinkDesc, option_count),
                   cg_.i32c(static_cast<int>(s.connector.kafka.size())))
              .set(offsetof(FlowSinkDesc, has_key), cg_.i32c(s.key ? 1 : 0))
              .set(offsetof(FlowSinkDesc, csv_header), cg_.i32c(s.format.header))
              .set(offsetof(FlowSinkDesc, csv_delimiter),
                   cg_.i32c(static_cast<unsigned char>(s.format.delimiter)))
              .get());
    }
    std::vector<llvm::Constant*> param_items;
    for (size_t k = 0; k < p_.params.size(); ++k) {
      const plan::Param& param = p_.params[k];
      param_items.push_back(
          AbiConstant(cg_, "FlowParamDesc")
              .set(offsetof(FlowParamDesc, name), cg_.cstring(param.name))
              .set(offsetof(FlowParamDesc, type),
                   cg_.i32c(param.duration ? FLOW_TYPE_DURATION : flow_type(param.type)))
              .set(offsetof(FlowParamDesc, slot), cg_.param_slot(static_cast<int>(k)))
              .set(offsetof(FlowParamDesc, fixed),
                   options_.fold_params || param.fixed_reason.empty()
                       ? null
                       : cg_.cstring(param.fixed_reason))
              .get());
    }
    llvm::GlobalVariable* source_array = nullptr;
    if (!source_items.empty()) {
      source_array = cg_.source_descriptors();
      auto* type = llvm::cast<llvm::ArrayType>(source_array->getValueType());
      source_array->setInitializer(llvm::ConstantArray::get(type, source_items));
    }
    auto* sink_array = global_array(cg_.abi_type("FlowSinkDesc"), sink_items, "sinks", false);
    auto* param_array = global_array(cg_.abi_type("FlowParamDesc"), param_items, "params");
    const std::string plan_text =
        options_.plan_text.empty() ? pipeline_plan_text(p_) : options_.plan_text;
    // configure (built programs) writes into flow_pipeline, which points to
    // configure: the global first, its value last.
    auto* pipeline_type = cg_.abi_type("FlowPipeline");
    auto* pipeline_global =
        new llvm::GlobalVariable(cg_.module(), pipeline_type, false,
                                 llvm::GlobalValue::ExternalLinkage, nullptr, "flow_pipeline");
    configure.sources = source_array;
    configure.sinks = sink_array;
    configure.pipeline = pipeline_global;
    llvm::Function* configure_fn = make_configure(cg_, configure);
    // Metrics: the streams' names and the keyed-state tables of each.
    std::vector<llvm::Constant*> stream_names, state_tables;
    for (const plan::Stream& s : p_.streams) stream_names.push_back(cg_.cstring(s.name));
    for (const auto& [stream, table, parts] : cg_.state_tables()) {
      state_tables.push_back(AbiConstant(cg_, "FlowStateTable")
                                 .set(offsetof(FlowStateTable, stream), cg_.i32c(stream))
                                 .set(offsetof(FlowStateTable, table), table)
                                 .set(offsetof(FlowStateTable, parts), cg_.i32c(parts))
                                 .get());
    }
    AbiConstant pipeline(cg_, "FlowPipeline");
    pipeline.set(offsetof(FlowPipeline, name), cg_.cstring(p_.name))
        .set(offsetof(FlowPipeline, params), or_null(param_array))
        .set(offsetof(FlowPipeline, param_count), cg_.i32c(static_cast<int>(p_.params.size())))
        .set(offsetof(FlowPipeline, batch_ms), cg_.i64c(p_.batch.ms))
        .set(offsetof(FlowPipeline, sources), or_null(source_array))
        .set(offsetof(FlowPipeline, source_count), cg_.i32c(static_cast<int>(source_items.size())))
        .set(offsetof(FlowPipeline, sinks), or_null(sink_array))
        .set(offsetof(FlowPipeline, sink_count), cg_.i32c(static_cast<int>(p_.sinks.size())))
        .set(offsetof(FlowPipeline, end_batch), end_batch)
        .set(offsetof(FlowPipeline, fingerprint),
             cg_.i64c(static_cast<int64_t>(plan_text_fingerprint(plan_text))))
        .set(offsetof(FlowPipeline, snapshot), snapshot)
        .set(offsetof(FlowPipeline, restore), restore)
        .set(offsetof(FlowPipeline, checkpoint_dir),
             p_.checkpoint ? cg_.cstring(p_.checkpoint->dir) : null)
        .set(offsetof(FlowPipeline, checkpoint_every_ms),
             cg_.i64c(p_.checkpoint && p_.checkpoint->every ? p_.checkpoint->every->ms : 0))
        .set(offsetof(FlowPipeline, plan_text), cg_.cstring(plan_text))
        .set(offsetof(FlowPipeline, configure),
             configure_fn ? static_cast<llvm::Constant*>(configure_fn) : null)
        .set(offsetof(FlowPipeline, streams),
             or_null(global_array(cg_.ptr(), stream_names, "streams")))
        .set(offsetof(FlowPipeline, stream_count), cg_.i32c(static_cast<int>(stream_names.size())))
        .set(offsetof(FlowPipeline, state_tables),
             or_null(global_array(cg_.abi_type("FlowStateTable"), state_tables, "state_tables")))
        .set(offsetof(FlowPipeline, state_table_count),
             cg_.i32c(static_cast<int>(state_tables.size())))
        .set(offsetof(FlowPipeline, snapshot_partition), or_null_fn(snapshot_partition_))
        .set(offsetof(FlowPipeline, restore_partition), or_null_fn(restore_partition_))
        .set(offsetof(FlowPipeline, drop_partition), or_null_fn(drop_partition_))
        .set(offsetof(FlowPipeline, partition_timers), cg_.i32c(partition_timers_ ? 1 : 0))
        .set(offsetof(FlowPipeline, merge), or_null_fn(merge_))
        .set(offsetof(FlowPipeline, merge_found), or_null_fn(merge_found_));
    pipeline_global->setInitializer(pipeline.get());
    pipeline_global->setConstant(configure_fn == nullptr);
  }

  //   int main(int argc, char** argv) { return flow_runtime_main(&flow_pipeline, argc, argv); }
  void main_function() {
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.i32(), cg_.ptr()}, false);
    llvm::Function* fn = cg_.begin_function("main", type, true);
    llvm::Value* pipeline = cg_.module().getNamedGlobal("flow_pipeline");
    b.CreateRet(b.CreateCall(cg_.runtime("flow_runtime_main"), {pipeline, fn->getArg(0), fn->getArg(1)}));
  }

  const plan::Pipeline& p_;
  CgContext cg_;
  const CodegenOptions& options_;
  std::vector<OperatorPtr> ops_;
  std::vector<OperatorPtr> source_outputs_;
  std::vector<plan::Source> table_sources_;
  std::vector<std::unique_ptr<LookupTable>> lookup_tables_;
  std::vector<OperatorPtr> table_loaders_;
  std::vector<std::vector<Operator*>> stage_ops_;  // per stream, in stage order
  std::vector<Operator*> stream_tails_;            // per stream: its readers' fan-out
  std::vector<EarlyFilter> early_filters_;         // per source
  llvm::GlobalVariable* input_ended_ = nullptr;
  std::map<int, llvm::GlobalVariable*> own_watermarks_;
  // Keyed state per kafka partition (partition_functions).
  bool any_partitioned_ = false;
  bool partition_timers_ = false;
  llvm::Function* snapshot_partition_ = nullptr;
  llvm::Function* restore_partition_ = nullptr;
  llvm::Function* drop_partition_ = nullptr;
  llvm::Function* merge_ = nullptr;        // flow_merge, or null
  llvm::Function* merge_found_ = nullptr;  // flow_merge_found, or null
};

}  // namespace

CodegenResult generate_pipeline(const plan::Pipeline& pipeline, llvm::Module& module,
                                const CodegenOptions& options) {
  PipelineBuilder builder(pipeline, module, options);
  return builder.build();
}

namespace {

// Lines of explain's text that say how a source's records are run, not
// what state they build: which threads run them (plan/threads.h) and
// whether the scan reads ahead for a join (plan/read_ahead.h). A new flowc
// may decide these differently for the same pipeline, and its checkpoints
// still hold the same state (keyed tables are written in key order), so
// they stay out of the fingerprint.
bool says_how_it_runs(std::string_view line) {
  return line.starts_with("  threads: ") || line.starts_with("  read ahead: ");
}

}  // namespace

std::string pipeline_plan_text(const plan::Pipeline& pipeline) {
  // The explain text without its header (name, batch, params).
  std::ostringstream text;
  plan::explain(pipeline, text);
  const std::string s = text.str();
  const size_t body = s.find("\n\n");
  std::string kept;
  for (size_t at = body == std::string::npos ? 0 : body + 2; at < s.size();) {
    size_t end = s.find('\n', at);
    end = end == std::string::npos ? s.size() : end + 1;
    const std::string_view line(s.data() + at, end - at);
    if (!says_how_it_runs(line)) kept += line;
    at = end;
  }
  return kept;
}

uint64_t plan_text_fingerprint(std::string_view plan_text) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : plan_text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace flowc::codegen
