// compiler/optimize/optimizer.h — plan-level passes, run from one list.
//
// Each pass rewrites the plan in place and can be switched off by name
// (`flowc explain --disable-pass NAME`); the plan verifier runs after each
// one, so a pass that breaks an invariant is caught where it happened.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace flowc::optimize {

struct PassOptions {
  bool fold_params = true;  // JIT: --param values are compile-time constants
};

struct Pass {
  const char* name;
  const char* summary;
  void (*run)(plan::Pipeline& p, const PassOptions& options);
};

// The passes, in the order they run.
const std::vector<Pass>& passes();

// Runs every pass not in `disabled`. A plan the verifier finds broken
// after a pass is a compiler bug: internal_error (support/internal_error.h).
void optimize(plan::Pipeline& p, const PassOptions& options,
              const std::set<std::string>& disabled = {});

// Checks the plan's internal invariants; returns "" or what is wrong.
std::string verify(const plan::Pipeline& p);

// The passes themselves (one file each).
void fold_constants(plan::Pipeline& p, const PassOptions& options);
void push_down_predicates(plan::Pipeline& p, const PassOptions& options);
void prune_columns(plan::Pipeline& p, const PassOptions& options);

// Calls `fn` on every expression of the plan (stage expressions, sink keys).
void for_each_expr(plan::Pipeline& p, const std::function<void(plan::ExprPtr&)>& fn);

}  // namespace flowc::optimize
