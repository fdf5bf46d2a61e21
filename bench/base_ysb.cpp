// bench/base_ysb.cpp — the hand-written twins of the Yahoo Streaming
// Benchmark pipelines: keep views, (with a campaigns table) join ad_id to
// campaign_id, count per key in 10 s tumbling event-time windows.
//
//   base_ysb json EVENTS.jsonl [CAMPAIGNS.csv]    ysb_window / ysb_campaign
//   base_ysb csv  EVENTS.csv   [CAMPAIGNS.csv]    ysb_campaign_csv
//
// What a careful engineer would write for this one query, single-threaded:
// - the input file mmap'd (MADV_SEQUENTIAL, pages released behind);
// - JSON: simdjson On-Demand (runtime-dispatched to AVX-512 / AVX2 / SSE4.2
//   kernels) over the file with iterate_many, only the three fields read,
//   every other value skipped; simdjson validates UTF-8 for the whole input,
//   as LANGUAGE.md 12 asks of flowc;
// - CSV: a SWAR splitter (8 bytes a step, exact per-byte flags for `,`,
//   `\n` and `"`) that stops locating fields after event_time and only looks
//   for the line end after it; a line holding a quote takes an RFC 4180
//   slow path;
// - flat open-addressing tables (baseline.h) for the campaigns and the
//   per-window counts.
// The watermark is the largest event_time seen minus 1 s, advanced after
// every 1 MiB of input (the baseline's "batch"); every parsed record counts,
// as in flowc, before the filter. Windows whose end <= watermark fire then,
// the rest at end of input. Rows: window_start,window_end,KEY,count, by
// window then key, as flowc emits them.
#include <algorithm>
#include <map>

#include <simdjson.h>

#include "baseline.h"

namespace {

constexpr int64_t kWindowMs = 10'000;
constexpr int64_t kWatermarkDelayMs = 1'000;
constexpr size_t kBatchBytes = size_t{1} << 20;

int64_t floor_to(int64_t t, int64_t d) {
  int64_t r = t % d;
  return r < 0 ? t - r - d : t - r;
}

// The query after parsing: filter, join, window, count.
class Query {
 public:
  Query(const char* campaigns_path, const char* key_name) : join_(campaigns_path != nullptr) {
    if (join_) load_campaigns(campaigns_path);
    out_.s("window_start,window_end,"), out_.s(key_name), out_.s(",count"), out_.nl();
  }

  // One parsed event (every parsed record moves the watermark).
  void event(std::string_view type, std::string_view ad, int64_t t) {
    if (t > max_time_) max_time_ = t;
    if (type != "view") return;
    std::string_view key = ad;
    if (join_) {
      const std::string_view* c = campaigns_.find(ad);
      if (!c) return;
      key = *c;
    }
    int64_t start = floor_to(t, kWindowMs);
    if (start + kWindowMs <= batch_watermark_) return;  // late
    if (start != cached_start_) {
      cached_ = &open_[start];
      cached_start_ = start;
    }
    cached_->get(key) += 1;
  }

  void batch_done() {
    if (max_time_ != INT64_MIN && max_time_ - kWatermarkDelayMs > watermark_) {
      watermark_ = max_time_ - kWatermarkDelayMs;
    }
    if (!open_.empty() && open_.begin()->first + kWindowMs <= watermark_) {
      fire(watermark_);
      cached_start_ = INT64_MIN;
    }
    batch_watermark_ = watermark_;
  }

  void finish() { fire(INT64_MAX); }

 private:
  void load_campaigns(const char* path) {
    std::vector<std::pair<std::string, std::string>> rows;
    int c_ad = -1, c_campaign = -1;
    bench::for_each_line(path, [&](std::string_view line) {
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
    campaign_text_.reserve(rows.size());
    for (auto& [ad, c] : rows) {
      campaign_text_.push_back(c);
      campaigns_.get(ad) = campaign_text_.back();
    }
  }

  void fire(int64_t until) {
    while (!open_.empty() && open_.begin()->first + kWindowMs <= until) {
      int64_t start = open_.begin()->first;
      std::vector<std::pair<std::string_view, int64_t>> rows;
      open_.begin()->second.each([&](std::string_view k, int64_t c) { rows.emplace_back(k, c); });
      std::sort(rows.begin(), rows.end());
      for (const auto& [k, c] : rows) {
        out_.ts(start), out_.c(','), out_.ts(start + kWindowMs), out_.c(','), out_.s(k),
            out_.c(','), out_.i(c);
        out_.nl();
      }
      open_.erase(open_.begin());
    }
  }

  bool join_;
  bench::StrTable<std::string_view> campaigns_;
  std::vector<std::string> campaign_text_;  // owns the campaign ids
  std::map<int64_t, bench::StrTable<int64_t>> open_;  // one table per open window
  int64_t max_time_ = INT64_MIN;
  int64_t watermark_ = INT64_MIN;
  int64_t batch_watermark_ = INT64_MIN;  // the watermark as the "batch" began
  int64_t cached_start_ = INT64_MIN;
  bench::StrTable<int64_t>* cached_ = nullptr;
  bench::Writer out_;
};

void bad_record(const char* path, size_t offset, const char* why) {
  std::fprintf(stderr, "%s: byte %zu: bad record: %s\n", path, offset, why);
}

// ---------------------------------------------------------------- JSON
// One object: the three fields, others skipped. False on any error.
bool json_event(simdjson::ondemand::document_reference doc, Query& q) {
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  std::string_view type, ad;
  int64_t t = 0;
  bool has_type = false, has_ad = false, has_time = false;
  for (auto field : obj) {
    simdjson::ondemand::raw_json_string key;
    if (field.key().get(key)) return false;
    if (key == "event_type") {
      if (field.value().get_string().get(type)) return false;
      has_type = true;
    } else if (key == "ad_id") {
      if (field.value().get_string().get(ad)) return false;
      has_ad = true;
    } else if (key == "event_time") {
      if (field.value().get_int64().get(t)) return false;
      has_time = true;
    }
  }
  if (!has_type || !has_ad || !has_time) return false;
  q.event(type, ad, t);
  return true;
}

// Documents in [p, p + n); the bytes after them (SIMDJSON_PADDING) must be
// readable. Calls q.batch_done() after each 1 MiB.
void json_stream(const char* path, const char* p, size_t n, size_t base, Query& q,
                 size_t& next_batch, bench::MappedFile* file) {
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document_stream docs;
  if (parser.iterate_many(p, n, kBatchBytes).get(docs)) {
    bad_record(path, base, "simdjson cannot start");
    return;
  }
  for (auto it = docs.begin(); it != docs.end(); ++it) {
    size_t at = base + it.current_index();
    if (at >= next_batch) {
      q.batch_done();
      next_batch = at + kBatchBytes;
      if (file)
        file->release_before(p + it.current_index() -
                             std::min(it.current_index(), 2 * kBatchBytes));
    }
    if (!json_event(*it, q)) bad_record(path, at, "not a YSB event");
  }
  if (docs.truncated_bytes() > 0) bad_record(path, base + n - docs.truncated_bytes(), "truncated");
}

void run_json(const char* path, Query& q) {
  bench::MappedFile file(path);
  const char* data = file.data();
  size_t size = file.size();
  // simdjson reads up to SIMDJSON_PADDING bytes past what it is given: the
  // mapping serves as padding except at the very end, which is copied.
  size_t cut = 0;
  if (size > 8192) {
    const char* nl = static_cast<const char*>(memrchr(data, '\n', size - 4096));
    cut = nl ? static_cast<size_t>(nl - data) + 1 : 0;
  }
  size_t next_batch = kBatchBytes;
  if (cut > 0) json_stream(path, data, cut, 0, q, next_batch, &file);
  simdjson::padded_string tail(data + cut, size - cut);
  json_stream(path, tail.data(), tail.size(), cut, q, next_batch, nullptr);
  q.batch_done();
}

// ---------------------------------------------------------------- CSV
constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;

// Exact per-byte flags (high bit of each byte) for bytes equal to c.
inline uint64_t eq_bytes(uint64_t w, uint64_t c) {
  uint64_t x = w ^ (kOnes * c);
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// RFC 4180 fields of one line holding a quote (rare): into out[0..need).
int split_quoted(std::string_view line, std::string_view* out, int need, std::string* scratch) {
  int n = 0;
  size_t i = 0;
  scratch->clear();
  scratch->reserve(line.size());
  while (n < need) {
    if (i < line.size() && line[i] == '"') {
      size_t begin = scratch->size();
      for (++i; i < line.size(); ++i) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch->push_back('"'), ++i;
            continue;
          }
          ++i;
          break;
        }
        scratch->push_back(line[i]);
      }
      while (i < line.size() && line[i] != ',') scratch->push_back(line[i++]);
      out[n++] = std::string_view(*scratch).substr(begin);
    } else {
      size_t e = line.find(',', i);
      if (e == std::string_view::npos) e = line.size();
      out[n++] = line.substr(i, e - i);
      i = e;
    }
    if (i >= line.size()) break;
    ++i;
  }
  return n;
}

void run_csv(const char* path, Query& q) {
  bench::MappedFile file(path);
  const char* p = file.data();
  const char* end = p + file.size();
  // The header: which columns hold the three fields.
  const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
  if (!nl) return;
  std::vector<int> at = bench::header_columns(std::string_view(p, static_cast<size_t>(nl - p)),
                                              {"event_type", "ad_id", "event_time"});
  const int c_type = at[0], c_ad = at[1], c_time = at[2];
  const int need = std::max({c_type, c_ad, c_time}) + 1;
  p = nl + 1;
  const char* next_batch = p + kBatchBytes;
  std::string scratch;
  std::string_view f[64];
  while (p < end) {
    const char* line = p;
    int n = 0;
    const char* field = p;
    bool quoted = false;
    // Fields until the last one needed, 8 bytes a step; then the line end.
    while (p + 8 <= end && n < need) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      uint64_t hits = (eq_bytes(w, ',') | eq_bytes(w, '\n') | eq_bytes(w, '"')) & ~kLow7;
      while (hits != 0 && n < need) {
        const char* h = p + (__builtin_ctzll(hits) >> 3);
        hits &= hits - 1;
        if (*h == '"') {
          quoted = true;
          break;
        }
        f[n++] = std::string_view(field, static_cast<size_t>(h - field));
        field = h + 1;
        if (*h == '\n') {
          p = h;
          goto line_end;
        }
      }
      if (quoted) break;
      if (n < need) p += 8;
      else p = field;
    }
    if (!quoted && n < need) {  // the last bytes of the file
      while (p < end && n < need && *p != '"') {
        if (*p == ',' || *p == '\n') {
          f[n++] = std::string_view(field, static_cast<size_t>(p - field));
          field = p + 1;
          if (*p == '\n') goto line_end;
        }
        ++p;
      }
      if (p < end && *p == '"') quoted = true;
      else if (n < need && p == end)
        f[n++] = std::string_view(field, static_cast<size_t>(p - field));
    }
    if (quoted) {
      // RFC 4180: the record may continue past quoted newlines.
      const char* e = line;
      bool in = false;
      for (; e < end; ++e) {
        if (*e == '"') in = !in;
        else if (*e == '\n' && !in) break;
      }
      std::string_view rec(line, static_cast<size_t>(e - line));
      if (!rec.empty() && rec.back() == '\r') rec.remove_suffix(1);
      n = split_quoted(rec, f, need, &scratch);
      p = e;
    } else {
      const char* e = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
      p = e ? e : end;
    }
  line_end:
    if (p < end) ++p;  // past the newline
    if (n == 1 && f[0].empty()) continue;  // a blank line
    if (n < need) {
      bad_record(path, static_cast<size_t>(line - file.data()), "missing columns");
    } else {
      std::string_view time = f[c_time];
      if (!time.empty() && time.back() == '\r') time.remove_suffix(1);
      int64_t t;
      if (!bench::parse_i64(time, t)) {
        bad_record(path, static_cast<size_t>(line - file.data()), "bad event_time");
      } else {
        q.event(f[c_type], f[c_ad], t);
      }
    }
    if (p >= next_batch) {
      q.batch_done();
      next_batch = p + kBatchBytes;
      file.release_before(p - std::min<size_t>(static_cast<size_t>(p - file.data()), kBatchBytes));
    }
  }
  q.batch_done();
}

}  // namespace

int main(int argc, char** argv) {
  if ((argc != 3 && argc != 4) ||
      (std::string_view(argv[1]) != "json" && std::string_view(argv[1]) != "csv")) {
    std::fprintf(stderr, "usage: base_ysb json|csv EVENTS [CAMPAIGNS.csv]\n");
    return 2;
  }
  const char* campaigns = argc == 4 ? argv[3] : nullptr;
  Query q(campaigns, campaigns ? "campaign_id" : "ad_id");
  if (std::string_view(argv[1]) == "json") run_json(argv[2], q);
  else run_csv(argv[2], q);
  q.finish();
  return 0;
}
