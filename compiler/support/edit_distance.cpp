#include "support/edit_distance.h"

#include <algorithm>

namespace flowc {

// The largest distance still taken for a typo, whatever the name's length.
constexpr size_t kMaxSuggestionDistance = 3;

// Optimal string alignment: Levenshtein plus swapping two adjacent
// characters, the most common typo (`fiel` for `file`), at cost 1.
size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows: the one before the previous is needed for transpositions.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, substitute});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

std::optional<std::string> closest_match(std::string_view name,
                                         const std::vector<std::string>& candidates) {
  size_t limit = std::clamp<size_t>(name.size() / 3, 1, kMaxSuggestionDistance);
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    if (candidate == name) continue;
    size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace flowc
