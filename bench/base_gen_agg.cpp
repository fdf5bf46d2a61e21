// bench/base_gen_agg.cpp — the hand-written twin of gen_agg.flow: the
// generate() source's values 0..N-1 through the same where / select /
// group by / aggregate, in memory, with the same kind of hash table.
//
//   base_gen_agg N
#include <algorithm>

#include "baseline.h"

namespace {
struct Agg {
  int64_t n = 0;
  int64_t total = 0;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: base_gen_agg N\n");
    return 2;
  }
  const int64_t n = std::atoll(argv[1]);
  bench::IntTable<Agg> groups;
  for (int64_t value = 0; value < n; ++value) {
    if (value % 4 == 3) continue;  // where value % 4 != 3
    int64_t k = value % 16;         // select k = value % 16, v = value * 3 + 1
    int64_t v = value * 3 + 1;
    Agg& a = groups.get(k);         // group by k
    a.n += 1;                       // aggregate n = count(), total = sum(v)
    a.total += v;
  }
  std::vector<std::pair<int64_t, Agg>> rows;
  groups.each([&](int64_t k, const Agg& a) { rows.emplace_back(k, a); });
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  bench::Writer out;
  out.s("k,n,total"), out.nl();
  for (const auto& [k, a] : rows) out.i(k), out.c(','), out.i(a.n), out.c(','), out.i(a.total), out.nl();
  return 0;
}
