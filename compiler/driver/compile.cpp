#include "driver/compile.h"

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
  codegen::CodegenResult result = codegen::generate_pipeline(pipeline, *out.module, cg_options);
  if (!result.error.empty()) {
    err << "flowc: error: " << result.error << "\n";
    return std::nullopt;
  }
  std::string error;
  if (!engine::optimize_module(*out.module, options.opt_level, result.exported, error)) {
    err << "flowc: internal error: " << error << "\n";
    return std::nullopt;
  }
  return out;
}

}  // namespace flowc
