// stream NAME = union(A, B, ...)   (LANGUAGE.md 13 "Union")
//
// The records of several sources or streams as one input, in arrival
// order. Every input has the first one's field names and types (in any
// order: a later input's fields are put in the first one's order); either
// every input has event time or none has, and the union's watermark is the
// least of theirs (plan::merge_clocks). An update stream cannot be an
// input: its rows replace each other, a union of them means nothing.
#include "sema/analyzer.h"

namespace flowc {

namespace {

std::string field_text(const plan::Field& f) {
  return "'" + f.name + ": " + plan::type_name(f.type) + "'";
}

}  // namespace

plan::Clock Analyzer::clock_of(const plan::Input& in) const {
  if (in.kind == plan::Input::Stream) return pipeline_.streams[in.index].clock;
  plan::Clock clock;
  if (pipeline_.sources[in.index].event_time >= 0) {
    clock.event_time = true;
    clock.sources = {in.index};
  }
  return clock;
}

bool Analyzer::check_union(const ast::Decl& d, plan::Stream& stream) {
  bool ok = true;
  std::vector<const ast::Decl::InputName*> names;
  for (const ast::Decl::InputName& name : d.union_inputs) {
    std::optional<plan::Input> in = resolve_input(name.name, name.range);
    if (!in) {
      ok = false;
      continue;
    }
    stream.inputs.push_back(*in);
    names.push_back(&name);
  }
  if (!ok) return false;
  if (stream.inputs.size() < 2) {
    diags_.error(d.input_range, "'union' needs at least two inputs")
        .helps.push_back(d.kind == ast::DeclKind::Sink
                             ? "write '" + d.input + "' directly: 'sink " + d.input + " to ...'"
                             : "read '" + d.input + "' directly: 'stream " + d.name + " = " +
                                   d.input + "'");
    return false;
  }

  const plan::Schema& first = pipeline_.schema_of(stream.inputs[0]);
  const plan::Clock first_clock = clock_of(stream.inputs[0]);
  for (size_t k = 0; k < stream.inputs.size(); ++k) {
    plan::Input& in = stream.inputs[k];
    const std::string& name = names[k]->name;
    if (in.kind == plan::Input::Stream && pipeline_.streams[in.index].updating) {
      const plan::Stream::Updating& up = *pipeline_.streams[in.index].updating;
      diags_
          .error(names[k]->range, "'union' of an updating stream: '" + name +
                                      "' carries the rows of the '" + up.keyword + "' of stream '" +
                                      up.stream + "' (line " + std::to_string(up.range.begin.line) +
                                      "), which replace each other every batch")
          .helps.push_back("union the inputs of that '" + up.keyword + "' instead, and " +
                           up.keyword + " once after the union");
      ok = false;
      continue;
    }
    if (k == 0) continue;
    // The first field, in the first input's order, that this input lacks
    // or types differently; then a field only this input has.
    const plan::Schema& schema = pipeline_.schema_of(in);
    std::string problem;
    std::vector<int> order;
    for (const plan::Field& f : first.fields) {
      int at = schema.find(f.name);
      if (at < 0) {
        problem = "'" + name + "' has no field '" + f.name + "'";
        break;
      }
      if (schema.fields[at].type != f.type) {
        problem = "field '" + f.name + "' is " + plan::type_name(schema.fields[at].type) + " in '" +
                  name + "' but " + plan::type_name(f.type) + " in '" + d.input + "'";
        break;
      }
      order.push_back(at);
    }
    if (problem.empty()) {
      for (const plan::Field& f : schema.fields) {
        if (first.find(f.name) < 0) {
          problem = "'" + name + "' has a field '" + f.name + "' that '" + d.input + "' has not";
          break;
        }
      }
    }
    if (!problem.empty()) {
      std::string fields;
      for (const plan::Field& f : first.fields)
        fields += (fields.empty() ? "" : ", ") + field_text(f);
      Diagnostic& diag = diags_.error(names[k]->range, "the inputs of 'union' differ: " + problem);
      diag.helps.push_back("every input needs the fields of '" + d.input + "': " + fields);
      diag.helps.push_back("rename or convert fields in a stream first: 'stream x = " + name +
                           " | select ...'");
      ok = false;
      continue;
    }
    bool same_order = true;
    for (size_t i = 0; i < order.size(); ++i)
      same_order = same_order && order[i] == static_cast<int>(i);
    if (!same_order) in.order = order;

    const plan::Clock clock = clock_of(in);
    if (clock.event_time != first_clock.event_time) {
      const std::string& timed = clock.event_time ? name : d.input;
      const std::string& untimed = clock.event_time ? d.input : name;
      Diagnostic& diag =
          diags_.error(names[k]->range, "'union' mixes event time and processing time: '" + timed +
                                            "' has event time, '" + untimed + "' has none");
      diag.helps.push_back(
          "either every input of 'union' has event time or none has; declare "
          "'event_time FIELD' on the source of '" +
          untimed + "'");
      ok = false;
    }
  }
  if (!ok) return false;
  stream.input = stream.inputs[0];
  stream.root_source = stream.input.kind == plan::Input::Source
                           ? stream.input.index
                           : pipeline_.streams[stream.input.index].root_source;
  stream.input_name = "union(";
  for (size_t k = 0; k < d.union_inputs.size(); ++k) {
    stream.input_name += (k ? ", " : "") + d.union_inputs[k].name;
  }
  stream.input_name += ")";
  return true;
}

std::optional<plan::Input> Analyzer::sink_union(const ast::Decl& d) {
  plan::Stream stream;
  stream.range = d.range;
  if (!check_union(d, stream) || !check_stages(d, stream)) return std::nullopt;
  stream.name = stream.input_name;  // "union(a, b)": no name of the file's can clash
  for (size_t i = 0; i < pipeline_.streams.size(); ++i) {
    if (pipeline_.streams[i].name == stream.name)
      return plan::Input{plan::Input::Stream, static_cast<int>(i), {}};
  }
  pipeline_.streams.push_back(std::move(stream));
  return plan::Input{plan::Input::Stream, static_cast<int>(pipeline_.streams.size() - 1), {}};
}

}  // namespace flowc
