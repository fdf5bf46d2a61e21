#include "driver/frontend.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "parse/parser.h"
#include "plan/fold.h"
#include "sema/sema.h"
#include "support/edit_distance.h"

namespace flowc {

FrontendResult run_frontend(const std::string& path, const FrontendOptions& options,
                            std::ostream& err) {
  FrontendResult result;
  std::ifstream in(path, std::ios::binary);
  if (!in || std::filesystem::is_directory(path)) {
    err << "flowc: error: cannot read '" << path << "': "
        << (std::filesystem::is_directory(path) ? "Is a directory" : std::strerror(errno)) << "\n";
    result.exit_code = 2;
    return result;
  }
  std::stringstream text;
  text << in.rdbuf();
  SourceFile file(path, text.str());
  DiagnosticEngine diags(file);

  std::optional<ast::Program> program = parse_program(file, diags);
  if (program) {
    SemaOptions sema_options;
    sema_options.default_name = std::filesystem::path(path).stem().string();
    sema_options.params = options.params;
    sema_options.batch_ms = options.batch_ms;
    result.pipeline = analyze(*program, sema_options, diags);
    if (result.pipeline && options.after_check) options.after_check(*result.pipeline, diags, err);
  }
  if (diags.has_errors()) {
    diags.render(err);
    size_t n = diags.error_count();
    err << "flowc: " << n << " error" << (n == 1 ? "" : "s") << " in " << path << "\n";
    result.pipeline.reset();
    // A --param or --batch value that the file cannot take (a window length
    // that is not a multiple of its slide, ...) is a usage error, as in a
    // built program that is given it.
    result.exit_code = diags.only_usage_errors() ? 2 : 1;
    return result;
  }
  // --param names and values are usage errors: the file itself is fine.
  for (const auto& [name, value] : options.params) {
    const plan::Param* param = nullptr;
    for (const plan::Param& p : result.pipeline->params) {
      if (p.name == name) param = &p;
    }
    // The same words as the runtime's (runtime/options.cpp), so that
    // `flowc run` and a built program report a bad --param alike.
    if (param == nullptr) {
      err << "flowc: error: unknown param '" << name << "'";
      std::vector<std::string> names;
      for (const plan::Param& p : result.pipeline->params) names.push_back(p.name);
      if (auto near = closest_match(name, names)) err << "; did you mean '" << *near << "'?";
      if (result.pipeline->params.empty()) {
        err << " (this pipeline declares no params)";
      } else {
        err << " (params:";
        for (size_t i = 0; i < result.pipeline->params.size(); ++i) {
          err << (i ? ", " : " ") << result.pipeline->params[i].name;
        }
        err << ")";
      }
      err << "\n";
      result.exit_code = 2;
    } else if (!param->overridden) {
      err << "flowc: error: param '" << name << "' expects "
          << (param->type == plan::Type::Int && !param->duration ? "an " : "a ")
          << plan::param_type_name(*param) << (param->duration ? " such as 250ms, 10s or 5m" : "")
          << ", got '" << value << "'\n";
      result.exit_code = 2;
    }
  }
  if (result.exit_code != 0) result.pipeline.reset();
  return result;
}

}  // namespace flowc
