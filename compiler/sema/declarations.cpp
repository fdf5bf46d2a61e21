// Sources, tables and sinks (LANGUAGE.md 4, 4.1, 4.2): connectors and
// their arguments, formats, schemas with defaults, event time, on_error.
#include <re2/re2.h>

#include "sema/analyzer.h"

namespace flowc {

using plan::Type;

namespace {

// A connector's or format's named arguments, in positional order.
struct ArgSpec {
  const char* name;
  Type type;
  bool required = false;
  // Formats: what the option means when the format writes a sink, or null
  // when a sink cannot honour it (a compile error there, LANGUAGE.md 13).
  const char* on_output = nullptr;
};

struct ConnectorSpec {
  const char* name;
  plan::ConnectorKind kind;
  bool source, table, sink;
  std::vector<ArgSpec> args;
};

const std::vector<ConnectorSpec>& connector_specs() {
  // clang-format off: a table, one connector a row
  static const std::vector<ConnectorSpec> specs = {
      {"file", plan::ConnectorKind::File, true, true, true,
       {{"path", Type::String, true}, {"follow", Type::Bool}}},
      {"dir", plan::ConnectorKind::Dir, true, false, false,
       {{"path", Type::String, true}, {"pattern", Type::String}, {"follow", Type::Bool}}},
      {"stdin", plan::ConnectorKind::Stdin, true, false, false, {}},
      {"stdout", plan::ConnectorKind::Stdout, false, false, true, {}},
      {"socket", plan::ConnectorKind::Socket, true, false, false,
       {{"address", Type::String, true}}},
      {"generate", plan::ConnectorKind::Generate, true, false, false,
       {{"count", Type::Int}, {"rate", Type::Int}, {"start", Type::Timestamp},
        {"step", Type::Int}}},
      {"kafka", plan::ConnectorKind::Kafka, true, false, true,
       {{"brokers", Type::String, true}, {"topic", Type::String},
        {"group", Type::String}, {"start", Type::String}, {"stop_at_end", Type::Bool},
        {"exactly_once", Type::Bool}, {"topic_pattern", Type::String},
        {"changelog", Type::String}}},
  };
  // clang-format on
  return specs;
}

struct FormatSpec {
  const char* name;
  plan::FormatKind kind;
  bool readable, writable;
  std::vector<ArgSpec> args;
};

const std::vector<FormatSpec>& format_specs() {
  static const std::vector<FormatSpec> specs = {
      {"csv",
       plan::FormatKind::Csv,
       true,
       true,
       {{"header", Type::Bool, false, "a header line when the output is created"},
        {"delimiter", Type::String, false, "the character between fields"},
        {"timestamp_unit", Type::String}}},
      {"json", plan::FormatKind::Json, true, true, {{"timestamp_unit", Type::String}}},
      {"lines", plan::FormatKind::Lines, true, false, {}},
      {"regex",
       plan::FormatKind::Regex,
       true,
       false,
       {{"pattern", Type::String, true}, {"timestamp_unit", Type::String}}},
      {"table", plan::FormatKind::Table, false, true, {}},
  };
  return specs;
}

// The connector's or format's spec named by `c`; reports an unknown name
// with a did-you-mean.
template <typename Spec>
const Spec* find_spec(const std::vector<Spec>& specs, const ast::Call& c, const char* what,
                      DiagnosticEngine& diags) {
  for (const Spec& s : specs) {
    if (c.name == s.name) return &s;
  }
  Diagnostic& d = diags.error(c.name_range, "unknown " + std::string(what) + " '" + c.name + "'");
  std::vector<std::string> names;
  for (const Spec& s : specs) names.push_back(s.name);
  diags.suggest(d, c.name, names);
  return nullptr;
}

std::string role_name(int role) {
  switch (role) {
    case 0: return "a source";
    case 1: return "a table";
    case 2: return "a sink";
    default: return "a dead-letter output";
  }
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

// One argument of a connector or format, bound to its name.
struct BoundArg {
  plan::Value value;      // at compile time (JIT runs: with the --param values)
  plan::ParamExpr expr;   // when it reads a param: evaluated again by built programs
  std::string text;       // as written, for explain: a literal, or the expression
};

// Binds a call's positional and named arguments to `specs`, checking names,
// types and constness. Dotted names (librdkafka properties) are collected
// into `extra` when `extra` is not null, each as given.
static bool bind_args(Analyzer& a, const ast::Call& call, const std::vector<ArgSpec>& specs,
                      const std::string& what, std::map<std::string, BoundArg>& out,
                      std::vector<std::pair<std::string, BoundArg>>* extra) {
  DiagnosticEngine& diags = a.diags();
  bool ok = true;
  size_t position = 0;
  bool named_seen = false;
  for (const ast::Arg& arg : call.args) {
    const ArgSpec* spec = nullptr;
    if (arg.name.empty()) {
      if (named_seen) {
        diags.error(arg.value->range, "a positional argument cannot follow a named one");
        ok = false;
        continue;
      }
      if (position >= specs.size()) {
        diags.error(arg.value->range, "'" + what + "' takes " + std::to_string(specs.size()) +
                                          " argument" + (specs.size() == 1 ? "" : "s") +
                                          ", got " + std::to_string(call.args.size()));
        ok = false;
        continue;
      }
      spec = &specs[position++];
    } else {
      named_seen = true;
      if (extra && arg.name.find('.') != std::string::npos) {
        Scope scope;
        scope.constant = true;
        plan::ExprPtr e = a.check_expr(*arg.value, scope);
        if (!e) {
          ok = false;
          continue;
        }
        auto c = a.constant_expr(*arg.value, e->type, "argument '" + arg.name + "'");
        if (!c) {
          ok = false;
          continue;
        }
        // Written as text when it reads no param: the runtime takes options as text.
        std::string text =
            c->expr ? c->written
                    : plan::value_literal(plan::Value::of_string(plan::value_text(c->value)));
        extra->emplace_back(arg.name, BoundArg{c->value, c->expr, text});
        continue;
      }
      for (const ArgSpec& s : specs) {
        if (arg.name == s.name) spec = &s;
      }
      if (spec == nullptr) {
        Diagnostic& d = diags.error(arg.name_range, "unknown argument '" + arg.name + "' for '" +
                                                        what + "'");
        std::vector<std::string> names;
        for (const ArgSpec& s : specs) names.push_back(s.name);
        diags.suggest(d, arg.name, names);
        if (d.helps.empty() && !names.empty()) {
          std::string list;
          for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
          d.helps.push_back("'" + what + "' takes " + list);
        }
        ok = false;
        continue;
      }
    }
    if (out.count(spec->name)) {
      diags.error(arg.value->range, "argument '" + std::string(spec->name) + "' is given twice");
      ok = false;
      continue;
    }
    // `start` of generate() is epoch ms or RFC 3339 text: constant() takes both.
    std::string label = "argument '" + std::string(spec->name) + "' of '" + what + "'";
    auto c = a.constant_expr(*arg.value, spec->type, label);
    if (!c) {
      ok = false;
      continue;
    }
    out[spec->name] =
        BoundArg{c->value, c->expr, c->expr ? c->written : plan::value_literal(c->value)};
  }
  for (const ArgSpec& s : specs) {
    if (s.required && !out.count(s.name) && ok) {
      diags.error(call.range, "'" + what + "' needs the argument '" + std::string(s.name) + "'");
      ok = false;
    }
  }
  return ok;
}

// `name: text, ...` in the order written, for explain (the first argument
// positional when it was written so).
static std::string call_text(const ast::Call& c, const std::vector<ArgSpec>& specs,
                             const std::map<std::string, BoundArg>& args,
                             const std::vector<std::pair<std::string, BoundArg>>& extra) {
  std::string text = c.name;
  if (!c.has_parens) return text;
  text += "(";
  size_t next_extra = 0;
  for (size_t i = 0; i < c.args.size(); ++i) {
    const ast::Arg& arg = c.args[i];
    std::string name = arg.name.empty() ? specs[i].name : arg.name;
    bool dotted = name.find('.') != std::string::npos;
    // librdkafka properties are written as strings: "security.protocol".
    std::string written = dotted ? plan::value_literal(plan::Value::of_string(name)) : name;
    text += (i ? ", " : "") + (arg.name.empty() && i == 0 ? "" : written + ": ");
    if (dotted) {
      text += extra[next_extra++].second.text;
    } else {
      text += args.at(name).text;
    }
  }
  return text + ")";
}

std::optional<plan::Connector> Analyzer::check_connector(const ast::Call& c, Role role) {
  const ConnectorSpec* spec = find_spec(connector_specs(), c, "connector", diags_);
  if (spec == nullptr) return std::nullopt;
  bool allowed = role == Role::Source ? spec->source
               : role == Role::Table  ? spec->table
               : role == Role::Sink   ? spec->sink
                                      : spec->kind == plan::ConnectorKind::File;
  if (!allowed) {
    diags_.error(c.name_range, "'" + c.name + "' cannot be " + role_name(static_cast<int>(role)));
    return std::nullopt;
  }
  std::map<std::string, BoundArg> bound;
  std::vector<std::pair<std::string, BoundArg>> extra;
  plan::Connector out;
  out.kind = spec->kind;
  bool kafka = spec->kind == plan::ConnectorKind::Kafka;
  if (!bind_args(*this, c, spec->args, c.name, bound, kafka ? &extra : nullptr)) {
    return std::nullopt;
  }
  std::map<std::string, plan::Value> args;
  for (const auto& [name, arg] : bound) {
    args[name] = arg.value;
    if (arg.expr) out.param_args[name] = arg.expr;
  }
  if (args.count("path")) out.path = args["path"].s;
  if (args.count("address")) out.path = args["address"].s;
  out.follow = spec->kind == plan::ConnectorKind::Dir;  // a folder is followed by default
  if (args.count("follow")) out.follow = args["follow"].i != 0;
  if (args.count("pattern")) out.pattern = args["pattern"].s;
  if (args.count("count")) out.count = args["count"].i;
  if (args.count("rate")) out.rate = args["rate"].i;
  if (args.count("start")) out.start = args["start"].i;
  if (args.count("step")) out.step = args["step"].i;
  if (kafka) {
    // Every kafka argument is an option as text (the runtime parses them);
    // one that reads a param is evaluated as text by built programs.
    for (auto& [name, value] : args) out.kafka[name] = plan::value_text(value);
    for (auto& [name, arg] : extra) {
      out.kafka[name] = plan::value_text(arg.value);
      if (arg.expr) out.param_args[name] = arg.expr;
    }
    for (auto& [name, expr] : out.param_args) {
      if (expr->type != Type::String) expr = convert(expr->clone(), Type::String);
    }
  }
  // A value that --param gave makes the error the run option's (exit 2).
  auto fail = [&](const std::string& message, const char* arg = nullptr) {
    auto e = arg ? out.param_args.find(arg) : out.param_args.end();
    diags_.error(c.range, message).usage =
        e != out.param_args.end() && reads_param(*e->second, true);
    return std::nullopt;
  };
  if ((spec->kind == plan::ConnectorKind::File || spec->kind == plan::ConnectorKind::Dir) &&
      out.path.empty()) {
    return fail("the path of '" + c.name + "' is empty", "path");
  }
  if (out.follow && role != Role::Source) return fail("'follow' is only for file sources");
  // LANGUAGE.md 13: a .gz file is inflated from its start; growth cannot
  // be followed (a folder of .gz files can: each is read whole).
  if (spec->kind == plan::ConnectorKind::File && out.follow && out.path.ends_with(".gz")) {
    auto e = out.param_args.find("path");
    Diagnostic& d = diags_.error(c.range, "a '.gz' file cannot be followed");
    d.usage = e != out.param_args.end() && reads_param(*e->second, true);
    d.helps.push_back(
        "a compressed file is read whole: drop 'follow: true', or read a folder "
        "that .gz files are moved into with dir(\"PATH\", pattern: \"*.gz\")");
    return std::nullopt;
  }
  if (spec->kind == plan::ConnectorKind::Dir && out.pattern.find('/') != std::string::npos) {
    return fail("the 'pattern' of 'dir' matches file names, which hold no '/'", "pattern");
  }
  if (spec->kind == plan::ConnectorKind::Socket && out.path.rfind(':') == std::string::npos) {
    return fail("the address of 'socket' must be \"host:port\"", "address");
  }
  if (spec->kind == plan::ConnectorKind::Generate) {
    if (out.count < 0) return fail("'count' of 'generate' cannot be negative", "count");
    if (out.rate < 0) return fail("'rate' of 'generate' cannot be negative", "rate");
    if (out.step <= 0 && args.count("step"))
      return fail("'step' of 'generate' must be positive", "step");
  }
  if (kafka) {
    const bool pattern = args.count("topic_pattern") != 0;
    if (!args.count("topic") && !pattern) {
      Diagnostic& d = diags_.error(c.range, "'kafka' needs the argument 'topic'");
      if (role == Role::Source) {
        d.helps.push_back("or 'topic_pattern: \"^logs-.*\"' to read every topic the regex matches");
      }
      return std::nullopt;
    }
    if (role == Role::Sink && pattern) return fail("'topic_pattern' is for kafka sources");
    if (role == Role::Sink && args["topic"].s.find(',') != std::string::npos) {
      return fail("a kafka sink writes one topic: 'topic' holds a ','", "topic");
    }
    if (pattern && args.count("topic")) {
      return fail("'topic' and 'topic_pattern' cannot both be given");
    }
    if (pattern) {
      const std::string& re = args["topic_pattern"].s;
      if (!re.starts_with("^")) {
        Diagnostic& d = diags_.error(c.range, "'topic_pattern' must start with '^'");
        d.helps.push_back(
            "librdkafka takes a subscription as a regex only when it starts with '^': "
            "\"^" +
            re + "\"");
        return std::nullopt;
      }
      RE2 compiled(re, RE2::Quiet);
      if (!compiled.ok())
        return fail("'topic_pattern' is not a valid regex: " + compiled.error(), "topic_pattern");
    }
    if (role == Role::Source && !args.count("group")) {
      return fail("a kafka source needs the argument 'group'");
    }
    if (args.count("start") && args["start"].s != "earliest" && args["start"].s != "latest") {
      return fail("'start' of 'kafka' must be \"earliest\" or \"latest\"", "start");
    }
    if (role == Role::Source && args.count("exactly_once")) {
      return fail("'exactly_once' is for kafka sinks");
    }
    if (role == Role::Sink && (args.count("stop_at_end") || args.count("start"))) {
      return fail("'start' and 'stop_at_end' are for kafka sources");
    }
    if (role == Role::Sink && args.count("changelog")) {
      return fail("'changelog' is for kafka sources (the topic their keyed state is kept in)");
    }
    if (args.count("changelog") && args["changelog"].s.empty()) {
      return fail("the 'changelog' topic of 'kafka' is empty", "changelog");
    }
  }
  out.text = call_text(c, spec->args, bound, extra);
  return out;
}

// A sink honours the options of its format that mean something on output
// (csv's header and delimiter) and refuses the others by name, rather than
// ignoring them (LANGUAGE.md 13 "Letters", "Sink CSV").
static bool check_output_options(DiagnosticEngine& diags, const ast::Call& c,
                                 const FormatSpec& spec) {
  bool ok = true;
  size_t position = 0;
  for (const ast::Arg& arg : c.args) {
    const ArgSpec* option = nullptr;
    if (arg.name.empty()) {
      if (position < spec.args.size()) option = &spec.args[position];
      ++position;
    }
    for (const ArgSpec& s : spec.args) {
      if (arg.name == s.name) option = &s;
    }
    if (option == nullptr || option->on_output != nullptr) continue;
    Diagnostic& d = diags.error(arg.name.empty() ? arg.value->range : arg.name_range,
                                "format '" + std::string(spec.name) + "' cannot honour '" +
                                    option->name + "' when it writes a sink");
    std::string honoured;
    for (const ArgSpec& s : spec.args) {
      if (s.on_output)
        honoured +=
            std::string(honoured.empty() ? "" : ", ") + "'" + s.name + "' (" + s.on_output + ")";
    }
    d.helps.push_back(honoured.empty()
                          ? "'" + std::string(spec.name) + "' takes no options on output"
                          : "on output '" + std::string(spec.name) + "' takes " + honoured);
    ok = false;
  }
  return ok;
}

std::optional<plan::Format> Analyzer::check_format(const ast::Call& c, Role role) {
  const FormatSpec* spec = find_spec(format_specs(), c, "format", diags_);
  if (spec == nullptr) return std::nullopt;
  if (role == Role::Sink ? !spec->writable : !spec->readable) {
    diags_.error(c.name_range, std::string("format '") + spec->name + "' can only be " +
                                   (spec->writable ? "written" : "read"));
    return std::nullopt;
  }
  // A regex pattern is compiled with the pipeline: the params it reads are
  // fixed in built programs (LANGUAGE.md 13).
  if (spec->kind == plan::FormatKind::Regex) {
    for (size_t i = 0; i < c.args.size(); ++i) {
      const ast::Arg& arg = c.args[i];
      if ((arg.name.empty() && i == 0) || arg.name == "pattern") mark_regex_params(*arg.value);
    }
  }
  std::map<std::string, BoundArg> bound;
  if (!bind_args(*this, c, spec->args, c.name, bound, nullptr)) return std::nullopt;
  std::map<std::string, plan::Value> args;
  if (role == Role::Sink && !check_output_options(diags_, c, *spec)) return std::nullopt;
  plan::Format out;
  for (const auto& [name, arg] : bound) {
    args[name] = arg.value;
    if (arg.expr && name != "pattern") out.param_args[name] = arg.expr;
  }
  auto fail = [&](const std::string& message, const char* arg) {
    auto e = out.param_args.find(arg);
    diags_.error(c.range, message).usage =
        e != out.param_args.end() && reads_param(*e->second, true);
    return std::nullopt;
  };
  out.kind = spec->kind;
  if (args.count("header")) out.header = args["header"].i != 0;
  if (args.count("delimiter")) {
    if (args["delimiter"].s.size() != 1 || args["delimiter"].s == "\"" ||
        args["delimiter"].s == "\n") {
      return fail("the csv delimiter must be one character other than '\"' or a newline",
                  "delimiter");
    }
    out.delimiter = args["delimiter"].s[0];
  }
  if (args.count("timestamp_unit")) {
    const std::string& unit = args["timestamp_unit"].s;
    if (unit == "ms") out.timestamp_unit = 0;
    else if (unit == "s") out.timestamp_unit = 1;
    else if (unit == "us") out.timestamp_unit = 2;
    else return fail("'timestamp_unit' must be \"s\", \"ms\" or \"us\"", "timestamp_unit");
  }
  if (args.count("pattern")) {
    out.pattern = args["pattern"].s;
    RE2 re(out.pattern, RE2::Quiet);
    if (!re.ok()) {
      diags_.error(c.args[0].value->range, "invalid regular expression: " + re.error());
      return std::nullopt;
    }
  }
  out.text = c.name;
  if (c.has_parens && !c.args.empty()) {
    out.text += "(";
    bool first = true;
    for (const ArgSpec& s : spec->args) {
      if (!bound.count(s.name)) continue;
      out.text += (first ? "" : ", ") + (s.required ? "" : std::string(s.name) + ": ") +
                  bound.at(s.name).text;
      first = false;
    }
    out.text += ")";
  }
  return out;
}

std::optional<plan::Schema> Analyzer::check_schema(const ast::Schema& s) {
  plan::Schema out;
  bool ok = true;
  for (const ast::FieldDecl& f : s.fields) {
    if (out.find(f.name) >= 0) {
      diags_.error(f.name_range, "field '" + f.name + "' is declared twice");
      ok = false;
      continue;
    }
    std::optional<Type> type = check_type(f.type_name, f.type_range);
    if (!type) {
      ok = false;
      continue;
    }
    plan::Field field{f.name, *type, std::nullopt, ""};
    if (f.default_value) {
      // A default written as text for a timestamp field is parsed like input.
      auto c = constant_expr(*f.default_value, *type, "the default of field '" + f.name + "'");
      if (c) {
        field.default_value = c->value;
        field.default_expr = c->expr;
      } else {
        ok = false;
      }
    }
    if (f.time_format) {
      if (*type != Type::Timestamp) {
        diags_
            .error(f.format_range,
                   std::string("'format' is for timestamp fields, not ") + plan::type_name(*type))
            .helps.push_back("declare '" + f.name +
                             ": timestamp format \"...\"', or parse the text "
                             "with parse_timestamp(" +
                             f.name + ", \"...\")");
        ok = false;
      } else if (f.time_format->empty()) {
        diags_.error(f.format_range, "a timestamp format cannot be empty");
        ok = false;
      } else if (!check_time_format(*f.time_format, f.format_range)) {
        ok = false;
      }
      field.time_format = *f.time_format;
    }
    out.fields.push_back(std::move(field));
  }
  if (!ok) return std::nullopt;
  return out;
}

void Analyzer::report_repeated(const ast::Decl& d) {
  for (const auto& [clause, range] : d.repeated_clauses) {
    diags_.error(range, "'" + clause + "' is given twice");
  }
}

void Analyzer::check_source(const ast::Decl& d) {
  report_repeated(d);
  bool ok = d.repeated_clauses.empty();
  plan::Source src;
  src.name = d.name;
  src.range = d.range;
  std::optional<plan::Connector> connector = check_connector(*d.connector, Role::Source);
  ok = ok && connector;
  if (connector) src.connector = *connector;
  bool generate = connector && connector->kind == plan::ConnectorKind::Generate;
  if (generate) {
    src.schema.fields = {{"value", Type::Int, std::nullopt, ""},
                         {"ts", Type::Timestamp, std::nullopt, ""}};
    if (d.format) {
      diags_.error(d.format->range, "a 'generate' source takes no format");
      ok = false;
    }
    if (d.schema) {
      Diagnostic& diag = diags_.error(d.schema->range, "a 'generate' source takes no schema");
      diag.helps.push_back("its schema is { value: int, ts: timestamp }");
      ok = false;
    }
  } else if (connector) {
    if (!d.format) {
      diags_.error(d.name_range, "source '" + d.name + "' needs a format")
          .helps.push_back("add 'format csv', 'format json', 'format lines' or 'format regex(\"...\")'");
      ok = false;
    } else if (auto format = check_format(*d.format, Role::Source)) {
      src.format = *format;
    } else {
      ok = false;
    }
    bool lines = d.format && d.format->name == "lines";
    if (d.schema) {
      if (auto schema = check_schema(*d.schema)) {
        src.schema = *schema;
      } else {
        ok = false;
      }
      if (lines && ok && (src.schema.fields.size() != 1 || src.schema.fields[0].name != "line" ||
                          src.schema.fields[0].type != Type::String)) {
        diags_.error(d.schema->range, "format 'lines' has the fixed schema { line: string }");
        ok = false;
      }
    } else if (lines) {
      src.schema.fields = {{"line", Type::String, std::nullopt, ""}};
    } else {
      diags_.error(d.name_range, "source '" + d.name + "' needs a schema")
          .helps.push_back("add 'schema { name: type, ... }'");
      ok = false;
    }
    if (ok && src.format.kind == plan::FormatKind::Regex) {
      RE2 re(src.format.pattern, RE2::Quiet);
      const auto& groups = re.NamedCapturingGroups();
      for (const plan::Field& f : src.schema.fields) {
        if (!groups.count(f.name) && !f.default_value) {
          diags_.error(d.format->range, "the pattern has no group '(?P<" + f.name +
                                            ">...)' for field '" + f.name + "'")
              .helps.push_back("add the named group, or give the field a default");
          ok = false;
        }
      }
    }
  }
  if (d.event_time) {
    int index = src.schema.find(*d.event_time);
    if (index < 0 && ok) {
      Diagnostic& diag = diags_.error(d.event_time_range, "unknown field '" + *d.event_time +
                                                              "' in source '" + d.name + "'");
      diags_.suggest(diag, *d.event_time, src.schema.names());
      ok = false;
    } else if (index >= 0 && src.schema.fields[index].type != Type::Timestamp) {
      diags_.error(d.event_time_range, "the event time field '" + *d.event_time +
                                           "' must be a timestamp, got " +
                                           plan::type_name(src.schema.fields[index].type));
      ok = false;
    }
    src.event_time = index;
    if (d.watermark) {
      std::optional<plan::Duration> watermark = check_duration(*d.watermark);
      if (watermark) src.watermark = *watermark;
      ok = ok && watermark;
    }
  }
  if (d.on_error) {
    src.on_error = d.on_error->kind == ast::OnErrorKind::Skip   ? plan::OnError::Skip
                 : d.on_error->kind == ast::OnErrorKind::Fail   ? plan::OnError::Fail
                                                                : plan::OnError::DeadLetter;
    if (d.on_error->dead_letter) {
      src.dead_letter = check_connector(*d.on_error->dead_letter, Role::DeadLetter);
      ok = ok && src.dead_letter;
    }
  }
  if (!ok) {
    failed_.insert(d.name);
    return;
  }
  src.used.assign(src.schema.fields.size(), true);
  source_index_[d.name] = static_cast<int>(pipeline_.sources.size());
  pipeline_.sources.push_back(std::move(src));
}

void Analyzer::check_table(const ast::Decl& d) {
  report_repeated(d);
  bool ok = d.repeated_clauses.empty();
  plan::Table table;
  table.name = d.name;
  table.range = d.range;
  std::optional<plan::Connector> connector = check_connector(*d.connector, Role::Table);
  ok = ok && connector;
  if (connector) table.connector = *connector;
  if (!d.format) {
    diags_.error(d.name_range, "table '" + d.name + "' needs a format");
    ok = false;
  } else if (auto format = check_format(*d.format, Role::Table)) {
    table.format = *format;
  } else {
    ok = false;
  }
  if (!d.schema) {
    diags_.error(d.name_range, "table '" + d.name + "' needs a schema");
    ok = false;
  } else if (auto schema = check_schema(*d.schema)) {
    table.schema = *schema;
  } else {
    ok = false;
  }
  if (!d.key_field) {
    diags_.error(d.name_range, "table '" + d.name + "' needs a key")
        .helps.push_back("add 'key FIELD': the field that 'join' looks rows up by");
    ok = false;
  } else if (d.schema && ok) {
    table.key = table.schema.find(*d.key_field);
    if (table.key < 0) {
      Diagnostic& diag = diags_.error(d.key_range, "unknown field '" + *d.key_field +
                                                       "' in table '" + d.name + "'");
      diags_.suggest(diag, *d.key_field, table.schema.names());
      ok = false;
    }
  }
  if (!ok) {
    failed_.insert(d.name);
    return;
  }
  for (plan::Field& f : table.schema.fields) f.qualifier = d.name;
  table_index_[d.name] = static_cast<int>(pipeline_.tables.size());
  pipeline_.tables.push_back(std::move(table));
}

void Analyzer::check_sink(const ast::Decl& d) {
  report_repeated(d);
  bool ok = d.repeated_clauses.empty();
  plan::Sink sink;
  sink.input_name = d.name;
  sink.range = d.range;
  auto input = names_.find(d.name);
  if (!d.union_inputs.empty()) {
    // sink union(A, B, ...) to ...: the union is a stream of its own.
    std::optional<plan::Input> in = sink_union(d);
    ok = ok && in;
    if (in) {
      sink.input = *in;
      sink.input_name = pipeline_.streams[in->index].name;
    }
  } else if (input == names_.end()) {
    Diagnostic& diag = diags_.error(d.name_range, "unknown source or stream '" + d.name + "'");
    std::vector<std::string> candidates;
    for (auto& [n, decl] : names_) {
      if (decl->kind == ast::DeclKind::Source || decl->kind == ast::DeclKind::Stream) {
        candidates.push_back(n);
      }
    }
    diags_.suggest(diag, d.name, candidates);
    ok = false;
  } else if (input->second->kind == ast::DeclKind::Table ||
             input->second->kind == ast::DeclKind::Param) {
    diags_.error(d.name_range, "'" + d.name + "' is a " +
                                   std::string(input->second->kind == ast::DeclKind::Table ? "table" : "param") +
                                   "; a sink writes a source or a stream");
    ok = false;
  } else if (failed_.count(d.name)) {
    ok = false;
  } else if (input->second->kind == ast::DeclKind::Source) {
    sink.input = {plan::Input::Source, source_index_.at(d.name)};
  } else {
    sink.input = {plan::Input::Stream, stream_index_.at(d.name)};
  }
  std::optional<plan::Connector> connector = check_connector(*d.connector, Role::Sink);
  ok = ok && connector;
  if (connector) {
    sink.connector = *connector;
    if (d.format) {
      if (auto format = check_format(*d.format, Role::Sink)) {
        sink.format = *format;
        if (connector->kind == plan::ConnectorKind::Kafka &&
            format->kind == plan::FormatKind::Table) {
          diags_.error(d.format->range, "a kafka sink writes json or csv, not 'table'");
          ok = false;
        }
        for (const ast::Arg& arg : d.format->args) {
          if (connector->kind == plan::ConnectorKind::Kafka && arg.name == "header") {
            diags_.error(arg.name_range, "a kafka sink cannot honour 'header'")
                .helps.push_back("each row is one message, and messages carry no header line");
            ok = false;
          }
        }
      } else {
        ok = false;
      }
    } else if (connector->kind == plan::ConnectorKind::Kafka) {
      sink.format.kind = plan::FormatKind::Json;
    } else if (connector->kind == plan::ConnectorKind::File) {
      // By the path's extension; for a path that reads a param, by the path
      // the file declares, whatever --param gives: `flowc run` and a built
      // program then agree, and so do their checkpoints.
      std::string path = connector->path;
      auto param_path = connector->param_args.find("path");
      if (param_path != connector->param_args.end()) {
        plan::FoldResult declared = plan::fold(*param_path->second, &declared_params_);
        if (declared.value) path = declared.value->s;
      }
      bool json = ends_with(path, ".jsonl") || ends_with(path, ".json");
      sink.format.kind = json ? plan::FormatKind::Json : plan::FormatKind::Csv;
    }
  }
  if (ok) sink.columns = pipeline_.schema_of(sink.input);
  if (d.sink_key) {
    if (connector && connector->kind != plan::ConnectorKind::Kafka) {
      diags_.error(d.sink_key->range, "'key' is only for kafka sinks");
      ok = false;
    } else if (ok) {
      Scope scope;
      scope.schema = &sink.columns;
      scope.what = "stream '" + d.name + "'";
      sink.key = check_expr(*d.sink_key, scope);
      ok = ok && sink.key;
    }
  }
  if (ok) pipeline_.sinks.push_back(std::move(sink));
}

}  // namespace flowc
