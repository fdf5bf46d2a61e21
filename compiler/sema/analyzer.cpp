// Declarations in any order (LANGUAGE.md 4): names, singletons, params,
// the order streams are built in, and cycles.
#include "sema/analyzer.h"

#include <algorithm>

namespace flowc {

std::optional<plan::Pipeline> analyze(const ast::Program& program, const SemaOptions& options,
                                      DiagnosticEngine& diags) {
  Analyzer analyzer(program, options, diags);
  return analyzer.run();
}

static const char* decl_kind_name(ast::DeclKind k) {
  switch (k) {
    case ast::DeclKind::Param: return "param";
    case ast::DeclKind::Source: return "source";
    case ast::DeclKind::Table: return "table";
    case ast::DeclKind::Stream: return "stream";
    default: return "declaration";
  }
}

std::optional<plan::Pipeline> Analyzer::run() {
  size_t errors_before = diags_.error_count();
  pipeline_.name = options_.default_name;
  collect_declarations();
  check_params();  // first: `batch` and `checkpoint ... every` may name one
  check_functions();
  check_singletons();
  check_sources_and_tables();
  order_streams();
  check_sinks();
  if (diags_.error_count() != errors_before) return std::nullopt;
  return std::move(pipeline_);
}

std::optional<plan::Type> Analyzer::check_type(const std::string& name, SourceRange at,
                                               bool param) {
  std::optional<plan::Type> type = plan::parse_type_name(name);
  if (!type) {
    Diagnostic& d = diags_.error(at, "unknown type '" + name + "'");
    std::vector<std::string> names = {"bool", "int", "float", "string", "timestamp"};
    if (param) names.push_back("duration");
    diags_.suggest(d, name, names);
    if (!param && name == "duration") {
      d.helps.push_back(
          "only a param can be a duration; a field holds one as an int of milliseconds");
    }
  }
  return type;
}

void Analyzer::collect_declarations() {
  for (const ast::Decl& d : program_.decls) {
    switch (d.kind) {
      case ast::DeclKind::Param:
      case ast::DeclKind::Source:
      case ast::DeclKind::Table:
      case ast::DeclKind::Stream: {
        auto [it, fresh] = names_.emplace(d.name, &d);
        if (!fresh) {
          Diagnostic& diag = diags_.error(d.name_range, "'" + d.name + "' is already declared");
          diag.helps.push_back("the " + std::string(decl_kind_name(it->second->kind)) + " '" +
                               d.name + "' is declared on line " +
                               std::to_string(it->second->name_range.begin.line));
          continue;
        }
        if (d.kind == ast::DeclKind::Stream) stream_decls_.push_back(&d);
        break;
      }
      default:
        break;
    }
  }
}

// `pipeline`, `batch` and `checkpoint` may each appear once.
void Analyzer::check_singletons() {
  std::map<ast::DeclKind, const ast::Decl*> seen;
  for (const ast::Decl& d : program_.decls) {
    if (d.kind != ast::DeclKind::Pipeline && d.kind != ast::DeclKind::Batch &&
        d.kind != ast::DeclKind::Checkpoint) {
      continue;
    }
    auto [it, fresh] = seen.emplace(d.kind, &d);
    if (!fresh) {
      std::string keyword = d.kind == ast::DeclKind::Pipeline ? "pipeline"
                          : d.kind == ast::DeclKind::Batch    ? "batch"
                                                              : "checkpoint";
      Diagnostic& diag = diags_.error(d.keyword_range, "'" + keyword + "' is given twice");
      diag.helps.push_back("first given on line " + std::to_string(it->second->range.begin.line));
      continue;
    }
    switch (d.kind) {
      case ast::DeclKind::Pipeline:
        pipeline_.name = d.name;
        break;
      case ast::DeclKind::Batch:
        if (auto batch = check_duration(d.duration)) {
          if (batch->ms <= 0) {
            duration_error(d.duration.range, "the batch interval must be longer than 0ms",
                           {*batch});
          }
          pipeline_.batch = *batch;
        }
        break;
      case ast::DeclKind::Checkpoint: {
        if (d.path.empty()) diags_.error(d.name_range, "the checkpoint directory is empty");
        plan::Checkpoint checkpoint{d.path, std::nullopt};
        if (d.every) {
          checkpoint.every = check_duration(*d.every);
          if (checkpoint.every && checkpoint.every->ms <= 0) {
            duration_error(d.every->range, "'every' must be longer than 0ms", {*checkpoint.every});
          }
        }
        pipeline_.checkpoint = checkpoint;
        break;
      }
      default:
        break;
    }
  }
  if (options_.batch_ms) {
    pipeline_.batch = plan::Duration{*options_.batch_ms, -1};
    batch_from_option_ = true;
  }
}

// param NAME: TYPE = LITERAL — in declaration order, so that a param's
// value may use the params declared before it.
void Analyzer::check_params() {
  for (const ast::Decl& d : program_.decls) {
    if (d.kind != ast::DeclKind::Param || names_[d.name] != &d) continue;
    bool duration = d.type_name == "duration";
    std::optional<plan::Type> type =
        duration ? plan::Type::Int : check_type(d.type_name, d.type_range, true);
    if (!type) {
      failed_.insert(d.name);
      continue;
    }
    std::optional<plan::Value> value =
        duration ? check_duration_value(d)
                 : constant(*d.value, *type, "the value of param '" + d.name + "'");
    if (!value) {
      failed_.insert(d.name);
      continue;
    }
    plan::Param param{d.name, *type, *value, false};
    param.duration = duration;
    auto override = options_.params.find(d.name);
    if (override != options_.params.end()) {
      // The driver reports a value that does not parse as the param's type.
      if (auto v = plan::parse_param_value(param, override->second)) {
        param.value = *v;
        param.overridden = true;
      }
    }
    param_index_[d.name] = static_cast<int>(pipeline_.params.size());
    declared_params_.push_back(plan::Param{d.name, *type, *value, false});
    pipeline_.params.push_back(std::move(param));
  }
}

void Analyzer::check_sources_and_tables() {
  for (const ast::Decl& d : program_.decls) {
    if (names_.count(d.name) == 0 || names_[d.name] != &d) continue;
    if (d.kind == ast::DeclKind::Source) check_source(d);
    if (d.kind == ast::DeclKind::Table) check_table(d);
  }
}

// Streams are checked inputs-first (a depth-first walk), which both orders
// them for codegen and finds cycles.
void Analyzer::order_streams() {
  for (const ast::Decl* d : stream_decls_) {
    std::vector<std::string> path;
    visit_stream(d->name, path);
  }
}

void Analyzer::visit_stream(const std::string& name, std::vector<std::string>& path) {
  int& state = stream_state_[name];
  if (state == 2) return;
  const ast::Decl& d = *names_.at(name);
  if (state == 1) {
    std::string cycle;
    auto start = std::find(path.begin(), path.end(), name);
    for (auto it = start; it != path.end(); ++it) cycle += *it + " -> ";
    diags_.error(d.name_range, "stream '" + name + "' depends on itself: " + cycle + name);
    failed_.insert(name);
    return;
  }
  state = 1;
  path.push_back(name);
  // What it reads: its input (every input of a union) and the streams it
  // joins with `within`.
  std::vector<std::string> reads = {d.input};
  for (const ast::Decl::InputName& in : d.union_inputs) reads.push_back(in.name);
  for (const ast::Stage& s : d.stages) {
    if (s.kind == ast::StageKind::Join) reads.push_back(s.table);
  }
  for (const std::string& r : reads) {
    auto input = names_.find(r);
    if (input != names_.end() && input->second->kind == ast::DeclKind::Stream)
      visit_stream(r, path);
  }
  path.pop_back();
  if (state == 1) {
    state = 2;
    check_stream(d);
  }
}

// The source or stream named `name` as an input, reported at `at` when it
// is none; nullopt then, and when it failed its own checks (reported there).
std::optional<plan::Input> Analyzer::resolve_input(const std::string& name, SourceRange at) {
  auto input = names_.find(name);
  if (input == names_.end()) {
    Diagnostic& diag = diags_.error(at, "unknown source or stream '" + name + "'");
    std::vector<std::string> candidates;
    for (auto& [n, decl] : names_) {
      if (decl->kind == ast::DeclKind::Source || decl->kind == ast::DeclKind::Stream) {
        candidates.push_back(n);
      }
    }
    diags_.suggest(diag, name, candidates);
    return std::nullopt;
  }
  const ast::Decl& in = *input->second;
  if (in.kind == ast::DeclKind::Table) {
    Diagnostic& diag = diags_.error(at, "'" + name + "' is a table, not a stream");
    diag.helps.push_back(
        "a stream reads a source or a stream; look rows up in a table with "
        "'join " +
        name + " on FIELD'");
    return std::nullopt;
  }
  if (in.kind == ast::DeclKind::Param) {
    diags_.error(at, "'" + name + "' is a param, not a stream");
    return std::nullopt;
  }
  if (failed_.count(name)) return std::nullopt;  // already reported
  if (in.kind == ast::DeclKind::Source)
    return plan::Input{plan::Input::Source, source_index_.at(name), {}};
  return plan::Input{plan::Input::Stream, stream_index_.at(name), {}};
}

void Analyzer::check_stream(const ast::Decl& d) {
  if (failed_.count(d.name)) return;
  plan::Stream stream;
  stream.name = d.name;
  stream.input_name = d.input;
  stream.range = d.range;
  if (!d.union_inputs.empty()) {
    if (!check_union(d, stream)) {
      failed_.insert(d.name);
      return;
    }
  } else {
    std::optional<plan::Input> input = resolve_input(d.input, d.input_range);
    if (!input) {
      failed_.insert(d.name);
      return;
    }
    stream.input = *input;
    stream.inputs = {*input};
    stream.root_source = input->kind == plan::Input::Source
                             ? input->index
                             : pipeline_.streams[input->index].root_source;
  }
  if (!check_stages(d, stream)) {
    failed_.insert(d.name);
    return;
  }
  stream_index_[d.name] = static_cast<int>(pipeline_.streams.size());
  pipeline_.streams.push_back(std::move(stream));
}

void Analyzer::check_sinks() {
  for (const ast::Decl& d : program_.decls) {
    if (d.kind == ast::DeclKind::Sink) check_sink(d);
  }
}

}  // namespace flowc
