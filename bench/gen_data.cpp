// bench/gen_data.cpp — writes the benchmark inputs into a directory,
// deterministically (a fixed-seed splitmix64), fast enough for 10M-line
// files (hand-rolled formatting into a large buffer, no printf per field).
//
//   gen_data DIR [N]    N = records in the big files (default 10,000,000)
//
// Files (see bench/README.md):
//   events.csv       ts,user_id,event_type,ad_id,value       N rows
//   events_1m.csv    the first 1,000,000 rows of events.csv
//   events.jsonl     the same records as JSON lines          N lines
//   ysb.jsonl        Yahoo Streaming Benchmark events         N lines
//   ysb.csv          the same events as CSV (with a header)   N rows
//   campaigns.csv    ad_id,campaign_id                        10,000 rows
//   words.txt        text for word count                      N/5 lines
//   tiny.csv         3 rows of events.csv (start-up benchmark)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
constexpr int kUsers = 100'000;
constexpr int kAds = 1'000;          // events.csv / events.jsonl
constexpr int kYsbAds = 10'000;      // ysb.jsonl, campaigns.csv
constexpr int kYsbCampaigns = 1'000;
constexpr int kYsbEventsPerMs = 100; // 10M events span 100 s of event time
constexpr int kYsbJitterMs = 200;    // events arrive up to 200 ms out of order

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
};

uint64_t mix(uint64_t x) { return Rng{x}.next(); }

class Out {
 public:
  explicit Out(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) {
      std::perror(path.c_str());
      std::exit(1);
    }
    buf_.reserve(kCap + 4096);
  }
  ~Out() {
    flush();
    std::fclose(f_);
  }
  void s(const char* p, size_t n) { buf_.append(p, n); }
  void s(const char* p) { s(p, std::strlen(p)); }
  void c(char ch) { buf_.push_back(ch); }
  void u(uint64_t v) {
    char t[24];
    int n = 0;
    do t[n++] = static_cast<char>('0' + v % 10); while ((v /= 10) != 0);
    while (n) buf_.push_back(t[--n]);
  }
  void u_pad(uint64_t v, int width) {  // zero-padded
    char t[24];
    for (int i = width - 1; i >= 0; --i, v /= 10) t[i] = static_cast<char>('0' + v % 10);
    s(t, width);
  }
  void hex(uint64_t v, int digits) {
    static const char* d = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i) buf_.push_back(d[(v >> (4 * i)) & 15]);
  }
  // A UUID-looking id made from 128 bits.
  void uuid(uint64_t a, uint64_t b) {
    hex(a >> 32, 8), c('-'), hex(a >> 16, 4), c('-'), hex(a, 4), c('-'), hex(b >> 48, 4), c('-'), hex(b, 12);
  }
  void end_line() {
    buf_.push_back('\n');
    if (buf_.size() >= kCap) flush();
  }

 private:
  static constexpr size_t kCap = 1 << 22;
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size()) {
      std::perror("write");
      std::exit(1);
    }
    buf_.clear();
  }
  FILE* f_;
  std::string buf_;
};

const char* const kTypes[] = {"view", "click", "purchase"};
const char* const kAdTypes[] = {"banner", "modal", "sponsored-search", "mail", "mobile"};

struct Event {
  int64_t ts;
  uint32_t user;
  int type;
  uint32_t ad;
  uint32_t cents;
};

Event event(Rng& r, int64_t i) {
  Event e;
  e.ts = kStartMs + i;
  e.user = static_cast<uint32_t>(r.below(kUsers));
  e.type = static_cast<int>(r.below(3));
  e.ad = static_cast<uint32_t>(r.below(kAds));
  e.cents = static_cast<uint32_t>(r.below(100'000));
  return e;
}

void value(Out& o, uint32_t cents) {
  o.u(cents / 100), o.c('.'), o.u_pad(cents % 100, 2);
}

void write_events(const std::string& dir, int64_t n) {
  Out csv(dir + "/events.csv"), csv1m(dir + "/events_1m.csv"), tiny(dir + "/tiny.csv"),
      json(dir + "/events.jsonl");
  const char* header = "ts,user_id,event_type,ad_id,value";
  for (Out* o : {&csv, &csv1m, &tiny}) o->s(header), o->end_line();
  Rng r{42};
  for (int64_t i = 0; i < n; ++i) {
    Event e = event(r, i);
    auto row = [&](Out& o) {
      o.u(e.ts), o.s(",u"), o.u(e.user), o.c(','), o.s(kTypes[e.type]), o.s(",ad"), o.u_pad(e.ad, 4), o.c(',');
      value(o, e.cents);
      o.end_line();
    };
    row(csv);
    if (i < 1'000'000) row(csv1m);
    if (i < 3) row(tiny);
    json.s("{\"ts\":"), json.u(e.ts), json.s(",\"user_id\":\"u"), json.u(e.user);
    json.s("\",\"event_type\":\""), json.s(kTypes[e.type]), json.s("\",\"ad_id\":\"ad"), json.u_pad(e.ad, 4);
    json.s("\",\"value\":"), value(json, e.cents), json.c('}');
    json.end_line();
  }
}

void ad_id(Out& o, uint32_t ad) { o.uuid(mix(ad * 2 + 1), mix(ad * 2 + 2)); }
void campaign_id(Out& o, uint32_t c) { o.uuid(mix(1'000'003 + c * 2), mix(1'000'004 + c * 2)); }

void write_ysb(const std::string& dir, int64_t n) {
  {
    Out t(dir + "/campaigns.csv");
    t.s("ad_id,campaign_id"), t.end_line();
    for (uint32_t ad = 0; ad < kYsbAds; ++ad) {
      ad_id(t, ad), t.c(','), campaign_id(t, ad % kYsbCampaigns), t.end_line();
    }
  }
  // The same events twice: JSON lines and CSV (columns in the JSON order).
  Out o(dir + "/ysb.jsonl"), c(dir + "/ysb.csv");
  c.s("user_id,page_id,ad_id,ad_type,event_type,event_time,ip_address"), c.end_line();
  Rng r{7};
  for (int64_t i = 0; i < n; ++i) {
    int64_t t = kStartMs + i / kYsbEventsPerMs - static_cast<int64_t>(r.below(kYsbJitterMs));
    uint32_t ad = static_cast<uint32_t>(r.below(kYsbAds));
    uint64_t user = r.next(), page = r.next();
    uint64_t ip = r.next();
    const char* ad_type = kAdTypes[r.below(5)];
    const char* type = kTypes[r.below(3)];
    auto ip_text = [&](Out& x) {
      x.u(ip & 255), x.c('.'), x.u((ip >> 8) & 255), x.c('.'), x.u((ip >> 16) & 255), x.c('.'),
          x.u((ip >> 24) & 255);
    };
    o.s("{\"user_id\":\""), o.uuid(user, mix(user));
    o.s("\",\"page_id\":\""), o.uuid(page, mix(page));
    o.s("\",\"ad_id\":\""), ad_id(o, ad);
    o.s("\",\"ad_type\":\""), o.s(ad_type);
    o.s("\",\"event_type\":\""), o.s(type);
    o.s("\",\"event_time\":"), o.u(static_cast<uint64_t>(t));
    o.s(",\"ip_address\":\""), ip_text(o);
    o.s("\"}");
    o.end_line();
    c.uuid(user, mix(user)), c.c(','), c.uuid(page, mix(page)), c.c(','), ad_id(c, ad), c.c(',');
    c.s(ad_type), c.c(','), c.s(type), c.c(','), c.u(static_cast<uint64_t>(t)), c.c(','),
        ip_text(c);
    c.end_line();
  }
}

// Word count text: lines of 4..16 words drawn from a 50,000-word vocabulary
// with Zipf-like frequencies (rank r weighs 1/r, as in natural text), word
// lengths 1..14, about 1 word in 16 capitalized and 1 in 32 carrying
// punctuation (words() keeps it: "end." and "end" are different words);
// words are separated by one space, now and then by two or a tab.
void write_words(const std::string& dir, int64_t lines) {
  constexpr int kVocab = 50'000;
  Rng r{11};
  std::vector<std::string> vocab;
  vocab.reserve(kVocab);
  static const char* kLetters = "etaoinshrdlcumwfgypbvkjxqz";  // by English frequency
  for (int i = 0; i < kVocab; ++i) {
    // Frequent words are short: length grows with the log of the rank.
    int len = 1 + static_cast<int>(r.below(3));
    for (int k = i; k > 8; k /= 4) ++len;
    len = std::min(len + static_cast<int>(r.below(3)), 14);
    std::string w;
    for (int k = 0; k < len; ++k) w += kLetters[std::min<uint64_t>(r.below(26), r.below(26))];
    vocab.push_back(std::move(w));
  }
  std::vector<double> cdf(kVocab);
  double total = 0;
  for (int i = 0; i < kVocab; ++i) cdf[i] = total += 1.0 / (i + 1);
  Out o(dir + "/words.txt");
  for (int64_t l = 0; l < lines; ++l) {
    int words = 4 + static_cast<int>(r.below(13));
    for (int k = 0; k < words; ++k) {
      if (k > 0) {
        uint64_t sep = r.below(64);
        o.s(sep == 0 ? "\t" : sep < 3 ? "  " : " ");
      }
      double u = static_cast<double>(r.next() >> 11) * 0x1.0p-53 * total;
      int at = static_cast<int>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      const std::string& w = vocab[std::min(at, kVocab - 1)];
      uint64_t shape = r.below(32);
      if (shape < 2) {
        o.c(static_cast<char>(w[0] - 'a' + 'A')), o.s(w.data() + 1, w.size() - 1);
      } else {
        o.s(w.data(), w.size());
      }
      if (shape == 31) o.c(".;:!?"[r.below(5)]);  // no comma: CSV output stays unquoted
    }
    o.end_line();
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_data DIR [N]\n");
    return 2;
  }
  std::string dir = argv[1];
  int64_t n = argc > 2 ? std::atoll(argv[2]) : 10'000'000;
  write_events(dir, n);
  write_ysb(dir, n);
  write_words(dir, n / 5);
  return 0;
}
