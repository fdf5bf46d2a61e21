// compiler/sema/analyzer.h — the semantic analyzer's internals, shared by
// the files of compiler/sema/ (declarations, expressions, stages).
#pragma once

#include <map>
#include <set>

#include "plan/fold.h"
#include "plan/functions.h"
#include "sema/sema.h"

namespace flowc {

// What an expression may refer to.
struct Scope {
  const plan::Schema* schema = nullptr;      // record fields (null: none)
  const std::vector<plan::Field>* state = nullptr;  // update state fields
  std::string what;  // "stream 'clicks'", for messages
  bool allow_aggregates = false;
  bool constant = false;  // only literals and params (defaults, arguments)
};

// The keyword of an AST stage, for messages ("group by").
const char* stage_keyword(ast::StageKind k);
// Adds `f` to `schema` unless the name is taken; reports the clash.
bool add_field(DiagnosticEngine& diags, plan::Schema& schema, plan::Field f, SourceRange at,
               const std::string& stage);

class Analyzer {
 public:
  Analyzer(const ast::Program& program, const SemaOptions& options, DiagnosticEngine& diags)
      : program_(program), options_(options), diags_(diags) {}

  std::optional<plan::Pipeline> run();

  // ---- expressions (expressions.cpp) ----
  plan::ExprPtr check_expr(const ast::Expr& e, const Scope& scope);
  // Checks and requires type `want` (int widens to float); null on error.
  plan::ExprPtr check_typed(const ast::Expr& e, const Scope& scope, plan::Type want,
                            const std::string& what);
  // `out` (checked from `e`) as type `want`, widening int to float; null on error.
  plan::ExprPtr require_type(plan::ExprPtr out, const ast::Expr& e, plan::Type want,
                             const std::string& what);
  // A constant of type `want`; a timestamp may be given as epoch ms or text.
  std::optional<plan::Value> constant(const ast::Expr& e, plan::Type want, const std::string& what);
  plan::ExprPtr widen(plan::ExprPtr e, plan::Type want);
  // The type a field, state field or param declares; reports an unknown
  // name (with a did-you-mean) and returns nullopt.
  std::optional<plan::Type> check_type(const std::string& name, SourceRange at);

  // Marks every param `e` reads as fixed at compile time (connector args).
  void mark_fixed_params(const ast::Expr& e);
  // The index of the param `e` names when `e` is just that param and of
  // type `t`, else -1.
  int bare_param(const ast::Expr& e, plan::Type t);

  DiagnosticEngine& diags() { return diags_; }

 private:
  struct DeclRef {
    const ast::Decl* decl;
    int index;  // into the plan's vector for its kind
  };

  void collect_declarations();
  void check_functions();  // user_functions.cpp
  void check_singletons();
  void check_params();
  void check_sources_and_tables();
  void order_streams();
  void visit_stream(const std::string& name, std::vector<std::string>& path);
  void check_stream(const ast::Decl& d);
  void check_sinks();

  // declarations.cpp
  enum class Role { Source, Table, Sink, DeadLetter };
  std::optional<plan::Connector> check_connector(const ast::Call& c, Role role);
  std::optional<plan::Format> check_format(const ast::Call& c, Role role);
  std::optional<plan::Schema> check_schema(const ast::Schema& s);
  void check_source(const ast::Decl& d);
  void check_table(const ast::Decl& d);
  void check_sink(const ast::Decl& d);
  void report_repeated(const ast::Decl& d);

  // stages.cpp: the order of stages, time, update streams; stateless stages
  bool check_stages(const ast::Decl& d, plan::Stream& stream);
  plan::Clock input_clock(const plan::Stream& stream) const;
  bool check_not_updating(const ast::Stage& s, const plan::Stream& stream);
  bool check_where(const ast::Stage& s, const Scope& scope, plan::Stage& out);
  bool check_select(const ast::Stage& s, const Scope& scope, plan::Stage& out);
  bool check_explode(const ast::Stage& s, const Scope& scope, plan::Stage& out);
  bool check_join(const ast::Stage& s, const Scope& scope, plan::Stage& out);

  // grouping.cpp: `window` and `group by`, collected for what follows them
  struct Grouping {
    const ast::Stage* window = nullptr;
    const ast::Stage* group_by = nullptr;
    plan::Window window_spec;
    std::vector<plan::NamedExpr> keys;
  };
  bool check_window(const ast::Stage& s, const plan::Stream& stream, Grouping& grouping);
  bool check_group_by(const ast::Stage& s, const Scope& scope, Grouping& grouping);
  bool check_aggregate(const ast::Stage& s, const Scope& scope, Grouping& grouping,
                       plan::Stage& out);
  bool check_update(const ast::Stage& s, const Scope& scope, Grouping& grouping, plan::Stage& out);
  std::vector<plan::StatementPtr> check_statements(const std::vector<ast::StatementPtr>& body,
                                                   const Scope& scope, bool& ok);

  plan::ExprPtr check_call(const ast::Expr& e, const Scope& scope);
  plan::ExprPtr check_binary(const ast::Expr& e, const Scope& scope);
  plan::ExprPtr check_field(const ast::Expr& e, const Scope& scope);

  const ast::Program& program_;
  const SemaOptions& options_;
  DiagnosticEngine& diags_;
  plan::Pipeline pipeline_;

  std::map<std::string, const ast::Decl*> names_;  // every declared name
  std::vector<const ast::Decl*> stream_decls_;
  std::map<std::string, int> source_index_, table_index_, stream_index_, param_index_;
  std::map<std::string, int> stream_state_;  // 0 unvisited, 1 visiting, 2 done
  std::set<std::string> failed_;             // declarations with errors
  // C++ functions by name; null when the declaration has errors.
  std::map<std::string, const plan::Function*> user_functions_;
};

}  // namespace flowc
