// Clocks of rows that come from several inputs (LANGUAGE.md 13): a union's
// and a stream–stream join's. Sema builds them; codegen/time.cpp lowers them.
#include <algorithm>

#include "plan/plan.h"

namespace flowc::plan {

Clock merge_clocks(const Clock& a, const Clock& b) {
  Clock out;
  out.event_time = a.event_time && b.event_time;
  if (!out.event_time) return out;
  out.sources = a.sources;
  out.lags.resize(a.sources.size());
  for (size_t i = 0; i < a.sources.size(); ++i) out.lags[i] = a.lag(i);
  for (size_t j = 0; j < b.sources.size(); ++j) {
    auto at = std::find(out.sources.begin(), out.sources.end(), b.sources[j]);
    if (at == out.sources.end()) {
      out.sources.push_back(b.sources[j]);
      out.lags.push_back(b.lag(j));
    } else {
      // The same source by two paths: the one lagging more holds it back.
      int64_t& lag = out.lags[static_cast<size_t>(at - out.sources.begin())];
      lag = std::max(lag, b.lag(j));
    }
  }
  if (std::all_of(out.lags.begin(), out.lags.end(), [](int64_t l) { return l == 0; }))
    out.lags.clear();
  return out;
}

Clock lag_clock(const Clock& c, int64_t ms) {
  Clock out = c;
  out.lags.resize(c.sources.size());
  for (size_t i = 0; i < c.sources.size(); ++i) out.lags[i] = c.lag(i) + ms;
  if (ms == 0 && std::all_of(out.lags.begin(), out.lags.end(), [](int64_t l) { return l == 0; })) {
    out.lags.clear();
  }
  return out;
}

}  // namespace flowc::plan
