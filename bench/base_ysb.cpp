// bench/base_ysb.cpp — the hand-written twin of ysb_window.flow and (with a
// campaigns table) ysb_campaign.flow: Yahoo Streaming Benchmark events,
// keep views, 10 s tumbling event-time windows, count per ad_id (or per
// campaign_id after joining ad_id to the table). The watermark is the
// largest event_time seen minus 1 s, advanced after every 1 MiB read (the
// baseline's "batch"); windows whose end <= watermark fire then, and the
// rest at end of input. Rows: window_start,window_end,KEY,count, ordered by
// window then key, as flowc emits them.
//
//   base_ysb EVENTS.jsonl [CAMPAIGNS.csv]
#include <algorithm>
#include <map>

#include "baseline.h"

namespace {

constexpr int64_t kWindowMs = 10'000;
constexpr int64_t kWatermarkDelayMs = 1'000;

int64_t floor_to(int64_t t, int64_t d) {
  int64_t r = t % d;
  return r < 0 ? t - r - d : t - r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: base_ysb EVENTS.jsonl [CAMPAIGNS.csv]\n");
    return 2;
  }
  const char* path = argv[1];
  const bool join = argc == 3;

  // The table: ad_id -> campaign_id, read whole before the stream.
  bench::StrTable<std::string_view> campaigns;
  std::vector<std::string> campaign_text;  // owns the campaign ids
  if (join) {
    std::vector<std::pair<std::string, std::string>> rows;
    int c_ad = -1, c_campaign = -1;
    bench::for_each_line(argv[2], [&](std::string_view line) {
      if (line.empty()) return;
      if (c_ad < 0) {
        std::vector<int> at = bench::header_columns(line, {"ad_id", "campaign_id"});
        c_ad = at[0], c_campaign = at[1];
        return;
      }
      std::string_view f[8];
      int n = bench::split_csv(line, f, 8);
      if (n <= std::max(c_ad, c_campaign)) return;
      rows.emplace_back(std::string(f[c_ad]), std::string(f[c_campaign]));
    });
    campaign_text.reserve(rows.size());
    for (auto& [ad, c] : rows) {
      campaign_text.push_back(c);
      campaigns.get(ad) = campaign_text.back();
    }
  }

  // One table per open window, keyed by window start.
  std::map<int64_t, bench::StrTable<int64_t>> open;
  int64_t max_time = INT64_MIN;
  int64_t watermark = INT64_MIN;
  bench::Writer out;
  out.s(join ? "window_start,window_end,campaign_id,count" : "window_start,window_end,ad_id,count"), out.nl();

  auto fire = [&](int64_t until) {
    while (!open.empty() && open.begin()->first + kWindowMs <= until) {
      int64_t start = open.begin()->first;
      std::vector<std::pair<std::string_view, int64_t>> rows;
      open.begin()->second.each([&](std::string_view k, int64_t c) { rows.emplace_back(k, c); });
      std::sort(rows.begin(), rows.end());
      for (const auto& [k, c] : rows) {
        out.ts(start), out.c(','), out.ts(start + kWindowMs), out.c(','), out.s(k), out.c(','), out.i(c), out.nl();
      }
      open.erase(open.begin());
    }
  };

  int64_t batch_watermark = INT64_MIN;  // the watermark as the "batch" began
  int64_t cached_start = INT64_MIN;
  bench::StrTable<int64_t>* cached = nullptr;
  int64_t line_no = 0;
  bench::for_each_line(
      path,
      [&](std::string_view line) {
        ++line_no;
        if (line.empty()) return;
        std::string_view type, ad, time;
        bool has_type = false, has_ad = false, has_time = false;
        bool ok = bench::scan_json_object(line, [&](std::string_view k, std::string_view v) {
          if (k == "event_type") type = v, has_type = true;
          else if (k == "ad_id") ad = v, has_ad = true;
          else if (k == "event_time") time = v, has_time = true;
        });
        int64_t t;
        if (!ok || !has_type || !has_ad || !has_time || !bench::parse_i64(time, t)) {
          std::fprintf(stderr, "%s:%lld: bad record\n", path, static_cast<long long>(line_no));
          return;
        }
        max_time = std::max(max_time, t);  // every parsed record counts
        if (type != "view") return;
        std::string_view key = ad;
        if (join) {
          const std::string_view* c = campaigns.find(ad);
          if (!c) return;
          key = *c;
        }
        int64_t start = floor_to(t, kWindowMs);
        if (start + kWindowMs <= batch_watermark) return;  // late
        if (start != cached_start) {
          cached = &open[start];
          cached_start = start;
        }
        cached->get(key) += 1;
      },
      [&] {
        if (max_time != INT64_MIN && max_time - kWatermarkDelayMs > watermark) watermark = max_time - kWatermarkDelayMs;
        if (!open.empty() && open.begin()->first + kWindowMs <= watermark) {
          fire(watermark);
          cached_start = INT64_MIN;
        }
        batch_watermark = watermark;
      });
  fire(INT64_MAX);
  return 0;
}
