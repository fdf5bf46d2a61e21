// A built program's configure (codegen/configure.h):
//
//   int32_t flow_configure(FlowContext* ctx, int64_t batch_option_ms) {
//     param.constant.0 = <the default of field 'x', with the --param values>;
//     sources[0].path = flow_cstr_dup(<dir + "/in.csv">);  // checked non-empty
//     options.sink0[2*i+1] = flow_cstr_dup(<brokers>);     // kafka options
//     flow_pipeline.batch_ms = param.b;                    // batch b
//     batch = batch_option_ms > 0 ? batch_option_ms : flow_pipeline.batch_ms;
//     if (!flow_param_check_duration(ctx, "the window length ...", L, "the slide", S)) return 0;
//     ...
//     return 1;
//   }
//
// An expression that fails (1 // d with d = 0) or a value a check refuses
// calls flow_param_error and returns 0: the program exits 2, as `flowc run`
// does when the compiler refuses the same --param value.
#include "codegen/configure.h"

#include <map>

#include "abi.h"
#include "codegen/expr_codegen.h"
#include "plan/explain.h"

namespace flowc::codegen {

namespace {

using plan::Type;

class Configure {
 public:
  Configure(CgContext& cg, const ConfigureTargets& t)
      : cg_(cg), b_(cg.b()), p_(cg.pipeline()), t_(t) {}

  // Whether a built program has anything to configure.
  bool needed() const {
    if (cg_.fold_params()) return false;
    if (!cg_.param_constants().empty() || p_.batch.param >= 0) return true;
    if (p_.checkpoint && p_.checkpoint->every && p_.checkpoint->every->param >= 0) return true;
    auto reads_params = [](const plan::Connector& c) { return !c.param_args.empty(); };
    for (const plan::Source& s : p_.sources) {
      if (reads_params(s.connector) || !s.format.param_args.empty()) return true;
      if (s.dead_letter && reads_params(*s.dead_letter)) return true;
    }
    for (const plan::Table& t : p_.tables) {
      if (reads_params(t.connector) || !t.format.param_args.empty()) return true;
    }
    for (const plan::Sink& s : p_.sinks) {
      if (reads_params(s.connector) || !s.format.param_args.empty()) return true;
    }
    bool checks = false;
    for_each_duration_check([&](const plan::Stream&, const plan::Stage&) { checks = true; });
    return checks;
  }

  llvm::Function* build() {
    auto* type = llvm::FunctionType::get(cg_.i32(), {cg_.ptr(), cg_.i64()}, false);
    llvm::Function* fn = cg_.begin_function("flow_configure", type);
    FunctionState& fs = cg_.fs();
    fs.ctx = fn->getArg(0);
    fs.arena = b_.CreateCall(cg_.runtime("flow_scratch"), {fs.ctx});
    failed_ = llvm::BasicBlock::Create(cg_.llvm(), "configure.failed", fn);
    fs.next_record = failed_;
    fs.on_failure = [this](llvm::Value* msg, llvm::Value* len) {
      b_.CreateCall(cg_.runtime("flow_param_error"),
                    {cg_.fs().ctx, cg_.cstring(context_), msg, len});
    };

    // Schema defaults, initial values, generate's start and step.
    for (size_t i = 0; i < cg_.param_constants().size(); ++i) {
      CgContext::ParamConstant c = cg_.param_constants()[i];
      cg_.store_value(eval(c.expr, c.what), c.global);
    }
    llvm::StructType* source_type = cg_.abi_type("FlowSourceDesc");
    llvm::StructType* sink_type = cg_.abi_type("FlowSinkDesc");
    for (size_t k = 0; k < p_.sources.size(); ++k) {
      const plan::Source& s = p_.sources[k];
      llvm::Value* desc = element(t_.sources, k);
      connector(s.connector, "source '" + s.name + "'", source_type, desc,
                offsetof(FlowSourceDesc, path), t_.source_options[k]);
      format(s.format, "source '" + s.name + "'", source_type, desc);
      if (s.dead_letter) {
        connector(*s.dead_letter, "the dead letters of source '" + s.name + "'", source_type, desc,
                  offsetof(FlowSourceDesc, dead_letter_path), nullptr);
      }
    }
    for (size_t k = 0; k < p_.tables.size(); ++k) {
      const plan::Table& t = p_.tables[k];
      llvm::Value* desc = element(t_.sources, p_.sources.size() + k);
      connector(t.connector, "table '" + t.name + "'", source_type, desc,
                offsetof(FlowSourceDesc, path), nullptr);
      format(t.format, "table '" + t.name + "'", source_type, desc);
    }
    for (size_t k = 0; k < p_.sinks.size(); ++k) {
      const plan::Sink& s = p_.sinks[k];
      connector(s.connector, "the sink of '" + s.input_name + "'", sink_type, element(t_.sinks, k),
                offsetof(FlowSinkDesc, path), t_.sink_options[k]);
      format(s.format, "the sink of '" + s.input_name + "'", sink_type, element(t_.sinks, k));
    }
    durations();
    b_.CreateRet(cg_.i32c(1));
    b_.SetInsertPoint(failed_);
    b_.CreateRet(cg_.i32c(0));
    return fn;
  }

 private:
  // Calls `fn` for each stage whose durations configure checks: a window
  // or `expire after` that a param sets, and every processing-time window
  // (--batch may change the interval it must be a multiple of).
  void for_each_duration_check(
      const std::function<void(const plan::Stream&, const plan::Stage&)>& fn) const {
    for (const plan::Stream& stream : p_.streams) {
      for (const plan::Stage& st : stream.stages) {
        bool check = false;
        if (const auto* agg = st.as<plan::AggregateStage>(); agg && agg->window) {
          const plan::Window& w = *agg->window;
          bool fixed_length =
              w.kind == plan::WindowKind::Tumbling || w.kind == plan::WindowKind::Sliding;
          check = w.size.param >= 0 || w.slide.param >= 0 || (fixed_length && !st.clock.event_time);
        } else if (const auto* up = st.as<plan::UpdateStage>(); up && up->expire) {
          check = up->expire->param >= 0;
        }
        if (check) fn(stream, st);
      }
    }
  }

  llvm::Value* element(llvm::GlobalVariable* array, size_t index) {
    return b_.CreateConstInBoundsGEP2_64(array->getValueType(), array, 0, index);
  }

  // `e` with the params' run-time values; strings as NUL-terminated copies
  // that outlive this call. A failure reports "CONTEXT: reason".
  CgValue eval(const plan::ParamExpr& e, const std::string& context) {
    context_ = context + " = " + plan::expr_text(*e, plan::ExprNames{nullptr, nullptr, &p_.params});
    auto done = values_.find(e.get());
    if (done != values_.end()) return done->second;
    Row none;
    CgValue v = emit_expr(cg_, *e, ExprEnv{&none, {}});
    if (v.type == Type::String) v.v = b_.CreateCall(cg_.stdlib("flow_cstr_dup"), {v.v, v.len});
    values_[e.get()] = v;
    return v;
  }

  // Refuses the value just evaluated (context_) unless `ok` (i1).
  void check(llvm::Value* ok, const std::string& message) { require(cg_, ok, message); }

  llvm::Value* str_eq(const CgValue& v, const char* text) {
    std::string s = text;
    llvm::Value* eq =
        b_.CreateCall(cg_.stdlib("flow_str_eq"),
                      {v.v, v.len, cg_.cstring(s), cg_.i64c(static_cast<int64_t>(s.size()))});
    return b_.CreateICmpNE(eq, cg_.i32c(0));
  }

  void store_field(llvm::StructType* type, llvm::Value* desc, size_t offset, llvm::Value* v) {
    b_.CreateStore(v, cg_.abi_gep(type, desc, offset));
  }

  // The connector arguments that read params, checked as sema checks them
  // (declarations.cpp) and stored where the runtime reads them.
  void connector(const plan::Connector& c, const std::string& owner, llvm::StructType* type,
                 llvm::Value* desc, size_t path_offset, llvm::GlobalVariable* options) {
    for (const auto& [arg, expr] : c.param_args) {
      CgValue v = eval(expr, "argument '" + arg + "' of " + owner);
      if (c.kind == plan::ConnectorKind::Kafka) {
        if (arg == "start") {
          check(b_.CreateOr(str_eq(v, "earliest"), str_eq(v, "latest")),
                "'start' of 'kafka' must be \"earliest\" or \"latest\"");
        }
        size_t index = static_cast<size_t>(std::distance(c.kafka.begin(), c.kafka.find(arg)));
        b_.CreateStore(
            v.v, b_.CreateConstInBoundsGEP2_64(options->getValueType(), options, 0, 2 * index + 1));
        continue;
      }
      if (arg == "path" || arg == "address") {
        if (c.kind == plan::ConnectorKind::Socket) {
          llvm::Value* colon = b_.CreateCall(cg_.stdlib("flow_str_contains"),
                                             {v.v, v.len, cg_.cstring(":"), cg_.i64c(1)});
          check(b_.CreateICmpNE(colon, cg_.i32c(0)),
                "the address of 'socket' must be \"host:port\"");
        } else {
          const char* kind = c.kind == plan::ConnectorKind::Dir ? "dir" : "file";
          check(b_.CreateICmpSGT(v.len, cg_.i64c(0)),
                std::string("the path of '") + kind + "' is empty");
        }
        store_field(type, desc, path_offset, v.v);
      } else if (arg == "pattern") {
        llvm::Value* slash = b_.CreateCall(cg_.stdlib("flow_str_contains"),
                                           {v.v, v.len, cg_.cstring("/"), cg_.i64c(1)});
        check(b_.CreateICmpEQ(slash, cg_.i32c(0)),
              "the 'pattern' of 'dir' matches file names, which hold no '/'");
        store_field(type, desc, offsetof(FlowSourceDesc, pattern), v.v);
      } else if (arg == "follow") {
        store_field(type, desc, offsetof(FlowSourceDesc, follow), cg_.to_c_bool(v.v));
      } else if (arg == "count" || arg == "rate") {
        check(b_.CreateICmpSGE(v.v, cg_.i64c(0)), "'" + arg + "' of 'generate' cannot be negative");
        store_field(type, desc,
                    arg == "count" ? offsetof(FlowSourceDesc, gen_count)
                                   : offsetof(FlowSourceDesc, gen_rate),
                    v.v);
      } else if (arg == "start") {
        store_field(type, desc, offsetof(FlowSourceDesc, gen_start), v.v);
      } else if (arg == "step") {
        check(b_.CreateICmpSGT(v.v, cg_.i64c(0)), "'step' of 'generate' must be positive");
        store_field(type, desc, offsetof(FlowSourceDesc, gen_step), v.v);
      }
    }
  }

  // The format arguments that read params, into a source's, table's or
  // sink's descriptor (a source's scan reads them back from it:
  // lower_scan.cpp, format_options; a sink takes only header and
  // delimiter, sema refuses the rest).
  void format(const plan::Format& f, const std::string& owner, llvm::StructType* type,
              llvm::Value* desc) {
    const bool sink = type == cg_.abi_type("FlowSinkDesc");
    const size_t header =
        sink ? offsetof(FlowSinkDesc, csv_header) : offsetof(FlowSourceDesc, csv_header);
    const size_t delimiter =
        sink ? offsetof(FlowSinkDesc, csv_delimiter) : offsetof(FlowSourceDesc, csv_delimiter);
    for (const auto& [arg, expr] : f.param_args) {
      CgValue v = eval(expr, "argument '" + arg + "' of the format of " + owner);
      if (arg == "header") {
        store_field(type, desc, header, cg_.to_c_bool(v.v));
      } else if (arg == "delimiter") {
        llvm::Value* one = b_.CreateICmpEQ(v.len, cg_.i64c(1));
        llvm::Value* c = b_.CreateLoad(cg_.i8(), v.v);  // the NUL of "" when empty
        llvm::Value* ok = b_.CreateAnd(one, b_.CreateAnd(b_.CreateICmpNE(c, b_.getInt8('"')),
                                                         b_.CreateICmpNE(c, b_.getInt8('\n'))));
        check(ok, "the csv delimiter must be one character other than '\"' or a newline");
        store_field(type, desc, delimiter, b_.CreateZExt(c, cg_.i32()));
      } else if (arg == "timestamp_unit" && !sink) {
        llvm::Value* s = str_eq(v, "s");
        llvm::Value* us = str_eq(v, "us");
        check(b_.CreateOr(str_eq(v, "ms"), b_.CreateOr(s, us)),
              "'timestamp_unit' must be \"s\", \"ms\" or \"us\"");
        store_field(type, desc, offsetof(FlowSourceDesc, timestamp_unit),
                    b_.CreateSelect(s, cg_.i32c(1), b_.CreateSelect(us, cg_.i32c(2), cg_.i32c(0))));
      }
    }
  }

  // `what` for a duration in a message: "the slide of stream 'x' (param 's')".
  std::string what(const std::string& noun, const plan::Duration& d,
                   const std::string& stream = "") {
    std::string text = noun + (stream.empty() ? "" : " of stream '" + stream + "'");
    return d.param >= 0 ? text + " (param '" + p_.params[d.param].name + "')" : text;
  }

  // flow_param_check_duration: `ms` > 0 and a multiple of `of_ms` (> 0).
  void check_duration(const std::string& what, llvm::Value* ms, const std::string& of_what,
                      llvm::Value* of_ms) {
    llvm::Value* ok =
        b_.CreateCall(cg_.runtime("flow_param_check_duration"),
                      {cg_.fs().ctx, cg_.cstring(what), ms, cg_.cstring(of_what), of_ms});
    llvm::BasicBlock* next = llvm::BasicBlock::Create(cg_.llvm(), "configure.ok", cg_.fs().fn);
    b_.CreateCondBr(b_.CreateICmpNE(ok, cg_.i32c(0)), next, failed_);
    b_.SetInsertPoint(next);
  }

  // The batch and checkpoint intervals into FlowPipeline, and every
  // duration check (sema's, grouping.cpp and analyzer.cpp) on the values
  // this run has.
  void durations() {
    llvm::StructType* type = cg_.abi_type("FlowPipeline");
    if (p_.batch.param >= 0) {
      check_duration(what("the batch interval", p_.batch), cg_.duration(p_.batch), "", cg_.i64c(0));
      store_field(type, t_.pipeline, offsetof(FlowPipeline, batch_ms), cg_.duration(p_.batch));
    }
    if (p_.checkpoint && p_.checkpoint->every && p_.checkpoint->every->param >= 0) {
      const plan::Duration& every = *p_.checkpoint->every;
      check_duration(what("the checkpoint's 'every'", every), cg_.duration(every), "", cg_.i64c(0));
      store_field(type, t_.pipeline, offsetof(FlowPipeline, checkpoint_every_ms),
                  cg_.duration(every));
    }
    // The interval this run cuts batches by: --batch, else the pipeline's.
    llvm::Value* option = cg_.fs().fn->getArg(1);
    llvm::Value* batch =
        b_.CreateSelect(b_.CreateICmpSGT(option, cg_.i64c(0)), option, cg_.duration(p_.batch));
    for_each_duration_check([&](const plan::Stream& stream, const plan::Stage& st) {
      if (const auto* up = st.as<plan::UpdateStage>()) {
        check_duration(what("'expire after'", *up->expire, stream.name), cg_.duration(*up->expire),
                       "", cg_.i64c(0));
        return;
      }
      const plan::Window& w = *st.as<plan::AggregateStage>()->window;
      if (w.kind == plan::WindowKind::Session) {
        check_duration(what("the session gap", w.size, stream.name), cg_.duration(w.size), "",
                       cg_.i64c(0));
        return;
      }
      bool sliding = w.kind == plan::WindowKind::Sliding;
      llvm::Value* size = cg_.duration(w.size);
      llvm::Value* slide = cg_.duration(w.slide);
      std::string length = what("the window length", w.size, stream.name);
      if (sliding) {
        check_duration(what("the slide", w.slide, stream.name), slide, "", cg_.i64c(0));
        check_duration(length, size, what("the slide", w.slide), slide);
      } else {
        check_duration(length, size, "", cg_.i64c(0));
      }
      if (!st.clock.event_time) {
        check_duration(length, size, "the batch interval", batch);
        if (sliding)
          check_duration(what("the slide", w.slide, stream.name), slide, "the batch interval",
                         batch);
      }
    });
  }

  CgContext& cg_;
  llvm::IRBuilder<>& b_;
  const plan::Pipeline& p_;
  const ConfigureTargets& t_;
  llvm::BasicBlock* failed_ = nullptr;
  std::string context_;  // what the expression being evaluated sets
  std::map<const plan::Expr*, CgValue> values_;
};

}  // namespace

llvm::Function* make_configure(CgContext& cg, const ConfigureTargets& targets) {
  Configure configure(cg, targets);
  if (!configure.needed()) return nullptr;
  return configure.build();
}

}  // namespace flowc::codegen
