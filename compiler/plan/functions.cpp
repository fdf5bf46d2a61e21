#include "plan/functions.h"

namespace flowc::plan {

namespace {
constexpr Type B = Type::Bool, I = Type::Int, F = Type::Float, S = Type::String,
               T = Type::Timestamp;
}

// LANGUAGE.md section 8. Keep the order of the spec: strings, numbers,
// conversions, time, hashing.
const std::vector<Function>& functions() {
  static const std::vector<Function> table = {
      // strings
      {"len", {S}, I, "flow_str_len"},
      {"lower", {S}, S, "flow_str_lower"},
      {"upper", {S}, S, "flow_str_upper"},
      {"trim", {S}, S, "flow_str_trim"},
      {"contains", {S, S}, B, "flow_str_contains"},
      {"starts_with", {S, S}, B, "flow_str_starts_with"},
      {"ends_with", {S, S}, B, "flow_str_ends_with"},
      {"substr", {S, I, I}, S, "flow_str_substr"},
      {"replace", {S, S, S}, S, "flow_str_replace"},
      {"split_part", {S, S, I}, S, "flow_str_split_part"},
      {"regex_match", {S, S}, B, "flow_regex_match", false, ArgShape::Fixed, 1},
      {"regex_extract", {S, S, I}, S, "flow_regex_extract", false, ArgShape::Fixed, 1},
      // numbers
      {"abs", {I}, I, "flow_num_abs_i64"},
      {"abs", {F}, F, "flow_num_abs_f64"},
      {"floor", {I}, I, "", false, ArgShape::Fixed, -1, true},
      {"floor", {F}, F, "flow_num_floor_f64"},
      {"ceil", {I}, I, "", false, ArgShape::Fixed, -1, true},
      {"ceil", {F}, F, "flow_num_ceil_f64"},
      {"round", {I}, I, "", false, ArgShape::Fixed, -1, true},
      {"round", {F}, F, "flow_num_round_f64"},
      {"round", {F, I}, F, "flow_num_round_digits_f64"},
      {"round", {I, I}, I, "flow_num_round_digits_i64"},
      {"sqrt", {F}, F, "flow_num_sqrt_f64"},
      {"ln", {F}, F, "flow_num_ln_f64"},
      {"log10", {F}, F, "flow_num_log10_f64"},
      {"exp", {F}, F, "flow_num_exp_f64"},
      {"pow", {F, F}, F, "flow_num_pow_f64"},
      {"least", {I}, I, "", false, ArgShape::Variadic, -1, true},
      {"least", {F}, F, "", false, ArgShape::Variadic, -1, true},
      {"least", {S}, S, "", false, ArgShape::Variadic, -1, true},
      {"least", {T}, T, "", false, ArgShape::Variadic, -1, true},
      {"greatest", {I}, I, "", false, ArgShape::Variadic, -1, true},
      {"greatest", {F}, F, "", false, ArgShape::Variadic, -1, true},
      {"greatest", {S}, S, "", false, ArgShape::Variadic, -1, true},
      {"greatest", {T}, T, "", false, ArgShape::Variadic, -1, true},
      // conversions
      {"int", {I}, I, "", false, ArgShape::Fixed, -1, true},
      {"int", {F}, I, "flow_conv_int_f64", true},
      {"int", {S}, I, "flow_conv_int_str", true},
      {"int", {B}, I, "", false, ArgShape::Fixed, -1, true},
      {"int", {T}, I, "", false, ArgShape::Fixed, -1, true},
      {"float", {F}, F, "", false, ArgShape::Fixed, -1, true},
      {"float", {I}, F, "", false, ArgShape::Fixed, -1, true},
      {"float", {S}, F, "flow_conv_float_str", true},
      {"float", {B}, F, "", false, ArgShape::Fixed, -1, true},
      {"string", {S}, S, "", false, ArgShape::Fixed, -1, true},
      {"string", {I}, S, "flow_conv_string_i64"},
      {"string", {F}, S, "flow_conv_string_f64"},
      {"string", {B}, S, "flow_conv_string_bool"},
      {"string", {T}, S, "flow_conv_string_ts"},
      {"timestamp", {T}, T, "", false, ArgShape::Fixed, -1, true},
      {"timestamp", {I}, T, "", false, ArgShape::Fixed, -1, true},
      {"timestamp", {S}, T, "flow_conv_timestamp_str", true},
      {"parse_timestamp", {S, S}, T, "flow_time_parse", true, ArgShape::Fixed, 1},
      // time, UTC
      {"year", {T}, I, "flow_time_year"},
      {"month", {T}, I, "flow_time_month"},
      {"day", {T}, I, "flow_time_day"},
      {"hour", {T}, I, "flow_time_hour"},
      {"minute", {T}, I, "flow_time_minute"},
      {"second", {T}, I, "flow_time_second"},
      {"day_of_week", {T}, I, "flow_time_day_of_week"},
      {"floor_time", {T, I}, T, "flow_time_floor"},
      {"now", {}, T, "", false, ArgShape::Fixed, -1, true},
      // hashing
      {"hash", {}, I, "flow_hash_combine", false, ArgShape::AnyTypes},
  };
  return table;
}

std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const Function& f : functions()) {
    if (names.empty() || names.back() != f.name) names.push_back(f.name);
  }
  return names;
}

std::vector<const Function*> overloads(std::string_view name) {
  std::vector<const Function*> out;
  for (const Function& f : functions()) {
    if (name == f.name) out.push_back(&f);
  }
  return out;
}

static bool accepts(const Function& f, std::span<const Type> args, bool widen) {
  auto fits = [&](Type want, Type got) {
    return want == got || (widen && want == Type::Float && got == Type::Int);
  };
  switch (f.shape) {
    case ArgShape::AnyTypes: return !args.empty();
    case ArgShape::Variadic:
      if (args.empty()) return false;
      for (Type t : args) {
        if (!fits(f.args[0], t)) return false;
      }
      return true;
    case ArgShape::Fixed:
      if (args.size() != f.args.size()) return false;
      for (size_t i = 0; i < args.size(); ++i) {
        if (!fits(f.args[i], args[i])) return false;
      }
      return true;
  }
  return false;
}

const Function* resolve_function(std::string_view name, std::span<const Type> args) {
  std::vector<const Function*> candidates = overloads(name);
  return resolve_function(candidates, args);
}

const Function* resolve_function(std::span<const Function* const> candidates,
                                 std::span<const Type> args) {
  for (bool widen : {false, true}) {
    for (const Function* f : candidates) {
      if (accepts(*f, args, widen)) return f;
    }
  }
  return nullptr;
}

std::string signature_text(const Function& f) {
  std::string out = std::string(f.name) + "(";
  if (f.shape == ArgShape::AnyTypes) {
    out += "x, ...";
  } else {
    for (size_t i = 0; i < f.args.size(); ++i) {
      out += (i ? ", " : "") + std::string(type_name(f.args[i]));
    }
    if (f.shape == ArgShape::Variadic) out += ", ...";
  }
  return out + ") -> " + type_name(f.result);
}

const std::vector<AggregateInfo>& aggregates() {
  static const std::vector<AggregateInfo> table = {
      {"count", AggFn::Count, 0}, {"sum", AggFn::Sum, 1},
      {"avg", AggFn::Avg, 1},     {"min", AggFn::Min, 1},
      {"max", AggFn::Max, 1},     {"count_distinct", AggFn::CountDistinct, 1},
      {"first", AggFn::First, 1}, {"last", AggFn::Last, 1},
  };
  return table;
}

std::optional<AggFn> find_aggregate(std::string_view name) {
  for (const AggregateInfo& a : aggregates()) {
    if (name == a.name) return a.fn;
  }
  return std::nullopt;
}

std::vector<std::string> aggregate_names() {
  std::vector<std::string> out;
  for (const AggregateInfo& a : aggregates()) out.push_back(a.name);
  return out;
}

}  // namespace flowc::plan
