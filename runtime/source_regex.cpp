// runtime/source_regex.cpp — RE2 behind the regex format and regex_match /
// regex_extract (LANGUAGE.md 4.2 and 8).
#include "source_regex.h"

#include "connectors.h"
#include "context.h"

namespace flowrt {

bool compile_source_regex(FlowContext* ctx, Source* source) {
  const FlowSourceDesc* d = source->desc;
  auto rx = std::make_unique<SourceRegex>(d->regex ? d->regex : "");
  if (!rx->re.ok()) {
    ctx->set_error("source '" + std::string(d->name ? d->name : "?") +
                   "': invalid regex: " + rx->re.error());
    return false;
  }
  // Named groups are matched to schema fields once, here, not per record.
  const auto& named = rx->re.NamedCapturingGroups();
  for (int32_t i = 0; i < d->field_count; ++i) {
    auto it = named.find(d->fields[i].name ? d->fields[i].name : "");
    rx->group_of_field.push_back(it == named.end() ? -1 : it->second);
  }
  rx->groups.resize(static_cast<size_t>(rx->re.NumberOfCapturingGroups()) + 1);
  source->regex = std::move(rx);
  return true;
}

}  // namespace flowrt

using flowrt::SourceRegex;

extern "C" int32_t flow_regex_fields(FlowContext* ctx, int32_t source,
                                     const FlowRecord* rec, FlowStr* out) {
  flowrt::Source* src = flowrt::source_at(ctx, source);
  if (src == nullptr) return 0;
  SourceRegex* rx = src->regex.get();
  if (rx == nullptr) return 0;
  re2::StringPiece text(rec->ptr, static_cast<size_t>(rec->len));
  if (!rx->re.Match(text, 0, text.size(), RE2::ANCHOR_BOTH, rx->groups.data(),
                    static_cast<int>(rx->groups.size()))) {
    return 0;
  }
  for (size_t i = 0; i < rx->group_of_field.size(); ++i) {
    int g = rx->group_of_field[i];
    if (g < 0 || rx->groups[static_cast<size_t>(g)].data() == nullptr) {
      out[i] = FlowStr{"", 0};
    } else {
      const re2::StringPiece& sp = rx->groups[static_cast<size_t>(g)];
      out[i] = FlowStr{sp.data(), static_cast<int64_t>(sp.size())};
    }
  }
  return 1;
}

// Handles live as long as the process: patterns are constants of the
// generated module, compiled once at start-up.
extern "C" void* flow_regex_compile(const char* pattern, int64_t len) {
  auto* re = new RE2(re2::StringPiece(pattern, static_cast<size_t>(len)), RE2::Quiet);
  if (!re->ok()) {
    delete re;
    return nullptr;
  }
  return re;
}

// regex_match is a search (like SQL's REGEXP / Spark's rlike): anchor with
// ^...$ to match the whole string.
extern "C" int32_t flow_regex_match(void* re, const char* s, int64_t n) {
  if (re == nullptr) return 0;
  return RE2::PartialMatch(re2::StringPiece(s, static_cast<size_t>(n)),
                           *static_cast<RE2*>(re))
             ? 1
             : 0;
}

extern "C" void flow_regex_extract(FlowContext* ctx, void* re, const char* s,
                                   int64_t n, int64_t group, FlowStr* out) {
  *out = FlowStr{"", 0};
  if (re == nullptr) return;
  const RE2& r = *static_cast<RE2*>(re);
  int groups = r.NumberOfCapturingGroups();
  if (group < 0 || group > groups) return;
  // Group numbers are small (RE2 patterns are written by hand), so a stack
  // array avoids allocating per record.
  constexpr int kMaxGroups = 64;
  if (group >= kMaxGroups) return;
  re2::StringPiece sub[kMaxGroups];
  re2::StringPiece text(s, static_cast<size_t>(n));
  if (!r.Match(text, 0, text.size(), RE2::UNANCHORED, sub, static_cast<int>(group) + 1)) return;
  const re2::StringPiece& g = sub[group];
  if (g.data() != nullptr) *out = FlowStr{g.data(), static_cast<int64_t>(g.size())};
}
