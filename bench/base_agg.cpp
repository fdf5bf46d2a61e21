// bench/base_agg.cpp — the hand-written twin of csv_agg.flow / json_agg.flow:
//
//   where event_type == "view" | select ad_id, value
//   | group by ad_id | aggregate views = count(), total = sum(value)
//
//   base_agg csv|json FILE
//
// Reads FILE in 1 MiB blocks, locates only the three fields it needs
// (CSV: columns found from the header; JSON: a flat member scan that skips
// the other members), and hash-aggregates per ad_id. Prints the final row of
// every group, ordered by key — flowc's running aggregate prints a row per
// changed group per batch; run.sh compares the last row of each group.
#include <algorithm>

#include "baseline.h"

namespace {

struct Agg {
  int64_t views = 0;
  double total = 0;
};

void bad(const char* path, int64_t line) {
  std::fprintf(stderr, "%s:%lld: bad record\n", path, static_cast<long long>(line));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: base_agg csv|json FILE\n");
    return 2;
  }
  const bool csv = std::string_view(argv[1]) == "csv";
  const char* path = argv[2];
  bench::StrTable<Agg> groups;
  int64_t line_no = 0;

  if (csv) {
    int c_type = -1, c_ad = -1, c_value = -1, need = 0;
    bench::for_each_line(path, [&](std::string_view line) {
      ++line_no;
      if (line.empty()) return;
      if (c_type < 0) {
        std::vector<int> at = bench::header_columns(line, {"event_type", "ad_id", "value"});
        c_type = at[0], c_ad = at[1], c_value = at[2];
        need = std::max({c_type, c_ad, c_value}) + 1;
        return;
      }
      std::string_view f[16];
      if (bench::split_csv(line, f, need) < need) return bad(path, line_no);
      if (f[c_type] != "view") return;
      double v;
      if (!bench::parse_f64(f[c_value], v)) return bad(path, line_no);
      Agg& a = groups.get(f[c_ad]);
      a.views += 1;
      a.total += v;
    });
  } else {
    bench::for_each_line(path, [&](std::string_view line) {
      ++line_no;
      if (line.empty()) return;
      std::string_view type, ad, value;
      bool has_type = false, has_ad = false, has_value = false;
      bool ok = bench::scan_json_object(line, [&](std::string_view k, std::string_view v) {
        if (k == "event_type") type = v, has_type = true;
        else if (k == "ad_id") ad = v, has_ad = true;
        else if (k == "value") value = v, has_value = true;
      });
      if (!ok || !has_type || !has_ad || !has_value) return bad(path, line_no);
      if (type != "view") return;
      double v;
      if (!bench::parse_f64(value, v)) return bad(path, line_no);
      Agg& a = groups.get(ad);
      a.views += 1;
      a.total += v;
    });
  }

  std::vector<std::pair<std::string_view, Agg>> rows;
  groups.each([&](std::string_view k, const Agg& a) { rows.emplace_back(k, a); });
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  bench::Writer out;
  out.s("ad_id,views,total"), out.nl();
  for (const auto& [k, a] : rows) out.s(k), out.c(','), out.i(a.views), out.c(','), out.f(a.total), out.nl();
  return 0;
}
