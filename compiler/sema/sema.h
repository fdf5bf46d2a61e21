// compiler/sema/sema.h — AST -> typed logical plan.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ast/ast.h"
#include "plan/plan.h"
#include "support/diagnostics.h"

namespace flowc {

struct SemaOptions {
  std::string default_name;                   // the file's stem
  std::map<std::string, std::string> params;  // --param NAME=VALUE, already checked
  std::optional<int64_t> batch_ms;            // --batch
};

// Checks the whole program, reporting every error to `diags`. Returns the
// plan only when there were none.
std::optional<plan::Pipeline> analyze(const ast::Program& program, const SemaOptions& options,
                                      DiagnosticEngine& diags);

}  // namespace flowc
