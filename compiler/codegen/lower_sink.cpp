// sink STREAM to CONNECTOR
//
//   flow_sink_begin_row(ctx, sink);
//   flow_sink_int(ctx, sink, col_0); flow_sink_string(ctx, sink, p, n); ...
//   flow_sink_end_row(ctx, sink);
//
// The runtime formats the row (csv, json, table) into the sink's buffer.
#include "codegen/operator.h"

namespace flowc::codegen {
namespace {

class SinkOp : public Operator {
 public:
  SinkOp(int index, const plan::Sink& sink) : index_(index), sink_(sink) {}

  void consume(CgContext& cg, const Row& row) override {
    auto& b = cg.b();
    llvm::Value* ctx = cg.fs().ctx;
    llvm::Value* sink = cg.i32c(index_);
    // The key first: a key that fails (10 // 0) drops the record before any
    // of its row is written.
    CgValue key;
    if (sink_.key) {
      // The key's text form: a string as is, other values as they print.
      key = emit_expr(cg, *sink_.key, ExprEnv{&row, {}});
      if (key.type != plan::Type::String) {
        static const char* const kToText[] = {"flow_conv_string_bool", "flow_conv_string_i64",
                                              "flow_conv_string_f64", nullptr, "flow_conv_string_ts"};
        llvm::Value* out = cg.entry_alloca(cg.str_type(), "key.text");
        llvm::Value* v = key.type == plan::Type::Bool ? cg.to_c_bool(key.v) : key.v;
        b.CreateCall(cg.stdlib(kToText[static_cast<int>(key.type)]), {cg.fs().arena, v, out});
        key = cg.load_value(plan::Type::String, out);
      }
    }
    b.CreateCall(cg.runtime("flow_sink_begin_row"), {ctx, sink});
    for (const CgValue& v : row) {
      switch (v.type) {
        case plan::Type::Bool:
          b.CreateCall(cg.runtime("flow_sink_bool"), {ctx, sink, cg.to_c_bool(v.v)});
          break;
        case plan::Type::Int:
          b.CreateCall(cg.runtime("flow_sink_int"), {ctx, sink, v.v});
          break;
        case plan::Type::Float:
          b.CreateCall(cg.runtime("flow_sink_float"), {ctx, sink, v.v});
          break;
        case plan::Type::String:
          b.CreateCall(cg.runtime("flow_sink_string"), {ctx, sink, v.v, v.len});
          break;
        case plan::Type::Timestamp:
          b.CreateCall(cg.runtime("flow_sink_timestamp"), {ctx, sink, v.v});
          break;
      }
    }
    if (sink_.key) b.CreateCall(cg.runtime("flow_sink_key"), {ctx, sink, key.v, key.len});
    b.CreateCall(cg.runtime("flow_sink_end_row"), {ctx, sink});
  }

  void check(CgContext& cg, const Row& row) override {
    if (sink_.key) emit_expr(cg, *sink_.key, ExprEnv{&row, {}});
  }

 private:
  int index_;
  const plan::Sink& sink_;
};

class FanoutOp : public Operator {
 public:
  explicit FanoutOp(std::vector<Operator*> outputs) : outputs_(std::move(outputs)) {}
  // Every reader is checked before the first gets the row.
  void consume(CgContext& cg, const Row& row) override {
    auto all = [&] {
      for (Operator* out : outputs_) out->consume(cg, row);
    };
    if (outputs_.size() < 2) return all();
    checked_consume(cg, [&] { check(cg, row); }, all);
  }

  void check(CgContext& cg, const Row& row) override {
    for (Operator* out : outputs_) out->check(cg, row);
  }

 private:
  std::vector<Operator*> outputs_;
};

}  // namespace

OperatorPtr make_sink(int sink_index, const plan::Sink& sink) {
  return std::make_unique<SinkOp>(sink_index, sink);
}

OperatorPtr make_fanout(std::vector<Operator*> outputs) {
  return std::make_unique<FanoutOp>(std::move(outputs));
}

}  // namespace flowc::codegen
