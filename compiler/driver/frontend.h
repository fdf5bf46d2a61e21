// compiler/driver/frontend.h — .flow file -> checked plan, for every command.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "plan/plan.h"
#include "support/diagnostics.h"

namespace flowc {

struct FrontendOptions {
  std::map<std::string, std::string> params;  // --param NAME=VALUE
  std::optional<int64_t> batch_ms;            // --batch
  // Runs after a clean check, before errors are rendered, so that what it
  // reports counts as the file's errors: the commands that compile set it
  // to compile the C++ functions (driver/functions.h).
  using AfterCheck = std::function<void(plan::Pipeline&, DiagnosticEngine&, std::ostream& err)>;
  AfterCheck after_check;
};

struct FrontendResult {
  std::optional<plan::Pipeline> pipeline;
  int exit_code = 0;  // 1 compile errors, 2 usage errors (unreadable file, bad --param)
};

// Reads, parses and checks `path`; diagnostics go to `err`.
FrontendResult run_frontend(const std::string& path, const FrontendOptions& options,
                            std::ostream& err);

}  // namespace flowc
