// Ranking (LANGUAGE.md 13): `top N by EXPR [asc|desc], ...` keeps, of the
// rows an aggregate emits at one batch end, the first N per window. It
// must see those rows as the aggregate emits them — window by window, keys
// known — so it comes right after the `aggregate`, in the same stream or
// as the first stage of a stream reading it.
#include "sema/analyzer.h"

namespace flowc {

namespace {

// The aggregate whose rows reach a stage that follows `prior` stages of
// `stream` directly, or null.
const plan::AggregateStage* ranked_aggregate(const plan::Pipeline& p, const plan::Stream& stream,
                                             const std::vector<plan::Stage>& prior) {
  if (!prior.empty()) return prior.back().as<plan::AggregateStage>();
  const plan::Stream* input = &stream;
  // A stream with no stages is an alias of its input.
  while (input->input.kind == plan::Input::Stream) {
    input = &p.streams[input->input.index];
    if (!input->stages.empty()) return input->stages.back().as<plan::AggregateStage>();
  }
  return nullptr;
}

}  // namespace

// top N by EXPR [asc | desc], ...
bool Analyzer::check_top(const ast::Stage& s, const Scope& scope, const plan::Stream& stream,
                         plan::Stage& out) {
  const plan::AggregateStage* agg = ranked_aggregate(pipeline_, stream, stream.stages);
  if (agg == nullptr) {
    Diagnostic& d = diags_.error(s.keyword_range, "'top' must come right after an 'aggregate'");
    if (!stream.stages.empty()) {
      d.helps.push_back(std::string("here it follows '") +
                        plan::stage_keyword(stream.stages.back()) +
                        "': rank the aggregate's rows first, then filter or reshape them");
    } else {
      d.helps.push_back("'top N by ...' ranks the rows an aggregate emits at each batch end");
    }
    return false;
  }
  bool ok = true;
  plan::TopStage top;
  top.n = s.top_n;
  if (s.top_n < 1) {
    diags_.error(s.top_n_range, "'top' keeps at least 1 row, got " + std::to_string(s.top_n));
    ok = false;
  }
  top.windowed = agg->window.has_value();
  int first_key = top.windowed ? 2 : 0;  // after window_start, window_end
  for (size_t i = 0; i < agg->keys.size(); ++i) top.keys.push_back(first_key + static_cast<int>(i));
  for (const ast::OrderKey& key : s.order) {
    plan::ExprPtr e = check_expr(*key.value, scope);
    if (!e) {
      ok = false;
      continue;
    }
    top.order.push_back({std::move(e), key.descending});
  }
  out.output = *scope.schema;
  out.op = std::move(top);
  return ok;
}

}  // namespace flowc
