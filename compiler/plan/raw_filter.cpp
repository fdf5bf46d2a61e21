#include "plan/raw_filter.h"

namespace flowc::plan {

namespace {

// `f == "lit"` (either order) with f a source field: the field and literal.
bool field_equals_literal(const Expr& e, int* field, std::string* literal) {
  if (e.kind != ExprKind::Binary || e.op != "==" || e.args.size() != 2) return false;
  for (int k = 0; k < 2; ++k) {
    const Expr& f = *e.args[k];
    const Expr& c = *e.args[1 - k];
    if (f.kind == ExprKind::Field && f.type == Type::String && c.kind == ExprKind::Const &&
        c.value.type == Type::String) {
      *field = f.index;
      *literal = c.value.s;
      return true;
    }
  }
  return false;
}

// The first conjunct of `e` (`a and b and c` nests to the left).
const Expr& first_conjunct(const Expr& e) {
  if (e.kind == ExprKind::Binary && e.op == "and" && !e.args.empty())
    return first_conjunct(*e.args[0]);
  return e;
}

void fields_read(const Expr& e, std::vector<int>* out) {
  if (e.kind == ExprKind::Field) out->push_back(e.index);
  for (const ExprPtr& a : e.args) fields_read(*a, out);
}

// The predicate of the where that starts the only reader of source `index`
// (readers counted as codegen wires them: sinks, every input of a union,
// the other side of a stream join).
const Expr* leading_where(const Pipeline& p, int index) {
  const Stream* reader = nullptr;
  int readers = 0;
  auto reads = [&](const Input& in) { return in.kind == Input::Source && in.index == index; };
  for (const Stream& s : p.streams) {
    for (const Input& in : s.inputs) {
      if (!reads(in)) continue;
      ++readers;
      if (s.inputs.size() == 1) reader = &s;
    }
    for (const Stage& st : s.stages) {
      if (const auto* join = st.as<IntervalJoinStage>(); join != nullptr && reads(join->other))
        ++readers;
    }
  }
  for (const Sink& s : p.sinks) {
    if (reads(s.input)) ++readers;
  }
  if (readers != 1 || reader == nullptr || reader->stages.empty()) return nullptr;
  const WhereStage* where = reader->stages[0].as<WhereStage>();
  return where == nullptr ? nullptr : where->predicate.get();
}

}  // namespace

std::optional<RawFilter> raw_filter(const Pipeline& p, int index) {
  const Expr* where = leading_where(p, index);
  RawFilter f;
  if (where == nullptr || !field_equals_literal(first_conjunct(*where), &f.field, &f.literal)) {
    return std::nullopt;
  }
  f.where = where;
  const Source& src = p.sources[index];
  auto refuse = [&](std::string why) {
    f.why_not = std::move(why);
    return f;
  };
  switch (src.format.kind) {
    case FormatKind::Json: return refuse("json records are validated whole");
    case FormatKind::Regex: return refuse("a record must match the pattern");
    case FormatKind::Csv: break;
    default: return refuse("a line is compared as fast as it is searched");
  }
  if (src.connector.kind == ConnectorKind::Kafka)
    return refuse("kafka messages may hold an unclosed quote");
  if (src.event_time >= 0) return refuse("every record's event time moves the watermark");
  if (f.literal.empty() || f.literal.find('"') != std::string::npos) {
    return refuse("the literal is empty or holds a quote");
  }
  std::vector<int> read;
  fields_read(*where, &read);
  for (int i : read) {
    const Field& field = src.schema.fields[i];
    if (field.type != Type::String)
      return refuse("\"" + field.name + "\" is converted before the where");
    if (field.default_value) {
      if (i == f.field && field.default_value->s == f.literal) {
        return refuse("\"" + field.name + "\" defaults to the literal");
      }
      // A built program reads the default from a param at run time: it
      // may be the literal.
      if (i == f.field && field.default_expr)
        return refuse("\"" + field.name + "\" defaults to a param");
      continue;
    }
    if (src.format.param_args.count("header")) {
      return refuse("\"" + field.name + "\" has no default and a param sets the header");
    }
    if (!src.format.header) {
      if (i != 0) return refuse("\"" + field.name + "\" has no default and may be missing");
      continue;
    }
    f.first_column.push_back(i);
  }
  f.applies = true;
  return f;
}

std::string raw_filter_text(const Pipeline& p, int index, const RawFilter& f) {
  std::string lit = value_literal(Value::of_string(f.literal));
  if (!f.applies) return "raw filter: none for " + lit + " (" + f.why_not + ")";
  std::string text = "raw filter: records without the bytes " + lit + " are dropped unparsed";
  for (size_t k = 0; k < f.first_column.size(); ++k) {
    text += (k == 0 ? " (when the header puts \"" : ", \"") +
            p.sources[index].schema.fields[f.first_column[k]].name + "\"";
    if (k + 1 == f.first_column.size()) text += " first)";
  }
  return text;
}

}  // namespace flowc::plan
