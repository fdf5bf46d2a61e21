#include "plan/explain.h"
#include "support/overloaded.h"

#include <map>

#include "plan/functions.h"
#include "plan/partitioning.h"
#include "plan/raw_filter.h"
#include "plan/read_ahead.h"
#include "plan/threads.h"

namespace flowc::plan {

namespace {

// Binding strength, higher binds tighter (LANGUAGE.md 5).
int precedence(const Expr& e) {
  switch (e.kind) {
    case ExprKind::Binary:
      if (e.op == "or") return 1;
      if (e.op == "and") return 2;
      if (e.op == "+" || e.op == "-") return 5;
      if (e.op == "*" || e.op == "/" || e.op == "//" || e.op == "%") return 6;
      return 4;  // comparisons
    case ExprKind::In: return 4;
    case ExprKind::Unary: return e.op == "not" ? 3 : 7;
    case ExprKind::Cast: return precedence(*e.args[0]);
    default: return 8;
  }
}

std::string wrap(const Expr& e, const ExprNames& names, int min_precedence) {
  std::string text = expr_text(e, names);
  return precedence(e) < min_precedence ? "(" + text + ")" : text;
}

// Durations print as written (a param by its name, LANGUAGE.md 13): the
// plan text, and so the checkpoint fingerprint, never holds a --param value.
std::string window_text(const Window& w, const std::vector<Param>& params) {
  switch (w.kind) {
    case WindowKind::Tumbling: return "tumbling " + duration_text(w.size, params);
    case WindowKind::Sliding:
      return "sliding " + duration_text(w.size, params) + " every " +
             duration_text(w.slide, params);
    case WindowKind::Session: return "session " + duration_text(w.size, params);
    case WindowKind::Batch: return "batch";
  }
  return "";
}

// A constant as written: the expression when it reads a param, else the value.
std::string constant_text(const Value& v, const ParamExpr& e, const std::vector<Param>* params) {
  if (e && params) return expr_text(*e, ExprNames{nullptr, nullptr, params});
  return value_literal(v);
}

std::string on_error_text(const Source& s) {
  switch (s.on_error) {
    case OnError::Skip: return "skip";
    case OnError::Fail: return "fail";
    case OnError::DeadLetter: return "dead_letter " + s.dead_letter->text;
  }
  return "";
}

std::string sink_format_text(const Sink& s) {
  if (s.format.kind == FormatKind::Default) return "table (on a terminal) or csv";
  return s.format.text.empty() ? format_name(s.format.kind) : s.format.text;
}

void print_statements(const std::vector<StatementPtr>& body, const ExprNames& names,
                      const std::string& indent, std::ostream& out) {
  for (const StatementPtr& st : body) {
    if (st->is_delete) {
      out << indent << "delete\n";
    } else if (st->is_if) {
      out << indent << "if (" << expr_text(*st->condition, names) << ") {\n";
      print_statements(st->then_body, names, indent + "  ", out);
      if (!st->else_body.empty()) {
        out << indent << "} else {\n";
        print_statements(st->else_body, names, indent + "  ", out);
      }
      out << indent << "}\n";
    } else {
      out << indent << (*names.state)[st->target].name << " " << st->op << " "
          << expr_text(*st->value, names) << "\n";
    }
  }
}

std::string keys_text(const std::vector<NamedExpr>& keys, const ExprNames& names) {
  std::string text;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::string value = expr_text(*keys[i].expr, names);
    text += (i ? ", " : "") + (value == keys[i].name ? value : keys[i].name + " = " + value);
  }
  return text;
}

// One stage as `  | KEYWORD ...` lines (window and group by on their own).
void explain_stage(const Pipeline& p, const Stage& st, const Schema& input, std::ostream& out) {
  ExprNames names{&input, nullptr, &p.params};
  auto group = [&](const std::optional<Window>& window, const std::vector<NamedExpr>& keys) {
    if (window && window->kind == WindowKind::Batch) {
      out << "  | window batch  (each micro-batch, processing time)\n";
    } else if (window) {
      out << "  | window " << window_text(*window, p.params) << "  ("
          << (st.clock.event_time ? "event time" : "processing time") << ")\n";
    }
    if (!keys.empty()) out << "  | group by " << keys_text(keys, names) << "\n";
  };
  std::visit(
      Overloaded{
          [&](const WhereStage& s) {
            out << "  | where " << expr_text(*s.predicate, names) << "\n";
          },
          [&](const SelectStage& s) { out << "  | select " << keys_text(s.items, names) << "\n"; },
          [&](const ExplodeStage& s) {
            out << "  | explode "
                << (s.separator ? "split(" + expr_text(*s.text, names) + ", " +
                                      expr_text(*s.separator, names) + ")"
                                : "words(" + expr_text(*s.text, names) + ")")
                << " as " << s.alias << "\n";
          },
          [&](const JoinStage& s) {
            out << "  | " << (s.left ? "left join " : "join ") << p.tables[s.table].name << " on "
                << input.fields[s.on_field].name << "\n";
          },
          [&](const IntervalJoinStage& s) {
            out << "  | " << (s.left ? "left join " : "join ") << s.other_name << " on "
                << input.fields[s.on_field].name << " within " << duration_text(s.within_ms)
                << "  (event time; each side kept until the watermark passes its time + "
                << duration_text(s.within_ms) << ")\n";
          },
          [&](const AggregateStage& s) {
            group(s.window, s.keys);
            out << "  | aggregate ";
            for (size_t i = 0; i < s.aggregates.size(); ++i) {
              const Aggregate& a = s.aggregates[i];
              out << (i ? ", " : "") << a.name << " = " << agg_name(a.fn) << "("
                  << (a.arg ? expr_text(*a.arg, names) : "") << ")";
            }
            out << " emit " << emit_name(s.emit) << "\n";
          },
          [&](const UpdateStage& s) {
            group(std::nullopt, s.keys);
            ExprNames body_names{&input, &s.state, &p.params};
            out << "  | update ";
            for (size_t i = 0; i < s.state.size(); ++i) {
              out << (i ? ", " : "") << s.state[i].name << ": " << type_name(s.state[i].type)
                  << " = "
                  << constant_text(*s.state[i].default_value, s.state[i].default_expr, &p.params);
            }
            out << " {\n";
            print_statements(s.body, body_names, "      ", out);
            out << "    } emit " << emit_name(s.emit);
            if (s.emit_expired && s.emit != EmitMode::Expired) out << ", expired";
            if (s.expire) out << " expire after " << duration_text(*s.expire, p.params);
            out << "\n";
          },
          [&](const TopStage& s) {
            out << "  | top " << s.n << " by ";
            for (size_t i = 0; i < s.order.size(); ++i) {
              out << (i ? ", " : "") << expr_text(*s.order[i].expr, names)
                  << (s.order[i].descending ? " desc" : " asc");
            }
            out << (s.windowed ? "  (per window)" : "  (per batch)") << "\n";
          },
      },
      st.op);
}

// A keyed stage fed by kafka: its state is kept per partition, so each
// key must live in one partition of each source (co-partitioned).
void explain_partitioning(const Pipeline& p, int stream, const Stage& st, const Schema& input,
                          std::ostream& out) {
  ExprNames names{&input, nullptr, &p.params};
  const auto* a = st.as<AggregateStage>();
  const auto* u = st.as<UpdateStage>();
  std::string sources;
  size_t topics = 0;  // 2 stands for "more than one"
  for (int k : kafka_sources_of(p, stream)) {
    const Source& source = p.sources[static_cast<size_t>(k)];
    sources += (sources.empty() ? "'" : ", '") + source.name + "'";
    auto topic = source.connector.kafka.find("topic");
    bool one =
        topic != source.connector.kafka.end() && topic->second.find(',') == std::string::npos;
    topics += one ? 1 : 2;
  }
  out << "      state per kafka partition of " << sources << ": expects "
      << (topics == 1 ? "the topic" : "each topic") << " partitioned by "
      << keys_text(a ? a->keys : u->keys, names) << "\n";
}

// A stage's node label in `explain --graph`.
std::string stage_label(const Pipeline& p, const Stage& st) {
  if (const auto* s = st.as<ExplodeStage>()) return "explode as " + s->alias;
  if (const auto* s = st.as<JoinStage>()) {
    return std::string(s->left ? "left join " : "join ") + p.tables[s->table].name;
  }
  if (const auto* s = st.as<IntervalJoinStage>()) {
    return std::string(s->left ? "left join " : "join ") + s->other_name + " within " +
           duration_text(s->within_ms);
  }
  if (const auto* s = st.as<AggregateStage>()) {
    if (s->emit == EmitMode::All) return "aggregate emit all";
    return s->window ? "window " + window_text(*s->window, p.params) + "\\naggregate" : "aggregate";
  }
  if (const auto* s = st.as<TopStage>()) {
    return "top " + std::to_string(s->n) + (s->windowed ? " per window" : " per batch");
  }
  if (const auto* s = st.as<UpdateStage>(); s && s->emit_expired) return "update emit expired";
  return stage_keyword(st);
}

}  // namespace

std::string expr_text(const Expr& e, const ExprNames& names) {
  switch (e.kind) {
    case ExprKind::Const: return value_literal(e.value);
    case ExprKind::Field: {
      const Field& f = names.schema->fields[e.index];
      return f.qualifier.empty() || names.schema->find(f.name) == e.index
                 ? f.name : f.qualifier + "." + f.name;
    }
    case ExprKind::State: return (*names.state)[e.index].name;
    case ExprKind::Param: return (*names.params)[e.index].name;
    case ExprKind::Cast: return expr_text(*e.args[0], names);
    case ExprKind::Unary:
      return e.op == "not" ? "not " + wrap(*e.args[0], names, 3) : "-" + wrap(*e.args[0], names, 7);
    case ExprKind::Binary: {
      int p = precedence(e);
      // Left-associative: the right operand needs parentheses at equal precedence.
      return wrap(*e.args[0], names, p) + " " + e.op + " " + wrap(*e.args[1], names, p + 1);
    }
    case ExprKind::In: {
      std::string text = wrap(*e.args[0], names, 5) + (e.negated ? " not in (" : " in (");
      for (size_t i = 1; i < e.args.size(); ++i) {
        text += (i > 1 ? ", " : "") + expr_text(*e.args[i], names);
      }
      return text + ")";
    }
    case ExprKind::If:
    case ExprKind::Call: {
      std::string text = (e.kind == ExprKind::If ? std::string("if") : e.op) + "(";
      for (size_t i = 0; i < e.args.size(); ++i) {
        text += (i ? ", " : "") + expr_text(*e.args[i], names);
      }
      return text + ")";
    }
  }
  return "?";
}

std::string schema_text(const Schema& s, const std::vector<Param>* params) {
  std::string text = "{ ";
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const Field& f = s.fields[i];
    text += (i ? ", " : "") + f.name + ": " + type_name(f.type);
    if (params && !f.time_format.empty())
      text += " format " + value_literal(Value::of_string(f.time_format));
    if (params && f.default_value)
      text += " = " + constant_text(*f.default_value, f.default_expr, params);
  }
  return text + (s.fields.empty() ? "}" : " }");
}

void explain(const Pipeline& p, std::ostream& out) {
  out << "pipeline " << p.name << "\n";
  // The header holds what a restart may change (LANGUAGE.md 12): the
  // batch interval, the checkpoint's interval and every param's value.
  // pipeline_plan_text (the fingerprint's text) leaves it out.
  out << "  batch " << duration_text(p.batch, p.params);
  if (p.batch.param >= 0) out << " (" << duration_text(p.batch.ms) << ")";
  out << "\n";
  if (p.checkpoint) {
    out << "  checkpoint " << value_literal(Value::of_string(p.checkpoint->dir));
    if (p.checkpoint->every) {
      out << " every " << duration_text(*p.checkpoint->every, p.params);
      if (p.checkpoint->every->param >= 0)
        out << " (" << duration_text(p.checkpoint->every->ms) << ")";
    }
    out << "\n";
  }
  for (const Param& param : p.params) {
    out << "  param " << param.name << ": " << param_type_name(param) << " = "
        << param_value_literal(param) << (param.overridden ? "  (from --param)" : "") << "\n";
  }
  for (const std::shared_ptr<const UserFunction>& f : p.functions) {
    out << "  function " << f->name << "(";
    for (size_t i = 0; i < f->arg_names.size(); ++i) {
      out << (i ? ", " : "") << f->arg_names[i] << ": " << type_name(f->fn.args[i]);
    }
    out << "): " << type_name(f->fn.result) << " from " << value_literal(Value::of_string(f->path))
        << "  (C++, inlined)\n";
  }
  const std::vector<bool> partitioned = sources_with_partitioned_state(p);
  for (const Source& s : p.sources) {
    out << "\nsource " << s.name << " = " << s.connector.text;
    if (s.connector.kind != ConnectorKind::Generate) {
      out << " format " << (s.format.text.empty() ? format_name(s.format.kind) : s.format.text);
    }
    out << "\n  schema " << schema_text(s.schema, &p.params) << "\n";
    std::string unread;
    for (size_t i = 0; i < s.used.size() && i < s.schema.fields.size(); ++i) {
      if (!s.used[i]) unread += (unread.empty() ? "" : ", ") + s.schema.fields[i].name;
    }
    if (!unread.empty()) out << "  not read: " << unread << "\n";
    int index = static_cast<int>(&s - p.sources.data());
    if (auto rf = raw_filter(p, index)) out << "  " << raw_filter_text(p, index, *rf) << "\n";
    if (auto ra = read_ahead(p, index)) out << "  " << read_ahead_text(p, index, *ra) << "\n";
    if (s.event_time >= 0) {
      out << "  event_time " << s.schema.fields[s.event_time].name << " watermark "
          << duration_text(s.watermark, p.params) << "\n";
    } else {
      out << "  processing time\n";
    }
    out << "  on_error " << on_error_text(s) << "\n";
    SourceThreads threads = source_threads(p, static_cast<int>(&s - p.sources.data()));
    out << "  threads: " << (threads.parallel ? "every" : "one (" + threads.why + ")") << "\n";
    if (partitioned[static_cast<size_t>(&s - p.sources.data())]) {
      // A param's name, never its value: the plan text is the checkpoint's
      // fingerprint, which --param may not change.
      auto param = s.connector.param_args.find("changelog");
      std::string topic = param != s.connector.param_args.end()
                              ? expr_text(*param->second, ExprNames{nullptr, nullptr, &p.params})
                              : value_literal(Value::of_string(changelog_topic(p, s)));
      out << "  keyed state moves with its partitions: changelog " << topic << "\n";
    }
  }
  for (const Table& t : p.tables) {
    out << "\ntable " << t.name << " = " << t.connector.text << " format "
        << (t.format.text.empty() ? format_name(t.format.kind) : t.format.text) << "\n";
    out << "  schema " << schema_text(t.schema, &p.params) << "\n";
    out << "  key " << t.schema.fields[t.key].name << "\n";
  }
  for (const Stream& s : p.streams) {
    out << "\nstream " << s.name << " = " << s.input_name << "\n";
    const Schema* input = &p.schema_of(s.input);
    const int stream = static_cast<int>(&s - p.streams.data());
    for (const Stage& st : s.stages) {
      explain_stage(p, st, *input, out);
      if (state_follows_partitions(p, stream, st)) explain_partitioning(p, stream, st, *input, out);
      out << "      -> " << schema_text(st.output) << "\n";
      input = &st.output;
    }
    if (s.stages.empty()) out << "      -> " << schema_text(s.output) << "\n";
  }
  for (const Sink& s : p.sinks) {
    out << "\nsink " << s.input_name << " to " << s.connector.text << " format "
        << sink_format_text(s);
    if (s.key) out << " key " << expr_text(*s.key, ExprNames{&s.columns, nullptr, &p.params});
    out << "\n  columns " << schema_text(s.columns) << "\n";
  }
}

void explain_graph(const Pipeline& p, GraphKind kind, std::ostream& out) {
  struct Node {
    std::string id, label, shape;
  };
  std::vector<Node> nodes;
  std::vector<std::pair<std::string, std::string>> edges;
  std::map<std::string, std::string> tail;  // source/stream name -> its last node id

  for (const Source& s : p.sources) {
    std::string id = "source_" + s.name;
    nodes.push_back({id, "source " + s.name + "\\n" + s.connector.text, "source"});
    tail["source:" + s.name] = id;
  }
  for (const Table& t : p.tables) {
    nodes.push_back({"table_" + t.name, "table " + t.name + "\\n" + t.connector.text, "table"});
  }
  auto tail_of = [&](const Input& in) {
    return in.kind == Input::Source ? tail["source:" + p.sources[in.index].name]
                                    : tail["stream:" + p.streams[in.index].name];
  };
  for (const Stream& s : p.streams) {
    std::string prev = tail_of(s.input);
    if (s.inputs.size() > 1) {
      // union(A, B, ...): one node, an edge from each input.
      prev = s.name + "_union";
      nodes.push_back({prev, s.name + ": union", "stage"});
      for (const Input& in : s.inputs) edges.emplace_back(tail_of(in), prev);
    }
    for (size_t i = 0; i < s.stages.size(); ++i) {
      const Stage& st = s.stages[i];
      std::string id = s.name + "_" + std::to_string(i);
      std::string label = stage_label(p, st);
      if (const auto* join = st.as<JoinStage>()) {
        edges.emplace_back("table_" + p.tables[join->table].name, id);
      }
      if (const auto* join = st.as<IntervalJoinStage>())
        edges.emplace_back(tail_of(join->other), id);
      nodes.push_back({id, s.name + ": " + label, "stage"});
      edges.emplace_back(prev, id);
      prev = id;
    }
    tail["stream:" + s.name] = prev;
  }
  for (size_t i = 0; i < p.sinks.size(); ++i) {
    const Sink& s = p.sinks[i];
    std::string id = "sink_" + std::to_string(i);
    nodes.push_back({id, "sink " + s.connector.text, "sink"});
    edges.emplace_back(tail[(s.input.kind == Input::Source ? "source:" : "stream:") + s.input_name],
                       id);
  }

  if (kind == GraphKind::Mermaid) {
    out << "flowchart LR\n";
    for (const Node& n : nodes) {
      std::string label;
      for (size_t i = 0; i < n.label.size(); ++i) {
        if (n.label.compare(i, 2, "\\n") == 0) {
          label += "<br/>";
          ++i;
        } else {
          label += n.label[i] == '"' ? std::string("#quot;") : std::string(1, n.label[i]);
        }
      }
      const char* open = n.shape == "source" ? "([" : n.shape == "sink" ? "[/" : n.shape == "table" ? "[(" : "[";
      const char* close = n.shape == "source" ? "])" : n.shape == "sink" ? "/]" : n.shape == "table" ? ")]" : "]";
      out << "  " << n.id << open << "\"" << label << "\"" << close << "\n";
    }
    for (auto& [from, to] : edges) out << "  " << from << " --> " << to << "\n";
  } else {
    out << "digraph \"" << p.name << "\" {\n  rankdir=LR;\n";
    for (const Node& n : nodes) {
      std::string label;
      for (char c : n.label) label += c == '"' ? std::string("\\\"") : std::string(1, c);
      const char* shape = n.shape == "source" ? "invhouse" : n.shape == "sink" ? "house"
                        : n.shape == "table" ? "cylinder" : "box";
      out << "  \"" << n.id << "\" [label=\"" << label << "\", shape=" << shape << "];\n";
    }
    for (auto& [from, to] : edges) out << "  \"" << from << "\" -> \"" << to << "\";\n";
    out << "}\n";
  }
}

}  // namespace flowc::plan
