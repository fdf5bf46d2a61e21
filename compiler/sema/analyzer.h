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
  // The same, with the checked expression when it reads a param (of type
  // `want`: a timestamp given as text is converted by `timestamp()`).
  struct Constant {
    plan::Value value;
    plan::ParamExpr expr;  // null when no param is read
    std::string written;   // the expression as written (explain), when it reads one
  };
  std::optional<Constant> constant_expr(const ast::Expr& e, plan::Type want,
                                        const std::string& what);
  // `e` converted to `want` by the stdlib's conversion function (string(),
  // timestamp()), for a param-derived argument the runtime needs in another
  // type; `e` itself when it already has it.
  plan::ExprPtr convert(plan::ExprPtr e, plan::Type want);
  plan::ExprPtr widen(plan::ExprPtr e, plan::Type want);
  // The type a field, state field or param declares; reports an unknown
  // name (with a did-you-mean) and returns nullopt. `param`: a param's
  // type, which may also be `duration` (checked by the caller).
  std::optional<plan::Type> check_type(const std::string& name, SourceRange at, bool param = false);

  // Marks every param `e` reads as read by a regex pattern (compiled with
  // the pipeline: built programs refuse --param for it).
  void mark_regex_params(const ast::Expr& e);
  // Whether the checked `e` reads a param; `overridden`: one set by --param.
  bool reads_param(const plan::Expr& e, bool overridden = false) const;

  // ---- durations (durations.cpp) ----
  // duration : DURATION | ident — a literal, or a param declared
  // `duration`; reports an unknown name or a param of another type.
  std::optional<plan::Duration> check_duration(const ast::Duration& d);
  // An error about the value of `durations` (a window length that is not a
  // multiple of its slide, ...) at `at`: help lines say which params they
  // are and where their values come from. An error that a --param or
  // --batch value causes is the run option's (exit 2, Diagnostic::usage).
  Diagnostic& duration_error(SourceRange at, const std::string& message,
                             std::initializer_list<plan::Duration> durations, bool batch = false);

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
  std::optional<plan::Value> check_duration_value(const ast::Decl& d);
  void check_sources_and_tables();
  void order_streams();
  void visit_stream(const std::string& name, std::vector<std::string>& path);
  void check_stream(const ast::Decl& d);
  std::optional<plan::Input> resolve_input(const std::string& name, SourceRange at);
  // union.cpp: stream NAME = union(A, B, ...)
  bool check_union(const ast::Decl& d, plan::Stream& stream);
  // sink union(A, B, ...): a stream without stages, named as written.
  std::optional<plan::Input> sink_union(const ast::Decl& d);
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
  // stream_join.cpp: [left] join S on FIELD within D (sets the clock of
  // the rows after it)
  bool check_stream_join(const ast::Stage& s, const Scope& scope, plan::Stream& stream,
                         plan::Stage& out);
  // The clock and the update-stream state of an input's rows.
  plan::Clock clock_of(const plan::Input& in) const;

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

  // top.cpp: `top N by ...` after an aggregate
  bool check_top(const ast::Stage& s, const Scope& scope, const plan::Stream& stream,
                 plan::Stage& out);

  // time_formats.cpp: a timestamp format (`format "..."`, parse_timestamp)
  // written at `at`, a string `literal` or not; reports a bad directive
  // where it is.
  bool check_time_format(const std::string& format, SourceRange at, bool literal = true);

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
  bool batch_from_option_ = false;           // --batch set the interval
  // The params with the values the file declares, before --param (a file
  // sink's default format follows its declared path).
  std::vector<plan::Param> declared_params_;
  // C++ functions by name; null when the declaration has errors.
  std::map<std::string, const plan::Function*> user_functions_;
};

}  // namespace flowc
