// compiler/ast/ast.h — the syntax tree of a .flow file.
//
// Plain data, built by compiler/parse/ and read by compiler/sema/. Every
// node carries the SourceRange it was written at, so that any later error
// can point at it. No ANTLR types appear here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/source.h"

namespace flowc::ast {

// ---- expressions ----

enum class ExprKind {
  IntLit,       // 42, 1_000
  FloatLit,     // 3.14
  StringLit,    // "abc" (escapes resolved)
  BoolLit,      // true
  DurationLit,  // 10s (int_value holds milliseconds)
  Field,        // latency_ms, or qualifier.name after a join
  Call,         // name(args...): functions and aggregates
  If,           // if(cond, a, b)
  Unary,        // -x, not x
  Binary,       // a + b, a and b, a == b ...
  In,           // x in (a, b), x not in (...)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  SourceRange range;
  int64_t int_value = 0;    // IntLit, DurationLit, BoolLit (0/1)
  double float_value = 0;   // FloatLit
  std::string text;         // StringLit value, Field/Call name, operator
  std::string qualifier;    // Field: `pages` in pages.category
  SourceRange name_range;   // Field/Call: the name token alone
  bool negated = false;     // In: `not in`
  std::vector<ExprPtr> args;  // operands, call arguments, `in` list (args[0] is x)
};

// A duration where one is written (batch, windows, watermark, `expire
// after`, `checkpoint ... every`): a literal, or the name of a duration
// param that sema resolves (grammar rule `duration`).
struct Duration {
  int64_t ms = 0;     // a literal's value
  std::string param;  // the param's name when written as one, else empty
  SourceRange range;
};

// ---- declarations ----

struct Arg {
  std::string name;  // empty for a positional argument
  SourceRange name_range;
  ExprPtr value;
};

// file("data/x.csv", follow: true), stdout, csv(header: true)
struct Call {
  std::string name;
  SourceRange name_range;
  bool has_parens = false;
  std::vector<Arg> args;
  SourceRange range;
};

struct FieldDecl {
  std::string name;
  SourceRange name_range;
  std::string type_name;
  SourceRange type_range;
  ExprPtr default_value;  // may be null
  std::optional<std::string> time_format;  // `format "%d/%b/%Y"` (timestamps)
  SourceRange format_range;                // the format's string token
};

struct Schema {
  std::vector<FieldDecl> fields;
  SourceRange range;
};

enum class OnErrorKind { Skip, Fail, DeadLetter };

struct OnError {
  OnErrorKind kind = OnErrorKind::Skip;
  std::optional<Call> dead_letter;
  SourceRange range;
};

// ---- stages ----

enum class StageKind { Where, Select, Explode, Join, Window, GroupBy, Aggregate, Update, Top };

struct SelectItem {
  bool star = false;
  std::string name;    // output name (empty for `*`)
  SourceRange name_range;
  ExprPtr value;       // null for `*`
};

enum class WindowKind { Tumbling, Sliding, Session, Batch };

enum class EmitMode { Default, Final, Updates, Each, Updated, All, Expired };

struct Statement;
using StatementPtr = std::unique_ptr<Statement>;

enum class StatementKind { Assign, If, Delete };

struct Statement {
  StatementKind kind;
  SourceRange range;
  // Assign: target op= value
  std::string target;
  SourceRange target_range;
  std::string op;  // "=", "+=", "-=", "*=", "/="
  ExprPtr value;
  // If: if (cond) { then_body } else { else_body }
  ExprPtr condition;
  std::vector<StatementPtr> then_body;
  std::vector<StatementPtr> else_body;
};

// `EXPR [asc | desc]` of `top`; desc unless `asc` is written.
struct OrderKey {
  ExprPtr value;
  bool descending = true;
};

struct Stage {
  StageKind kind;
  SourceRange range;          // the whole stage
  SourceRange keyword_range;  // the stage keyword (where, select, ...)
  ExprPtr expr;               // Where: predicate; Explode: the call
  std::vector<SelectItem> items;  // Select items, GroupBy keys, Aggregate items
  // Explode
  std::string alias;
  SourceRange alias_range;
  // Join
  bool left = false;
  std::string table;
  SourceRange table_range;
  std::string on_field;
  SourceRange on_range;
  // Join with a stream or source: `within D` (ms), Flink's interval join.
  std::optional<Duration> within;
  SourceRange within_range;
  // Window: the length (or session gap) and the slide
  WindowKind window = WindowKind::Tumbling;
  Duration size, slide;
  // Update
  std::vector<FieldDecl> state;
  std::vector<StatementPtr> body;
  // Aggregate / Update options. `emit expired` is kept apart, since it may
  // join another mode (`emit updated, expired`).
  EmitMode emit = EmitMode::Default;
  SourceRange emit_range;
  std::optional<Duration> expire;
  SourceRange expire_range;  // the whole `expire after D` clause
  bool emit_expired = false;
  SourceRange expired_range;
  // Top: `top N by EXPR [asc|desc], ...`
  int64_t top_n = 0;
  SourceRange top_n_range;
  std::vector<OrderKey> order;
};

// ---- top level ----

enum class DeclKind { Pipeline, Param, Batch, Checkpoint, Source, Table, Stream, Sink, Function };

struct Decl {
  DeclKind kind;
  SourceRange range;
  SourceRange keyword_range;
  std::string name;  // pipeline/param/source/table/stream/function name; sink: its input
  SourceRange name_range;
  // Param; Function: the result type
  std::string type_name;
  SourceRange type_range;
  ExprPtr value;
  // Batch / Checkpoint; Function: `path` is the C++ file, at `path_range`
  Duration duration;
  std::string path;
  SourceRange path_range;
  // Function: the parameters, as schema fields without defaults
  std::vector<FieldDecl> params;
  std::optional<Duration> every;
  // Source / Table / Sink
  std::optional<Call> connector;
  std::optional<Call> format;
  std::optional<Schema> schema;
  std::optional<std::string> event_time;
  SourceRange event_time_range;
  std::optional<Duration> watermark;
  std::optional<OnError> on_error;
  std::optional<std::string> key_field;  // Table
  SourceRange key_range;
  ExprPtr sink_key;                      // Sink: key EXPR
  // Clauses written twice are reported by sema; keep their ranges.
  std::vector<std::pair<std::string, SourceRange>> repeated_clauses;
  // Stream
  std::string input;  // the first input of a union
  SourceRange input_range;
  // union(A, B, ...): every input, in order (empty for one input)
  struct InputName {
    std::string name;
    SourceRange range;
  };
  std::vector<InputName> union_inputs;
  std::vector<Stage> stages;
};

struct Program {
  std::vector<Decl> decls;
};

}  // namespace flowc::ast
