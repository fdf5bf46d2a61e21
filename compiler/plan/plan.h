// compiler/plan/plan.h — the typed logical plan.
//
// Sema turns the AST into this; optimizer passes rewrite it; codegen lowers
// it. Names are resolved to indices, every expression has a type, every
// stage has its output schema, and durations are milliseconds.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "support/source.h"

namespace flowc::plan {

enum class Type : uint8_t { Bool, Int, Float, String, Timestamp };
const char* type_name(Type t);
std::optional<Type> parse_type_name(std::string_view name);

// A constant: literals, params, defaults, folded expressions.
struct Value {
  Type type = Type::Int;
  int64_t i = 0;  // Bool (0/1), Int, Timestamp
  double f = 0;   // Float
  std::string s;  // String
  static Value of_bool(bool b) { return Value{Type::Bool, b ? 1 : 0, 0, {}}; }
  static Value of_int(int64_t v) { return Value{Type::Int, v, 0, {}}; }
  static Value of_float(double v) { return Value{Type::Float, 0, v, {}}; }
  static Value of_string(std::string v) { return Value{Type::String, 0, 0, std::move(v)}; }
  static Value of_timestamp(int64_t v) { return Value{Type::Timestamp, v, 0, {}}; }
};
// The text form of LANGUAGE.md section 3 (strings unquoted).
std::string value_text(const Value& v);
// As written in a .flow file: strings quoted and escaped.
std::string value_literal(const Value& v);

struct Field {
  std::string name;
  Type type = Type::Int;
  std::optional<Value> default_value;
  std::string qualifier;  // the table a joined field came from
};

struct Schema {
  std::vector<Field> fields;
  int find(std::string_view name) const;
  int find_qualified(std::string_view qualifier, std::string_view name) const;
  std::vector<std::string> names() const;
};

// ---- expressions ----

struct Function;      // plan/functions.h
struct UserFunction;  // plan/functions.h: a C++ function of the .flow file

enum class ExprKind {
  Const,   // value
  Field,   // index into the input schema
  State,   // index into an update stage's state fields
  Param,   // index into Pipeline::params
  Call,    // fn(args)
  If,      // if(args[0], args[1], args[2])
  Unary,   // op in {"-", "not"}
  Binary,  // op in {+ - * / // % == != < <= > >= and or}; operand types in args
  In,      // args[0] in (args[1..]); negated for `not in`
  Cast,    // int -> float widening (the only implicit conversion)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::Const;
  Type type = Type::Int;
  SourceRange range;
  Value value;
  int index = -1;
  const Function* fn = nullptr;
  std::string op;
  bool negated = false;
  std::vector<ExprPtr> args;

  ExprPtr clone() const;
};

struct NamedExpr {
  std::string name;
  ExprPtr expr;
};

// ---- declarations ----

enum class ConnectorKind { File, Stdin, Stdout, Socket, Generate, Kafka };

struct Connector {
  ConnectorKind kind = ConnectorKind::File;
  std::string path;  // file path, socket host:port
  bool follow = false;
  int64_t count = 0, rate = 0, start = 0, step = 1;  // generate
  std::map<std::string, std::string> kafka;           // brokers, topic, group, ...
  // Arguments written as a bare param (`file(input)`): argument -> param
  // index. Built programs take these from --param at run time.
  std::map<std::string, int> param_args;
  std::string text;  // as written, for explain and messages
};

enum class FormatKind { Csv, Json, Lines, Regex, Table, Default };

struct Format {
  FormatKind kind = FormatKind::Default;
  bool header = true;
  char delimiter = ',';
  std::string pattern;     // regex
  int timestamp_unit = 0;  // 0 ms, 1 s, 2 us
  std::string text;
};
const char* format_name(FormatKind k);

enum class OnError { Skip, Fail, DeadLetter };

struct Param {
  std::string name;
  Type type = Type::Int;
  Value value;
  bool overridden = false;  // by --param at compile time
  // Used in a connector or format argument: fixed when the pipeline is
  // compiled (a built program refuses --param for it).
  bool fixed_at_compile_time = false;
};

struct Source {
  std::string name;
  Connector connector;
  Format format;
  Schema schema;
  int event_time = -1;  // schema index, or -1 for processing time
  int64_t watermark_ms = 0;
  OnError on_error = OnError::Skip;
  std::optional<Connector> dead_letter;
  // Which schema fields some operator reads (set by the prune-columns pass;
  // all true until then). Unused fields are not converted.
  std::vector<bool> used;
  SourceRange range;
};

struct Table {
  std::string name;
  Connector connector;
  Format format;
  Schema schema;
  int key = -1;
  SourceRange range;
};

// ---- stages ----

enum class WindowKind { Tumbling, Sliding, Session };
enum class EmitMode { Final, Updates, Each, Updated, All };
enum class AggFn { Count, Sum, Avg, Min, Max, CountDistinct, First, Last };
const char* agg_name(AggFn f);
// 60000 -> "1m", 1500 -> "1500ms": the largest unit that is exact.
std::string duration_text(int64_t ms);
const char* emit_name(EmitMode m);

// Where the rows at one point of a stream stand in time (LANGUAGE.md 6.1,
// 13 "Chained aggregation"). Decided once, by sema, for the input of every
// stage and the output of every stream; codegen and explain only read it.
struct Clock {
  // false: processing time (a row's time is its batch's start).
  bool event_time = false;
  // Event time: the watermark is the least of these sources' watermarks.
  std::vector<int> sources;
};

struct Window {
  WindowKind kind = WindowKind::Tumbling;
  int64_t size_ms = 0;   // length, or the gap of a session
  int64_t slide_ms = 0;  // sliding only
};

struct Aggregate {
  std::string name;
  AggFn fn = AggFn::Count;
  ExprPtr arg;  // null for count()
  Type type = Type::Int;
};

struct Statement;
using StatementPtr = std::unique_ptr<Statement>;
struct Statement {
  bool is_if = false;
  int target = -1;  // state index
  std::string op;   // = += -= *= /=
  ExprPtr value;
  ExprPtr condition;
  std::vector<StatementPtr> then_body, else_body;
};

// One type per stage kind (LANGUAGE.md 6). `window` and `group by` are
// folded into the aggregate or update that follows them.
struct WhereStage {
  ExprPtr predicate;
};
struct SelectStage {
  std::vector<NamedExpr> items;
};
// explode words(text) or split(text, separator)
struct ExplodeStage {
  ExprPtr text;
  ExprPtr separator;  // null for words()
  std::string alias;
};
struct JoinStage {
  int table = -1;
  int on_field = -1;  // in the stage's input
  bool left = false;
};
struct AggregateStage {
  std::optional<Window> window;
  std::vector<NamedExpr> keys;
  std::vector<Aggregate> aggregates;
  EmitMode emit = EmitMode::Updates;
};
struct UpdateStage {
  std::vector<NamedExpr> keys;
  std::vector<Field> state;  // with initial values
  std::vector<StatementPtr> body;
  EmitMode emit = EmitMode::Updated;
  std::optional<int64_t> expire_ms;
};

using StageOp = std::variant<WhereStage, SelectStage, ExplodeStage, JoinStage, AggregateStage, UpdateStage>;

struct Stage {
  StageOp op;
  SourceRange range;
  Schema output;
  Clock clock;  // of the rows reaching this stage

  template <typename T> T* as() { return std::get_if<T>(&op); }
  template <typename T> const T* as() const { return std::get_if<T>(&op); }
  template <typename T> bool is() const { return std::holds_alternative<T>(op); }
};
// The stage's keyword as written ("where", "aggregate", ...).
const char* stage_keyword(const Stage& st);
// Every expression of a stage (predicates, items, keys, arguments, the
// statements of an update block), for passes that rewrite or check them.
void for_each_expr(Stage& st, const std::function<void(ExprPtr&)>& fn);
void for_each_expr(const Stage& st, const std::function<void(const Expr&)>& fn);
// Whether the rows a stage emits form a changelog (a running aggregate,
// `update`, or `emit updates`): a later row of a key replaces the earlier
// one, so they cannot be aggregated again (LANGUAGE.md 13).
bool emits_updates(const Stage& st);

struct Input {
  enum Kind { Source, Stream } kind = Source;
  int index = -1;
};

struct Stream {
  std::string name;
  Input input;
  std::string input_name;
  std::vector<Stage> stages;
  Schema output;
  int root_source = -1;  // the source every record of this stream comes from
  Clock clock;           // of the stream's output rows
  // The last stage, in this stream or upstream, whose rows form a changelog
  // (emits_updates): what its output is an update stream of.
  struct Updating {
    std::string stream;   // the stream the stage belongs to
    std::string keyword;  // "aggregate" or "update"
    SourceRange range;    // the stage's keyword
  };
  std::optional<Updating> updating;
  SourceRange range;
};

struct Sink {
  Input input;
  std::string input_name;
  Connector connector;
  Format format;
  ExprPtr key;
  Schema columns;
  SourceRange range;
};

struct Checkpoint {
  std::string dir;
  std::optional<int64_t> every_ms;
};

struct Pipeline {
  std::string name;
  int64_t batch_ms = 1000;
  std::optional<Checkpoint> checkpoint;
  std::vector<Param> params;
  std::vector<Source> sources;
  std::vector<Table> tables;
  std::vector<Stream> streams;  // each stream after the streams it reads
  std::vector<Sink> sinks;
  // C++ functions (LANGUAGE.md 13), in declaration order.
  std::vector<std::shared_ptr<const UserFunction>> functions;
  // Their files compiled to LLVM bitcode, by path as written: set by the
  // driver after sema (driver/functions.h), linked into the module after
  // codegen (engine/udf.h).
  std::map<std::string, std::string> function_bitcode;

  const Schema& schema_of(const Input& in) const {
    return in.kind == Input::Source ? sources[in.index].schema : streams[in.index].output;
  }
};

}  // namespace flowc::plan
