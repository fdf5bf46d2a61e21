// C++ functions (LANGUAGE.md 13): `function NAME(ARG: TYPE, ...): TYPE
// from "FILE.cpp"` declarations. Sema checks the names and types and adds
// one function row per declaration; the driver compiles the file and
// checks its signature (driver/functions.h).
#include <algorithm>
#include <cctype>

#include "sema/analyzer.h"

namespace flowc {

namespace {

// The C symbol is the function's name, so it must be a C identifier.
bool is_c_identifier(const std::string& name) {
  if (name.empty() || !(isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) {
    return false;
  }
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

// A name already called something in the language: the stdlib, the
// aggregates, explode's generators.
bool is_builtin(const std::string& name) {
  return !plan::overloads(name).empty() || plan::find_aggregate(name) || name == "split" ||
         name == "words";
}

}  // namespace

// function NAME(ARG: TYPE, ...): TYPE from "FILE.cpp"
void Analyzer::check_functions() {
  std::map<std::string, const ast::Decl*> declared;
  for (const ast::Decl& d : program_.decls) {
    if (d.kind != ast::DeclKind::Function) continue;
    auto [first, fresh] = declared.emplace(d.name, &d);
    if (!fresh) {
      Diagnostic& diag =
          diags_.error(d.name_range, "function '" + d.name + "' is already declared");
      diag.helps.push_back("declared on line " +
                           std::to_string(first->second->name_range.begin.line));
      continue;
    }
    // A call of a function whose declaration has errors is not reported again.
    user_functions_[d.name] = nullptr;
    bool ok = true;
    if (is_builtin(d.name)) {
      Diagnostic& diag =
          diags_.error(d.name_range,
                       "'" + d.name + "' is a built-in function; a C++ function may not shadow it");
      diag.helps.push_back("give the C++ function another name");
      ok = false;
    } else if (!is_c_identifier(d.name)) {
      diags_.error(d.name_range, "'" + d.name +
                                     "' is not a C identifier, so no C++ function "
                                     "can have its name");
      ok = false;
    } else if (d.name.rfind("flow_", 0) == 0 || d.name == "main") {
      Diagnostic& diag =
          diags_.error(d.name_range, "the name '" + d.name + "' is reserved for flowc's runtime");
      diag.helps.push_back("names beginning with 'flow_', and 'main', are flowc's own symbols");
      ok = false;
    }
    std::vector<plan::Type> args;
    std::vector<std::string> arg_names;
    for (const ast::FieldDecl& p : d.params) {
      if (std::find(arg_names.begin(), arg_names.end(), p.name) != arg_names.end()) {
        diags_.error(p.name_range, "parameter '" + p.name + "' is given twice");
        ok = false;
      }
      std::optional<plan::Type> type = check_type(p.type_name, p.type_range);
      ok = ok && type.has_value();
      args.push_back(type.value_or(plan::Type::Int));
      arg_names.push_back(p.name);
    }
    std::optional<plan::Type> result = check_type(d.type_name, d.type_range);
    if (d.path.empty()) {
      diags_.error(d.path_range, "the path of the C++ file is empty");
      ok = false;
    }
    if (!ok || !result) continue;
    auto fn = std::make_shared<plan::UserFunction>(d.name, std::move(args), *result);
    fn->arg_names = std::move(arg_names);
    fn->path = d.path;
    fn->name_range = d.name_range;
    fn->path_range = d.path_range;
    user_functions_[d.name] = &fn->fn;
    pipeline_.functions.push_back(std::move(fn));
  }
}

}  // namespace flowc
