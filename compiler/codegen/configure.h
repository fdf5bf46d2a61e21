// compiler/codegen/configure.h — a built program's start-up code: what the
// params decide, evaluated once --param is known (FlowPipeline::configure,
// runtime/abi.h; LANGUAGE.md 13 "Params of every kind").
//
// A JIT run knows every param at compile time and folds them into
// constants; a built program reads them at run time, so every constant the
// plan computed from params (plan::ParamExpr, plan::Duration::param) is
// computed again here: connector and format arguments and kafka options
// into the descriptors, the batch interval and checkpoint interval into
// FlowPipeline, schema defaults and initial values into the globals that
// CgContext::param_constant made. Durations are checked as sema checks
// literals, with the values the run was given.
#pragma once

#include <vector>

#include "codegen/cg_context.h"

namespace flowc::codegen {

// What configure writes: the module's descriptors.
struct ConfigureTargets {
  llvm::GlobalVariable* sources = nullptr;  // FlowSourceDesc[]: sources, then tables
  llvm::GlobalVariable* sinks = nullptr;    // FlowSinkDesc[]
  // Per source and per sink: its kafka NAME, VALUE array (or null), in the
  // order of plan::Connector::kafka.
  std::vector<llvm::GlobalVariable*> source_options, sink_options;
  llvm::GlobalVariable* pipeline = nullptr;  // FlowPipeline
};

//   int32_t flow_configure(FlowContext* ctx, int64_t batch_option_ms)
// Null when there is nothing to configure (and always under the JIT). Call
// after every operator is lowered: it fills their param_constant globals.
llvm::Function* make_configure(CgContext& cg, const ConfigureTargets& targets);

}  // namespace flowc::codegen
