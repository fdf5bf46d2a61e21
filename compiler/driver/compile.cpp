#include "driver/compile.h"

#include <sstream>

#include "codegen/codegen.h"
#include "engine/engine.h"
#include "optimize/optimizer.h"

namespace flowc {

std::optional<Compiled> compile_pipeline(plan::Pipeline pipeline, const CompileOptions& options,
                                         std::ostream& err) {
  optimize::PassOptions pass_options;
  pass_options.fold_params = !options.for_executable;
  optimize::optimize(pipeline, pass_options, options.disabled_passes);

  engine::initialize_llvm();
  Compiled out;
  out.context = std::make_unique<llvm::LLVMContext>();
  out.module = engine::load_stdlib(*out.context);
  if (!out.module) {
    err << "flowc: error: cannot load the embedded standard library\n";
    return std::nullopt;
  }
  out.module->setModuleIdentifier(pipeline.name);
  out.module->setSourceFileName(pipeline.name + ".flow");
  codegen::CodegenOptions cg_options;
  cg_options.fold_params = !options.for_executable;
  cg_options.emit_main = options.for_executable;
  cg_options.plan_text = options.plan_text;
  codegen::CodegenResult result = codegen::generate_pipeline(pipeline, *out.module, cg_options);
  if (!result.error.empty()) {
    err << "flowc: error: " << result.error << "\n";
    return std::nullopt;
  }
  std::string error;
  if (!engine::optimize_module(*out.module, options.opt_level, result.exported, error,
                               /*portable=*/options.for_executable)) {
    err << "flowc: internal error: " << error << "\n";
    return std::nullopt;
  }
  return out;
}

std::string checkpoint_plan_text(const std::string& path, const FrontendOptions& options,
                                 const std::set<std::string>& disabled_passes) {
  FrontendOptions defaults = options;
  defaults.params.clear();
  defaults.batch_ms.reset();
  std::ostringstream ignored;  // the same file checked clean with its --param values
  FrontendResult r = run_frontend(path, defaults, ignored);
  if (!r.pipeline) return "";
  optimize::PassOptions pass_options;
  pass_options.fold_params = false;
  optimize::optimize(*r.pipeline, pass_options, disabled_passes);
  return codegen::pipeline_plan_text(*r.pipeline);
}

}  // namespace flowc
