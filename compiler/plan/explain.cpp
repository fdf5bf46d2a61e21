#include "plan/explain.h"

#include <map>

#include "plan/raw_filter.h"
#include "sema/functions.h"

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

std::string window_text(const Window& w) {
  switch (w.kind) {
    case WindowKind::Tumbling: return "tumbling " + duration_text(w.size_ms);
    case WindowKind::Sliding:
      return "sliding " + duration_text(w.size_ms) + " every " + duration_text(w.slide_ms);
    case WindowKind::Session: return "session " + duration_text(w.size_ms);
  }
  return "";
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
    if (st->is_if) {
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

std::string schema_text(const Schema& s, bool with_defaults) {
  std::string text = "{ ";
  for (size_t i = 0; i < s.fields.size(); ++i) {
    const Field& f = s.fields[i];
    text += (i ? ", " : "") + f.name + ": " + type_name(f.type);
    if (with_defaults && f.default_value) text += " = " + value_literal(*f.default_value);
  }
  return text + (s.fields.empty() ? "}" : " }");
}

void explain(const Pipeline& p, std::ostream& out) {
  out << "pipeline " << p.name << "\n";
  out << "  batch " << duration_text(p.batch_ms) << "\n";
  if (p.checkpoint) {
    out << "  checkpoint " << value_literal(Value::of_string(p.checkpoint->dir));
    if (p.checkpoint->every_ms) out << " every " << duration_text(*p.checkpoint->every_ms);
    out << "\n";
  }
  for (const Param& param : p.params) {
    out << "  param " << param.name << ": " << type_name(param.type) << " = "
        << value_literal(param.value) << (param.overridden ? "  (from --param)" : "") << "\n";
  }
  for (const Source& s : p.sources) {
    out << "\nsource " << s.name << " = " << s.connector.text;
    if (s.connector.kind != ConnectorKind::Generate) {
      out << " format " << (s.format.text.empty() ? format_name(s.format.kind) : s.format.text);
    }
    out << "\n  schema " << schema_text(s.schema) << "\n";
    std::string unread;
    for (size_t i = 0; i < s.used.size() && i < s.schema.fields.size(); ++i) {
      if (!s.used[i]) unread += (unread.empty() ? "" : ", ") + s.schema.fields[i].name;
    }
    if (!unread.empty()) out << "  not read: " << unread << "\n";
    int index = static_cast<int>(&s - p.sources.data());
    if (auto rf = raw_filter(p, index)) out << "  " << raw_filter_text(p, index, *rf) << "\n";
    if (s.event_time >= 0) {
      out << "  event_time " << s.schema.fields[s.event_time].name << " watermark "
          << duration_text(s.watermark_ms) << "\n";
    } else {
      out << "  processing time\n";
    }
    out << "  on_error " << on_error_text(s) << "\n";
  }
  for (const Table& t : p.tables) {
    out << "\ntable " << t.name << " = " << t.connector.text << " format "
        << (t.format.text.empty() ? format_name(t.format.kind) : t.format.text) << "\n";
    out << "  schema " << schema_text(t.schema) << "\n";
    out << "  key " << t.schema.fields[t.key].name << "\n";
  }
  for (const Stream& s : p.streams) {
    out << "\nstream " << s.name << " = " << s.input_name << "\n";
    const Schema* input = &p.schema_of(s.input);
    for (const Stage& st : s.stages) {
      ExprNames names{input, &st.state, &p.params};
      switch (st.kind) {
        case StageKind::Where:
          out << "  | where " << expr_text(*st.predicate, names) << "\n";
          break;
        case StageKind::Select: {
          out << "  | select ";
          for (size_t i = 0; i < st.items.size(); ++i) {
            std::string value = expr_text(*st.items[i].expr, names);
            out << (i ? ", " : "")
                << (value == st.items[i].name ? value : st.items[i].name + " = " + value);
          }
          out << "\n";
          break;
        }
        case StageKind::Explode:
          out << "  | explode "
              << (st.separator ? "split(" + expr_text(*st.text, names) + ", " +
                                     expr_text(*st.separator, names) + ")"
                               : "words(" + expr_text(*st.text, names) + ")")
              << " as " << st.alias << "\n";
          break;
        case StageKind::Join:
          out << "  | " << (st.left ? "left join " : "join ") << p.tables[st.table].name << " on "
              << input->fields[st.on_field].name << "\n";
          break;
        case StageKind::Aggregate:
        case StageKind::Update: {
          if (st.window) {
            out << "  | window " << window_text(*st.window) << "  ("
                << (st.window->event_time ? "event time" : "processing time") << ")\n";
          }
          if (!st.keys.empty()) {
            out << "  | group by ";
            for (size_t i = 0; i < st.keys.size(); ++i) {
              std::string value = expr_text(*st.keys[i].expr, names);
              out << (i ? ", " : "")
                  << (value == st.keys[i].name ? value : st.keys[i].name + " = " + value);
            }
            out << "\n";
          }
          if (st.kind == StageKind::Aggregate) {
            out << "  | aggregate ";
            for (size_t i = 0; i < st.aggregates.size(); ++i) {
              const Aggregate& a = st.aggregates[i];
              out << (i ? ", " : "") << a.name << " = " << agg_name(a.fn) << "("
                  << (a.arg ? expr_text(*a.arg, names) : "") << ")";
            }
            out << " emit " << emit_name(st.emit) << "\n";
          } else {
            out << "  | update ";
            for (size_t i = 0; i < st.state.size(); ++i) {
              out << (i ? ", " : "") << st.state[i].name << ": " << type_name(st.state[i].type)
                  << " = " << value_literal(*st.state[i].default_value);
            }
            out << " {\n";
            print_statements(st.body, names, "      ", out);
            out << "    } emit " << emit_name(st.emit);
            if (st.expire_ms) out << " expire after " << duration_text(*st.expire_ms);
            out << "\n";
          }
          break;
        }
      }
      out << "      -> " << schema_text(st.output, false) << "\n";
      input = &st.output;
    }
    if (s.stages.empty()) out << "      -> " << schema_text(s.output, false) << "\n";
  }
  for (const Sink& s : p.sinks) {
    out << "\nsink " << s.input_name << " to " << s.connector.text << " format "
        << sink_format_text(s);
    if (s.key) out << " key " << expr_text(*s.key, ExprNames{&s.columns, nullptr, &p.params});
    out << "\n  columns " << schema_text(s.columns, false) << "\n";
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
  for (const Stream& s : p.streams) {
    std::string prev = tail[(s.input.kind == Input::Source ? "source:" : "stream:") + s.input_name];
    for (size_t i = 0; i < s.stages.size(); ++i) {
      const Stage& st = s.stages[i];
      std::string id = s.name + "_" + std::to_string(i);
      std::string label;
      switch (st.kind) {
        case StageKind::Where: label = "where"; break;
        case StageKind::Select: label = "select"; break;
        case StageKind::Explode: label = "explode as " + st.alias; break;
        case StageKind::Join:
          label = std::string(st.left ? "left join " : "join ") + p.tables[st.table].name;
          edges.emplace_back("table_" + p.tables[st.table].name, id);
          break;
        case StageKind::Aggregate:
          label = st.window ? "window " + window_text(*st.window) + "\\naggregate" : "aggregate";
          break;
        case StageKind::Update: label = "update"; break;
      }
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
