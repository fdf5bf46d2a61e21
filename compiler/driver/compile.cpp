#include "driver/compile.h"

#include "codegen/codegen.h"
#include "engine/engine.h"
#include "optimize/optimizer.h"

namespace flowc {

std::optional<Compiled> compile_pipeline(plan::Pipeline pipeline, const CompileOptions& options,
                                         std::ostream& err) {
  // The checkpoint fingerprint's text is taken with params kept by name:
  // every constant that reads a param prints as written, so the text is the
  // same whatever --param says, and `flowc run` and a built program of the
  // same file read each other's checkpoints (LANGUAGE.md 12).
  optimize::PassOptions by_name;
  by_name.fold_params = false;
  optimize::optimize(pipeline, by_name, options.disabled_passes);
  const std::string plan_text = codegen::pipeline_plan_text(pipeline);
  if (!options.for_executable) {
    // JIT: the --param values are known; fold them in as constants.
    optimize::optimize(pipeline, optimize::PassOptions{}, options.disabled_passes);
  }

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
  cg_options.plan_text = plan_text;
  codegen::CodegenResult result = codegen::generate_pipeline(pipeline, *out.module, cg_options);
  std::string error;
  if (!engine::optimize_module(*out.module, options.opt_level, result.exported, error)) {
    err << "flowc: internal error: " << error << "\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace flowc
