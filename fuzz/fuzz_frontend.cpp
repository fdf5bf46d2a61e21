// fuzz/fuzz_frontend.cpp — the .flow front end on arbitrary text: parse,
// check, optimize and explain must never crash, hang or trip a sanitizer,
// whatever the bytes (LANGUAGE.md 9: every compile error is reported with
// its place). A checked plan must pass the optimizer's verifier.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "optimize/optimizer.h"
#include "parse/parser.h"
#include "plan/explain.h"
#include "sema/sema.h"
#include "support/diagnostics.h"
#include "support/source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flowc::SourceFile file("fuzz.flow", std::string(reinterpret_cast<const char*>(data), size));
  flowc::DiagnosticEngine diags(file);
  std::optional<flowc::ast::Program> program = flowc::parse_program(file, diags);
  std::optional<flowc::plan::Pipeline> pipeline;
  if (program) {
    flowc::SemaOptions options;
    options.default_name = "fuzz";
    pipeline = flowc::analyze(*program, options, diags);
  }
  std::ostringstream out;
  diags.render(out);
  if (pipeline && !diags.has_errors()) {
    flowc::plan::explain(*pipeline, out);
    flowc::optimize::optimize(*pipeline, flowc::optimize::PassOptions{});
    flowc::plan::explain(*pipeline, out);
  }
  return 0;
}
