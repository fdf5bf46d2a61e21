// The whole pipeline: operators wired source -> streams -> sinks, one fused
// function per source, the end_batch function, and the descriptors the
// runtime reads (runtime/abi.h).
#include <llvm/IR/Constants.h>

#include <map>
#include <sstream>

#include "codegen/checkpoint.h"
#include "codegen/codegen.h"
#include "codegen/lookup_table.h"
#include "codegen/operator.h"
#include "codegen/scan.h"
#include "plan/explain.h"

namespace flowc::codegen {

namespace {

// The first plan feature that has no lowering yet, or "".
std::string unsupported_feature(const plan::Pipeline& p) {
  return "";
}

class PipelineBuilder {
 public:
  PipelineBuilder(const plan::Pipeline& p, llvm::Module& m, const CodegenOptions& options)
      : p_(p), cg_(m, p, options.fold_params), options_(options) {}

  CodegenResult build() {
    CodegenResult result;
    result.error = unsupported_feature(p_);
    if (!result.error.empty()) {
      result.error += " cannot be compiled yet";
      return result;
    }
    make_tables();
    wire_operators();
    std::vector<llvm::Function*> sources;
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      sources.push_back(lower_source(cg_, p_.sources[i], static_cast<int>(i), source_outputs_[i].get(),
                                     early_filters_[i]));
    }
    for (size_t t = 0; t < p_.tables.size(); ++t) {
      int index = static_cast<int>(p_.sources.size() + t);
      sources.push_back(lower_source(cg_, table_sources_[t], index, table_loaders_[t].get()));
    }
    llvm::Function* end_batch = end_batch_function();
    llvm::Function* snapshot = snapshot_function();
    llvm::Function* restore = restore_function();
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

  // Whether the rows reaching stage `k` of stream `s` are source records
  // that carry their event time (no aggregate or update before them).
  bool carries_event_time(size_t s, size_t k) const {
    const plan::Stream& stream = p_.streams[s];
    if (stream.root_source < 0 || p_.sources[stream.root_source].event_time < 0) return false;
    for (size_t j = 0; j < k; ++j) {
      plan::StageKind kind = stream.stages[j].kind;
      if (kind == plan::StageKind::Aggregate || kind == plan::StageKind::Update) return false;
    }
    if (stream.input.kind == plan::Input::Stream) {
      return carries_event_time(stream.input.index, p_.streams[stream.input.index].stages.size());
    }
    return true;
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
    for (size_t s = p_.streams.size(); s-- > 0;) {
      const plan::Stream& stream = p_.streams[s];
      ops_.push_back(make_fanout(stream_readers[s]));
      Operator* next = ops_.back().get();
      stream_tails_[s] = next;
      for (size_t k = stream.stages.size(); k-- > 0;) {
        const plan::Stage& st = stream.stages[k];
        switch (st.kind) {
          case plan::StageKind::Where: ops_.push_back(make_where(st, next)); break;
          case plan::StageKind::Select: ops_.push_back(make_select(st, next)); break;
          case plan::StageKind::Explode: ops_.push_back(make_explode(st, next)); break;
          case plan::StageKind::Aggregate:
            ops_.push_back(!st.window ? make_aggregate(st, stream.root_source, next)
                           : st.window->kind == plan::WindowKind::Session
                               ? make_session(st, stream.root_source, next)
                               : make_window(st, stream.root_source, next));
            break;
          case plan::StageKind::Join:
            ops_.push_back(make_join(st, *lookup_tables_[st.table], next));
            break;
          case plan::StageKind::Update:
            ops_.push_back(make_update(st, stream.root_source, carries_event_time(s, k), next));
            break;
        }
        next = ops_.back().get();
        stage_ops_[s].insert(stage_ops_[s].begin(), next);
      }
      const plan::Input& in = stream.input;
      (in.kind == plan::Input::Source ? source_readers : stream_readers)[in.index].push_back(next);
    }
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      source_outputs_.push_back(make_fanout(source_readers[i]));
    }
    // A source read by one stream that starts with `where`: the scan runs it.
    early_filters_.resize(p_.sources.size());
    for (size_t s = 0; s < p_.streams.size(); ++s) {
      const plan::Stream& stream = p_.streams[s];
      if (stream.input.kind != plan::Input::Source || source_readers[stream.input.index].size() != 1 ||
          stream.stages.empty() || stream.stages[0].kind != plan::StageKind::Where) {
        continue;
      }
      Operator* after = stage_ops_[s].size() > 1 ? stage_ops_[s][1] : stream_tails_[s];
      early_filters_[stream.input.index] = EarlyFilter{stream.stages[0].predicate.get(), after};
    }
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
    b.CreateBr(done);
    b.SetInsertPoint(done);
    b.CreateRetVoid();
    return fn;
  }

  //   void flow_snapshot(FlowContext* ctx, FlowCkptWriter* w) {
  //     <each event-time source's max time and watermark>
  //     <each stateful operator's state, upstream streams first>
  //   }
  // flow_restore reads the same values back in the same order.
  llvm::Function* snapshot_function() {
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr(), cg_.ptr()}, false);
    llvm::Function* fn = cg_.begin_function("flow_snapshot", type);
    cg_.fs().ctx = fn->getArg(0);
    llvm::Value* writer = fn->getArg(1);
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      emit_global_snapshot(cg_, cg_.source_max_time(static_cast<int>(i)), writer);
      emit_global_snapshot(cg_, cg_.source_watermark(static_cast<int>(i)), writer);
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
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      if (p_.sources[i].event_time < 0) continue;
      emit_global_restore(cg_, cg_.source_max_time(static_cast<int>(i)), reader);
      emit_global_restore(cg_, cg_.source_watermark(static_cast<int>(i)), reader);
    }
    for (const std::vector<Operator*>& stream : stage_ops_) {
      for (Operator* op : stream) op->restore(cg_, reader);
    }
    b.CreateRet(b.CreateCall(cg_.runtime("flow_ckpt_ok"), {reader}));
    return fn;
  }

  // LANGUAGE.md 6.1: at the end of a batch each event-time source's
  // watermark becomes max(watermark, largest event time - delay); when every
  // source has ended it is +infinity. The runtime is told the smallest.
  void advance_watermarks(llvm::Value* final_batch) {
    auto& b = cg_.b();
    llvm::Value* is_final = b.CreateICmpNE(final_batch, cg_.i32c(0));
    llvm::Value* lowest = nullptr;
    for (size_t i = 0; i < p_.sources.size(); ++i) {
      const plan::Source& s = p_.sources[i];
      if (s.event_time < 0) continue;
      int index = static_cast<int>(i);
      llvm::Value* max = b.CreateLoad(cg_.i64(), cg_.source_max_time(index));
      llvm::Value* wm_global = cg_.source_watermark(index);
      llvm::Value* wm = b.CreateLoad(cg_.i64(), wm_global);
      // max - delay, saturating at INT64_MIN ("no record yet" stays -infinity).
      llvm::Value* room = b.CreateICmpSGE(max, cg_.i64c(INT64_MIN + s.watermark_ms));
      llvm::Value* candidate = b.CreateSelect(room, b.CreateSub(max, cg_.i64c(s.watermark_ms)), cg_.i64c(INT64_MIN));
      llvm::Value* next = b.CreateSelect(b.CreateICmpSGT(candidate, wm), candidate, wm);
      next = b.CreateSelect(is_final, cg_.i64c(INT64_MAX), next);
      b.CreateStore(next, wm_global);
      lowest = lowest ? b.CreateSelect(b.CreateICmpSLT(next, lowest), next, lowest) : next;
    }
    if (lowest) b.CreateCall(cg_.runtime("flow_set_watermark"), {cg_.fs().ctx, lowest});
  }

  llvm::Constant* global_array(llvm::Type* element, const std::vector<llvm::Constant*>& items,
                               const std::string& name, bool constant = true) {
    if (items.empty()) return llvm::ConstantPointerNull::get(cg_.ptr());
    auto* type = llvm::ArrayType::get(element, items.size());
    return new llvm::GlobalVariable(cg_.module(), type, constant, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, items), name);
  }

  //   void flow_configure(FlowContext* ctx) {
  //     sources[0].path = param.input.ptr; sources[1].gen_count = param.rows; ...
  //   }
  // Built programs only: JIT runs fold --param values into the descriptors.
  llvm::Constant* configure_function(llvm::Constant* sources, llvm::StructType* source_type,
                                     llvm::Constant* sinks, llvm::StructType* sink_type) {
    llvm::Constant* null = llvm::ConstantPointerNull::get(cg_.ptr());
    if (options_.fold_params) return null;
    // FlowSourceDesc / FlowSinkDesc field numbers (runtime/abi.h).
    static const std::map<std::string, unsigned> kSourceFields = {
        {"path", 3}, {"address", 3}, {"follow", 4}, {"count", 11}, {"rate", 12}, {"start", 13}, {"step", 14}};
    bool any = false;
    for (const plan::Source& src : p_.sources) any = any || !src.connector.param_args.empty();
    for (const plan::Sink& sink : p_.sinks) any = any || !sink.connector.param_args.empty();
    if (!any) return null;
    auto& b = cg_.b();
    auto* type = llvm::FunctionType::get(b.getVoidTy(), {cg_.ptr()}, false);
    llvm::Function* fn = cg_.begin_function("flow_configure", type);
    auto set = [&](llvm::Constant* array, llvm::StructType* element, size_t index, unsigned field,
                   int param) {
      const plan::Param& p = p_.params[param];
      llvm::Value* at = b.CreateStructGEP(element, b.CreateConstInBoundsGEP1_64(element, array, index), field);
      llvm::Value* slot = cg_.param_slot(param);
      llvm::Value* v;
      if (p.type == plan::Type::String) {
        // Strings set by --param are kept NUL-terminated by the runtime.
        v = b.CreateLoad(cg_.ptr(), b.CreateStructGEP(cg_.str_type(), slot, 0));
      } else if (p.type == plan::Type::Bool) {
        v = b.CreateZExt(b.CreateLoad(cg_.i8(), slot), cg_.i32());
      } else {
        v = b.CreateLoad(cg_.i64(), slot);
      }
      b.CreateStore(v, at);
    };
    for (size_t k = 0; k < p_.sources.size(); ++k) {
      for (const auto& [arg, param] : p_.sources[k].connector.param_args) {
        auto field = kSourceFields.find(arg);
        if (field != kSourceFields.end()) set(sources, source_type, k, field->second, param);
      }
    }
    for (size_t k = 0; k < p_.sinks.size(); ++k) {
      auto path = p_.sinks[k].connector.param_args.find("path");
      if (path != p_.sinks[k].connector.param_args.end()) set(sinks, sink_type, k, 3, path->second);
    }
    b.CreateRetVoid();
    return fn;
  }

  llvm::Constant* columns(const plan::Schema& schema, const std::string& name) {
    auto* column = llvm::StructType::get(cg_.llvm(), {cg_.ptr(), cg_.i32()});
    std::vector<llvm::Constant*> items;
    for (const plan::Field& f : schema.fields) {
      items.push_back(llvm::ConstantStruct::get(column, {cg_.cstring(f.name), cg_.i32c(static_cast<int>(f.type))}));
    }
    return global_array(column, items, name);
  }

  // NAME, VALUE, ... as a private array of C strings (kafka options).
  llvm::Constant* options(const plan::Connector& c, const std::string& name) {
    std::vector<llvm::Constant*> items;
    for (const auto& [key, value] : c.kafka) {
      items.push_back(cg_.cstring(key));
      items.push_back(cg_.cstring(value));
    }
    return global_array(cg_.ptr(), items, name);
  }

  static int format_code(plan::FormatKind k) {
    switch (k) {
      case plan::FormatKind::Csv: return 0;
      case plan::FormatKind::Json: return 1;
      case plan::FormatKind::Lines: return 2;
      case plan::FormatKind::Regex: return 3;
      case plan::FormatKind::Table: return 4;
      case plan::FormatKind::Default: return 5;
    }
    return 5;
  }

  // The FlowPipeline global and everything it points to.
  void descriptors(const std::vector<llvm::Function*>& sources, llvm::Function* end_batch,
                   llvm::Function* snapshot, llvm::Function* restore) {
    llvm::Type* p = cg_.ptr();
    llvm::Type* i = cg_.i32();
    llvm::Type* l = cg_.i64();
    llvm::Constant* null = llvm::ConstantPointerNull::get(cg_.ptr());
    auto* source_type = llvm::StructType::get(
        cg_.llvm(), {p, i, i, p, i, i, i, i, p, p, i, l, l, l, l, i, p, p, p, p, i, p, p});
    std::vector<llvm::Constant*> source_items;
    for (size_t k = 0; k < p_.sources.size(); ++k) {
      const plan::Source& s = p_.sources[k];
      int kind = 0;
      switch (s.connector.kind) {
        case plan::ConnectorKind::Stdin: kind = 1; break;
        case plan::ConnectorKind::Socket: kind = 2; break;
        case plan::ConnectorKind::Generate: kind = 3; break;
        case plan::ConnectorKind::Kafka: kind = 4; break;
        default: kind = 0;
      }
      bool generate = s.connector.kind == plan::ConnectorKind::Generate;
      source_items.push_back(llvm::ConstantStruct::get(
          source_type,
          {cg_.cstring(s.name), cg_.i32c(kind), cg_.i32c(format_code(s.format.kind)),
           cg_.cstring(s.connector.path), cg_.i32c(s.connector.follow), cg_.i32c(s.format.header),
           cg_.i32c(static_cast<unsigned char>(s.format.delimiter)), cg_.i32c(s.format.timestamp_unit),
           cg_.cstring(s.format.pattern), columns(s.schema, "columns." + s.name),
           cg_.i32c(static_cast<int>(s.schema.fields.size())), cg_.i64c(s.connector.count),
           cg_.i64c(s.connector.rate), cg_.i64c(s.connector.start), cg_.i64c(s.connector.step),
           cg_.i32c(static_cast<int>(s.on_error)),
           s.dead_letter ? cg_.cstring(s.dead_letter->path) : null,
           generate ? null : sources[k], generate ? sources[k] : null,
           options(s.connector, "options." + s.name),
           cg_.i32c(static_cast<int>(s.connector.kafka.size())),
           s.event_time >= 0 ? cg_.source_max_time(static_cast<int>(k)) : null,
           s.event_time >= 0 ? cg_.source_watermark(static_cast<int>(k)) : null}));
    }
    for (size_t t = 0; t < p_.tables.size(); ++t) {
      const plan::Source& s = table_sources_[t];
      constexpr int kTableBit = 0x100;  // FLOW_SOURCE_TABLE_BIT, runtime/abi_ext.h
      source_items.push_back(llvm::ConstantStruct::get(
          source_type,
          {cg_.cstring(s.name), cg_.i32c(kTableBit), cg_.i32c(format_code(s.format.kind)),
           cg_.cstring(s.connector.path), cg_.i32c(0), cg_.i32c(s.format.header),
           cg_.i32c(static_cast<unsigned char>(s.format.delimiter)), cg_.i32c(s.format.timestamp_unit),
           cg_.cstring(s.format.pattern), columns(s.schema, "columns.table." + s.name),
           cg_.i32c(static_cast<int>(s.schema.fields.size())), cg_.i64c(0), cg_.i64c(0), cg_.i64c(0),
           cg_.i64c(1), cg_.i32c(0), null, sources[p_.sources.size() + t], null, null, cg_.i32c(0),
           null, null}));
    }
    auto* sink_type = llvm::StructType::get(cg_.llvm(), {p, i, i, p, p, i, p, i, i});
    std::vector<llvm::Constant*> sink_items;
    for (size_t k = 0; k < p_.sinks.size(); ++k) {
      const plan::Sink& s = p_.sinks[k];
      int kind = s.connector.kind == plan::ConnectorKind::Stdout ? 0
               : s.connector.kind == plan::ConnectorKind::Kafka  ? 2 : 1;
      sink_items.push_back(llvm::ConstantStruct::get(
          sink_type, {cg_.cstring(s.input_name), cg_.i32c(kind), cg_.i32c(format_code(s.format.kind)),
                      cg_.cstring(s.connector.path), columns(s.columns, "columns.sink" + std::to_string(k)),
                      cg_.i32c(static_cast<int>(s.columns.fields.size())),
                      options(s.connector, "options.sink" + std::to_string(k)),
                      cg_.i32c(static_cast<int>(s.connector.kafka.size())), cg_.i32c(s.key ? 1 : 0)}));
    }
    auto* param_type = llvm::StructType::get(cg_.llvm(), {p, i, p, i});
    std::vector<llvm::Constant*> param_items;
    for (size_t k = 0; k < p_.params.size(); ++k) {
      const plan::Param& param = p_.params[k];
      param_items.push_back(llvm::ConstantStruct::get(
          param_type, {cg_.cstring(param.name), cg_.i32c(static_cast<int>(param.type)),
                       cg_.param_slot(static_cast<int>(k)),
                       cg_.i32c(options_.fold_params ? 0 : param.fixed_at_compile_time)}));
    }
    llvm::Constant* source_array = global_array(source_type, source_items, "sources", false);
    llvm::Constant* sink_array = global_array(sink_type, sink_items, "sinks", false);
    llvm::Constant* configure = configure_function(source_array, source_type, sink_array, sink_type);
    const std::string plan_text =
        options_.plan_text.empty() ? pipeline_plan_text(p_) : options_.plan_text;
    // Metrics: the streams' names and the keyed-state tables of each.
    std::vector<llvm::Constant*> stream_names;
    for (const plan::Stream& s : p_.streams) stream_names.push_back(cg_.cstring(s.name));
    auto* table_type = llvm::StructType::get(cg_.llvm(), {i, p});
    std::vector<llvm::Constant*> table_items;
    for (const auto& [stream, table] : cg_.state_tables()) {
      table_items.push_back(llvm::ConstantStruct::get(table_type, {cg_.i32c(stream), table}));
    }
    auto* pipeline_type =
        llvm::StructType::get(cg_.llvm(), {p, p, i, l, p, i, p, i, p, l, p, p, p, l, p, p, p, i, p, i});
    llvm::Constant* pipeline = llvm::ConstantStruct::get(
        pipeline_type,
        {cg_.cstring(p_.name), global_array(param_type, param_items, "params"),
         cg_.i32c(static_cast<int>(p_.params.size())), cg_.i64c(p_.batch_ms),
         source_array, cg_.i32c(static_cast<int>(source_items.size())),
         sink_array, cg_.i32c(static_cast<int>(p_.sinks.size())),
         end_batch, cg_.i64c(static_cast<int64_t>(plan_text_fingerprint(plan_text))), snapshot, restore,
         p_.checkpoint ? cg_.cstring(p_.checkpoint->dir) : null,
         cg_.i64c(p_.checkpoint ? p_.checkpoint->every_ms.value_or(0) : 0),
         cg_.cstring(plan_text), configure, global_array(p, stream_names, "streams"),
         cg_.i32c(static_cast<int>(stream_names.size())),
         global_array(table_type, table_items, "state_tables"),
         cg_.i32c(static_cast<int>(table_items.size()))});
    new llvm::GlobalVariable(cg_.module(), pipeline_type, true, llvm::GlobalValue::ExternalLinkage,
                             pipeline, "flow_pipeline");
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
};

}  // namespace

CodegenResult generate_pipeline(const plan::Pipeline& pipeline, llvm::Module& module,
                                const CodegenOptions& options) {
  PipelineBuilder builder(pipeline, module, options);
  return builder.build();
}

std::string pipeline_plan_text(const plan::Pipeline& pipeline) {
  // The explain text without its header (name, batch, params).
  std::ostringstream text;
  plan::explain(pipeline, text);
  std::string s = text.str();
  size_t body = s.find("\n\n");
  return body == std::string::npos ? s : s.substr(body + 2);
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
