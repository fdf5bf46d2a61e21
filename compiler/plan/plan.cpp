#include "plan/plan.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace flowc::plan {

const char* type_name(Type t) {
  switch (t) {
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::String: return "string";
    case Type::Timestamp: return "timestamp";
  }
  return "?";
}

std::optional<Type> parse_type_name(std::string_view name) {
  for (Type t : {Type::Bool, Type::Int, Type::Float, Type::String, Type::Timestamp}) {
    if (name == type_name(t)) return t;
  }
  return std::nullopt;
}

const char* format_name(FormatKind k) {
  switch (k) {
    case FormatKind::Csv: return "csv";
    case FormatKind::Json: return "json";
    case FormatKind::Lines: return "lines";
    case FormatKind::Regex: return "regex";
    case FormatKind::Table: return "table";
    case FormatKind::Default: return "default";
  }
  return "?";
}

const char* agg_name(AggFn f) {
  switch (f) {
    case AggFn::Count: return "count";
    case AggFn::Sum: return "sum";
    case AggFn::Avg: return "avg";
    case AggFn::Min: return "min";
    case AggFn::Max: return "max";
    case AggFn::CountDistinct: return "count_distinct";
    case AggFn::First: return "first";
    case AggFn::Last: return "last";
  }
  return "?";
}

std::string duration_text(int64_t ms) {
  struct Unit {
    const char* name;
    int64_t ms;
  };
  static constexpr Unit kUnits[] = {{"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1000}};
  for (const Unit& u : kUnits) {
    if (ms != 0 && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.name;
  }
  return std::to_string(ms) + "ms";
}

const char* emit_name(EmitMode m) {
  switch (m) {
    case EmitMode::Final: return "final";
    case EmitMode::Updates: return "updates";
    case EmitMode::Each: return "each";
    case EmitMode::Updated: return "updated";
    case EmitMode::All: return "all";
  }
  return "?";
}

static std::string float_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

static std::string timestamp_text(int64_t ms) {
  // Howard Hinnant's civil_from_days, on floor-divided days.
  int64_t days = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
  int64_t rem = ms - days * 86'400'000;
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3'600'000), static_cast<long long>(rem / 60'000 % 60),
                static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
  return buf;
}

std::string value_text(const Value& v) {
  switch (v.type) {
    case Type::Bool: return v.i ? "true" : "false";
    case Type::Int: return std::to_string(v.i);
    case Type::Float: return float_text(v.f);
    case Type::String: return v.s;
    case Type::Timestamp: return timestamp_text(v.i);
  }
  return "";
}

std::string value_literal(const Value& v) {
  if (v.type == Type::Timestamp) return "timestamp(\"" + timestamp_text(v.i) + "\")";
  if (v.type == Type::Float && !std::isfinite(v.f)) return "float(\"" + float_text(v.f) + "\")";
  if (v.type == Type::Float) {
    std::string text = float_text(v.f);
    // Keep a float looking like a float: `3` would read back as an int.
    if (text.find_first_of(".en") == std::string::npos) text += ".0";
    return text;
  }
  if (v.type != Type::String) return value_text(v);
  std::string out = "\"";
  for (unsigned char c : v.s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

int Schema::find(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Schema::find_qualified(std::string_view qualifier, std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name && fields[i].qualifier == qualifier) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const Field& f : fields) out.push_back(f.name);
  return out;
}

ExprPtr Expr::clone() const {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->type = type;
  e->range = range;
  e->value = value;
  e->index = index;
  e->fn = fn;
  e->op = op;
  e->negated = negated;
  for (const ExprPtr& a : args) e->args.push_back(a->clone());
  return e;
}

}  // namespace flowc::plan
