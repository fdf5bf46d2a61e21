#include "plan/fold.h"

#include <cmath>
#include <cstring>

#include "flow_stdlib.h"
#include "plan/functions.h"

namespace flowc::plan {

namespace {

int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

double as_float(const Value& v) { return v.type == Type::Float ? v.f : static_cast<double>(v.i); }

int compare(const Value& a, const Value& b) {
  if (a.type == Type::String) return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
  if (a.type == Type::Float || b.type == Type::Float) {
    double x = as_float(a), y = as_float(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
}

FoldResult fold_binary(const Expr& e, const Value& a, const Value& b) {
  const std::string& op = e.op;
  if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
    if ((a.type == Type::Float && std::isnan(a.f)) || (b.type == Type::Float && std::isnan(b.f))) {
      return {Value::of_bool(op == "!=")};
    }
    int c = compare(a, b);
    bool r = op == "==" ? c == 0 : op == "!=" ? c != 0 : op == "<" ? c < 0
           : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
    return {Value::of_bool(r)};
  }
  if (e.type == Type::String) return {Value::of_string(a.s + b.s)};
  if (e.type == Type::Float) {
    double x = as_float(a), y = as_float(b), r = 0;
    if (op == "+") r = x + y;
    else if (op == "-") r = x - y;
    else if (op == "*") r = x * y;
    else if (op == "/") r = x / y;
    else if (op == "//") r = std::floor(x / y);
    else if (op == "%") r = std::fmod(x, y);
    return {Value::of_float(r)};
  }
  int64_t x = a.i, y = b.i, r = 0;
  if (op == "+") r = wrap_add(x, y);
  else if (op == "-") r = wrap_sub(x, y);
  else if (op == "*") r = wrap_mul(x, y);
  else if (op == "//" || op == "%") {
    if (y == 0) return {std::nullopt, "integer division by zero"};
    if (y == -1) {
      r = op == "//" ? wrap_sub(0, x) : 0;
    } else if (op == "//") {
      r = x / y - ((x % y != 0) && ((x < 0) != (y < 0)) ? 1 : 0);
    } else {
      r = x % y;
    }
  }
  Value v = Value::of_int(r);
  v.type = e.type;  // timestamp arithmetic keeps its type
  return {v};
}

FoldResult fold_call(const Expr& e, const std::vector<Value>& args) {
  std::string_view name = e.fn->name;
  const Value& a = args.empty() ? Value() : args[0];
  if (name == "float" && a.type == Type::String) {
    // Folded only when it parses; otherwise each record is bad at run time,
    // as for int("x").
    double v;
    if (!flow_parse_float(a.s.data(), static_cast<int64_t>(a.s.size()), &v)) return {};
    return {Value::of_float(v)};
  }
  if (name == "float") return {Value::of_float(as_float(a))};
  if (name == "int" && a.type != Type::Float && a.type != Type::String) {
    return {Value::of_int(a.i)};
  }
  if (name == "timestamp" && a.type == Type::String) {
    int64_t ms;
    if (!flow_parse_timestamp(a.s.data(), static_cast<int64_t>(a.s.size()), 0, &ms)) {
      return {std::nullopt, "'" + a.s + "' is not a timestamp"};
    }
    return {Value::of_timestamp(ms)};
  }
  if (name == "timestamp") return {Value::of_timestamp(a.i)};
  if (name == "parse_timestamp") {
    const std::string& format = args[1].s;
    FlowTimeFormat compiled;
    int64_t error_at = 0;
    int64_t ms = 0;
    if (flow_time_format_compile(format.data(), static_cast<int64_t>(format.size()), &compiled,
                                 &error_at) != FLOW_TIME_FORMAT_OK ||
        !flow_time_parse(&compiled, a.s.data(), static_cast<int64_t>(a.s.size()), &ms)) {
      return {std::nullopt, "'" + a.s + "' is not a timestamp in the format \"" + format + "\""};
    }
    return {Value::of_timestamp(ms)};
  }
  if (name == "string") return {Value::of_string(value_text(a))};
  return {};  // evaluated at run time
}

}  // namespace

FoldResult fold(const Expr& e, const std::vector<Param>* params) {
  switch (e.kind) {
    case ExprKind::Const:
      return {e.value};
    case ExprKind::Param:
      if (params == nullptr) return {};
      return {(*params)[e.index].value};
    case ExprKind::Field:
    case ExprKind::State:
      return {};
    case ExprKind::Cast: {
      FoldResult r = fold(*e.args[0], params);
      if (r.value) r.value = Value::of_float(as_float(*r.value));
      return r;
    }
    default:
      break;
  }
  std::vector<Value> args;
  for (const ExprPtr& a : e.args) {
    FoldResult r = fold(*a, params);
    if (!r.value) return r;
    args.push_back(*r.value);
  }
  switch (e.kind) {
    case ExprKind::Unary:
      if (e.op == "not") return {Value::of_bool(!args[0].i)};
      if (e.type == Type::Float) return {Value::of_float(-args[0].f)};
      return {Value::of_int(wrap_sub(0, args[0].i))};
    case ExprKind::Binary:
      if (e.op == "and") return {Value::of_bool(args[0].i && args[1].i)};
      if (e.op == "or") return {Value::of_bool(args[0].i || args[1].i)};
      return fold_binary(e, args[0], args[1]);
    case ExprKind::If:
      return {args[0].i ? args[1] : args[2]};
    case ExprKind::In: {
      bool found = false;
      for (size_t i = 1; i < args.size(); ++i) found = found || compare(args[0], args[i]) == 0;
      return {Value::of_bool(found != e.negated)};
    }
    case ExprKind::Call:
      return fold_call(e, args);
    default:
      return {};
  }
}

std::optional<Value> parse_value(Type t, std::string_view text) {
  const char* p = text.data();
  int64_t n = static_cast<int64_t>(text.size());
  switch (t) {
    case Type::Bool: {
      int32_t b;
      if (!flow_parse_bool(p, n, &b)) return std::nullopt;
      return Value::of_bool(b != 0);
    }
    case Type::Int: {
      int64_t v;
      if (!flow_parse_int(p, n, &v)) return std::nullopt;
      return Value::of_int(v);
    }
    case Type::Float: {
      double v;
      if (!flow_parse_float(p, n, &v)) return std::nullopt;
      return Value::of_float(v);
    }
    case Type::String:
      return Value::of_string(std::string(text));
    case Type::Timestamp: {
      int64_t v;
      if (!flow_parse_timestamp(p, n, 0, &v)) return std::nullopt;
      return Value::of_timestamp(v);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> parse_duration(std::string_view text) {
  struct Unit {
    std::string_view name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  size_t digits = 0;
  while (digits < text.size() &&
         ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '_')) {
    ++digits;
  }
  std::string_view count_text = text.substr(0, digits);
  if (count_text.empty() || count_text.front() == '_' || count_text.back() == '_')
    return std::nullopt;
  int64_t count = 0;
  for (char c : count_text) {
    if (c == '_') continue;
    if (count > (INT64_MAX - (c - '0')) / 10) return std::nullopt;
    count = count * 10 + (c - '0');
  }
  for (const Unit& u : kUnits) {
    if (text.substr(digits) != u.name) continue;
    if (count > INT64_MAX / u.ms) return std::nullopt;
    return count * u.ms;
  }
  return std::nullopt;
}

std::optional<Value> parse_param_value(const Param& p, std::string_view text) {
  if (!p.duration) return parse_value(p.type, text);
  std::optional<int64_t> ms = parse_duration(text);
  if (!ms) return std::nullopt;
  return Value::of_int(*ms);
}

}  // namespace flowc::plan
