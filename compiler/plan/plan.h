// compiler/plan/plan.h — the typed logical plan.
//
// Sema turns the AST into this; optimizer passes rewrite it; codegen lowers
// it. Names are resolved to indices, every expression has a type, every
// stage has its output schema, and durations are milliseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
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

struct Expr;
// A compile-time constant that reads params (a schema default, an initial
// value, a connector or format argument written as `threshold * 2` or
// `dir + "/in.csv"`): the checked expression as written. Explain and the
// checkpoint fingerprint print it rather than its value, so that neither
// depends on --param; a built program evaluates it again once --param is
// known (codegen/configure.cpp). Null when the constant reads no param.
using ParamExpr = std::shared_ptr<const Expr>;

struct Field {
  std::string name;
  Type type = Type::Int;
  std::optional<Value> default_value;
  std::string qualifier;  // the table a joined field came from
  ParamExpr default_expr;  // the default as written, when it reads a param
  // A timestamp's input text form as strptime directives (`format "..."`
  // in a source or table schema); empty: the forms of LANGUAGE.md 3.
  std::string time_format = {};
};

// A duration where the language writes one (batch, windows, watermark,
// `expire after`, checkpoint `every`; LANGUAGE.md 13 "Params of every
// kind"): its value, and the duration param it was written as. JIT runs
// use `ms` (the --param value is known); built programs read the param.
struct Duration {
  int64_t ms = 0;
  int param = -1;  // index into Pipeline::params, or -1 for a literal
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

enum class ConnectorKind { File, Stdin, Stdout, Socket, Generate, Kafka, Dir };

struct Connector {
  ConnectorKind kind = ConnectorKind::File;
  std::string path;  // file or folder path, socket host:port
  std::string pattern;  // dir: the file names read ("*" when empty)
  bool follow = false;
  int64_t count = 0, rate = 0, start = 0, step = 1;  // generate
  std::map<std::string, std::string> kafka;           // brokers, topic, group, ...
  // The arguments that read a param (`file(input)`, `file(dir + "/x")`,
  // `kafka(brokers: brokers)`), by name (kafka's dotted options too), with
  // the type the descriptor needs (kafka options as text, generate's
  // `start` as a timestamp). Built programs evaluate them at start-up.
  std::map<std::string, ParamExpr> param_args;
  std::string text;  // as written, for explain and messages
};

enum class FormatKind { Csv, Json, Lines, Regex, Table, Default };

struct Format {
  FormatKind kind = FormatKind::Default;
  bool header = true;
  char delimiter = ',';
  std::string pattern;     // regex
  int timestamp_unit = 0;  // 0 ms, 1 s, 2 us
  // Arguments that read a param (header, delimiter, timestamp_unit), as
  // Connector::param_args. A regex pattern never does: it is compiled with
  // the pipeline (Param::in_regex_pattern).
  std::map<std::string, ParamExpr> param_args;
  std::string text;
};
const char* format_name(FormatKind k);

enum class OnError { Skip, Fail, DeadLetter };

struct Param {
  std::string name;
  Type type = Type::Int;  // in expressions (a duration is an int of ms)
  Value value;
  bool overridden = false;  // by --param at compile time
  // Declared `duration`: written where a duration is (Duration::param),
  // set by --param as a duration literal (`250ms`, `10s`).
  bool duration = false;
  // Why a built program refuses --param for it, or empty: it is read by a
  // regex pattern (format regex(...), regex_match/regex_extract), compiled
  // with the pipeline (LANGUAGE.md 13), or is a stream join's `within`.
  // Every other param follows --param.
  std::string fixed_reason;
};
// `duration` for a duration param, else the type's name.
const char* param_type_name(const Param& p);
// The param's value as written in a .flow file (`10s` for a duration).
std::string param_value_literal(const Param& p);

struct Source {
  std::string name;
  Connector connector;
  Format format;
  Schema schema;
  int event_time = -1;  // schema index, or -1 for processing time
  Duration watermark;
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

// Batch: the records of one micro-batch (LANGUAGE.md 13 "Per-batch aggregates").
enum class WindowKind { Tumbling, Sliding, Session, Batch };
// Expired: only `emit expired` (UpdateStage::emit_expired says whether it
// joins another mode).
enum class EmitMode { Final, Updates, Each, Updated, All, Expired };
enum class AggFn { Count, Sum, Avg, Min, Max, CountDistinct, First, Last };
const char* agg_name(AggFn f);
// 60000 -> "1m", 1500 -> "1500ms": the largest unit that is exact.
std::string duration_text(int64_t ms);
// As written: the param's name, or the literal.
std::string duration_text(const Duration& d, const std::vector<Param>& params);
const char* emit_name(EmitMode m);

// Where the rows at one point of a stream stand in time (LANGUAGE.md 6.1,
// 13 "Chained aggregation"). Decided once, by sema, for the input of every
// stage and the output of every stream; codegen and explain only read it.
struct Clock {
  // false: processing time (a row's time is its batch's start).
  bool event_time = false;
  // Event time: the watermark is the least of these sources' watermarks,
  // each minus its lag. With several sources, one that has ended no longer
  // holds the watermark back (13 "Union"), unless every one has.
  std::vector<int> sources;
  // Parallel to `sources` (empty: all 0): how far rows here may trail the
  // source's watermark — a stream–stream join's output lags by its `within`
  // (13 "Interval join").
  std::vector<int64_t> lags;
  int64_t lag(size_t i) const { return i < lags.size() ? lags[i] : 0; }
};
// The clock of rows from both `a` and `b` (a union, a join's two sides):
// event time only when both have it; every source of either, at the larger
// lag when both have it (clock.cpp).
Clock merge_clocks(const Clock& a, const Clock& b);
// `c` with every lag raised by `ms` (the output of a join `within ms`).
Clock lag_clock(const Clock& c, int64_t ms);

struct Window {
  WindowKind kind = WindowKind::Tumbling;
  Duration size;   // length, or the gap of a session
  Duration slide;  // sliding; for tumbling the same as `size`
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
  bool is_delete = false;  // `delete`: the key's state goes after the block
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
// What a stream, a sink or a stream join reads: a source or a stream.
struct Input {
  enum Kind { Source, Stream } kind = Source;
  int index = -1;
  // A union's input whose fields come in another order: for each field of
  // the union's schema, its index in this input's (empty: the same order).
  std::vector<int> order;
};

// [left] join S on FIELD within D: Flink's interval join with a stream or
// source S (LANGUAGE.md 13). Each side keeps its rows until the watermark
// of both reaches their time + D.
struct IntervalJoinStage {
  Input other;  // S
  std::string other_name;
  int on_field = -1;        // in the stage's input
  int other_on_field = -1;  // in S's schema
  int64_t within_ms = 0;
  bool left = false;
  // The fields of S after the input's, in S's schema order (all but FIELD).
  std::vector<int> other_fields;
  // What a left-join miss gives them: S's defaults (a source) or zeros.
  std::vector<Value> miss_values;
  // The watermark of both sides: when rows are dropped and which are late.
  Clock both;
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
  bool emit_expired = false;  // also a row per key `expire after` removes
  std::optional<Duration> expire;
};
// top N by EXPR [asc|desc], ... — of the rows the aggregate before it
// emits at one batch end, the first N per window, best first (LANGUAGE.md
// 13 "Ranking"). Its rows are those of the aggregate: a changelog when
// the aggregate's are.
struct TopStage {
  struct Key {
    ExprPtr expr;
    bool descending = true;
  };
  int64_t n = 0;
  std::vector<Key> order;
  bool windowed = false;  // input fields 0 and 1 are window_start, window_end
  std::vector<int> keys;  // the aggregate's `group by` fields: ties, ascending
};

using StageOp = std::variant<WhereStage, SelectStage, ExplodeStage, JoinStage, AggregateStage,
                             UpdateStage, IntervalJoinStage, TopStage>;

struct Stage {
  StageOp op;
  SourceRange range;
  Schema output;
  Clock clock;  // of the rows reaching this stage

  template <typename T>
  T* as() {
    return std::get_if<T>(&op);
  }
  template <typename T>
  const T* as() const {
    return std::get_if<T>(&op);
  }
  template <typename T>
  bool is() const {
    return std::holds_alternative<T>(op);
  }
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

struct Stream {
  std::string name;
  Input input;                // the first (or only) input
  std::vector<Input> inputs;  // every input: union(A, B, ...)'s, or `input`
  std::string input_name;     // as written: "clicks", "union(a, b)"
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
  std::optional<Duration> every;
};

struct Pipeline {
  std::string name;
  Duration batch{1000, -1};
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
