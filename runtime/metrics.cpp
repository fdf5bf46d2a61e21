// runtime/metrics.cpp — counters into snapshots, snapshots into
// Prometheus text (metrics.h).
#include "metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "context.h"
#include "flow_stdlib.h"
#include "kafka_connector.h"
#include "metrics_http.h"
#include "sink.h"

namespace flowrt {

namespace {

// A sink's label: its target as written (LANGUAGE.md 13 "Metrics").
std::string sink_target(const FlowSinkDesc& d) {
  switch (d.kind) {
    case FLOW_SINK_STDOUT: return "stdout";
    case FLOW_SINK_KAFKA: return "kafka:" + parse_kafka_options(d.options, d.option_count).topic;
    default: return d.path != nullptr ? d.path : "";
  }
}

std::shared_ptr<const MetricsLabels> make_labels(const FlowPipeline* p) {
  auto labels = std::make_shared<MetricsLabels>();
  for (int32_t i = 0; i < p->source_count; ++i) {
    const FlowSourceDesc& s = p->sources[i];
    labels->sources.push_back(s.name != nullptr ? s.name : "");
    if (s.watermark != nullptr) labels->watermark_sources.push_back(i);
  }
  for (int32_t i = 0; i < p->sink_count; ++i) {
    std::string target = sink_target(p->sinks[i]);
    auto it = std::find(labels->sink_targets.begin(), labels->sink_targets.end(), target);
    labels->sink_target_of.push_back(static_cast<size_t>(it - labels->sink_targets.begin()));
    if (it == labels->sink_targets.end()) labels->sink_targets.push_back(std::move(target));
  }
  for (int32_t i = 0; i < p->stream_count; ++i) labels->streams.push_back(p->streams[i]);
  for (int32_t i = 0; i < p->state_table_count; ++i) {
    int32_t stream = p->state_tables[i].stream;
    auto& v = labels->state_streams;
    if (std::find(v.begin(), v.end(), stream) == v.end()) v.push_back(stream);
  }
  std::sort(labels->state_streams.begin(), labels->state_streams.end());
  // Late records are dropped by windows and sessions, which keep state.
  labels->late_streams = labels->state_streams;
  return labels;
}

// ---- the text format ----

void escape_label(std::string* out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') *out += "\\\\";
    else if (c == '"') *out += "\\\"";
    else if (c == '\n') *out += "\\n";
    else *out += c;
  }
}

void append_double(std::string* out, double v) {
  if (std::isnan(v)) {
    *out += "NaN";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out->append(buf, end);
  }
}

class Writer {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // name{k1="v1",...} value
  void sample(std::string_view name,
              std::initializer_list<std::pair<const char*, std::string_view>> labels,
              int64_t value) {
    head(name, labels);
    out_ += std::to_string(value);
    out_ += '\n';
  }
  void sample(std::string_view name,
              std::initializer_list<std::pair<const char*, std::string_view>> labels,
              double value) {
    head(name, labels);
    append_double(&out_, value);
    out_ += '\n';
  }
  void histogram(const std::string& name, const Histogram& h) {
    uint64_t cumulative = 0;
    std::string le;
    for (size_t i = 0; i <= kDurationBuckets.size(); ++i) {
      cumulative += h.counts[i];
      if (i < kDurationBuckets.size()) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", kDurationBuckets[i]);  // 0.0001, not 1e-04
        le = text;
      } else {
        le = "+Inf";
      }
      sample(name + "_bucket", {{"le", le}}, static_cast<int64_t>(cumulative));
    }
    sample(name + "_sum", {}, h.sum);
    sample(name + "_count", {}, static_cast<int64_t>(h.count));
  }
  std::string take() { return std::move(out_); }

 private:
  void head(std::string_view name,
            std::initializer_list<std::pair<const char*, std::string_view>> labels) {
    out_ += name;
    if (labels.size() > 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        escape_label(&out_, v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
  }
  std::string out_;
};

}  // namespace

void Histogram::observe(double seconds) {
  size_t i = 0;
  while (i < kDurationBuckets.size() && seconds > kDurationBuckets[i]) ++i;
  ++counts[i];
  sum += seconds;
  ++count;
}

std::string render_metrics(const MetricsSnapshot& s) {
  const MetricsLabels& l = *s.labels;
  Writer w;
  w.family("flowc_records_in_total", "counter",
           "Records read from each source, bad ones included.");
  for (size_t i = 0; i < l.sources.size(); ++i)
    w.sample("flowc_records_in_total", {{"source", l.sources[i]}}, s.records_in[i]);
  w.family("flowc_rows_out_total", "counter", "Rows written to each sink target.");
  for (size_t i = 0; i < l.sink_targets.size(); ++i)
    w.sample("flowc_rows_out_total", {{"sink", l.sink_targets[i]}}, s.rows_out[i]);
  w.family("flowc_bad_records_total", "counter", "Bad records of each source (LANGUAGE.md 9).");
  for (size_t i = 0; i < l.sources.size(); ++i)
    w.sample("flowc_bad_records_total", {{"source", l.sources[i]}}, s.bad[i]);
  w.family("flowc_late_records_total", "counter", "Records a stream's window dropped as late.");
  for (int32_t stream : l.late_streams)
    w.sample("flowc_late_records_total", {{"stream", l.streams[static_cast<size_t>(stream)]}},
             s.late[static_cast<size_t>(stream)]);
  w.family("flowc_batches_total", "counter", "Micro-batches completed.");
  w.sample("flowc_batches_total", {}, s.batches);
  w.family("flowc_batch_duration_seconds", "histogram",
           "Time from the start of a batch to its commit.");
  w.histogram("flowc_batch_duration_seconds", s.batch_duration);
  w.family("flowc_watermark_seconds", "gauge",
           "Each event-time source's watermark, in seconds since the epoch.");
  for (size_t i = 0; i < l.watermark_sources.size(); ++i) {
    int64_t ms = s.watermark_ms[i];
    double seconds = ms == std::numeric_limits<int64_t>::min()   ? -INFINITY
                     : ms == std::numeric_limits<int64_t>::max() ? INFINITY
                                                                 : static_cast<double>(ms) / 1000.0;
    w.sample("flowc_watermark_seconds",
             {{"source", l.sources[static_cast<size_t>(l.watermark_sources[i])]}}, seconds);
  }
  w.family("flowc_state_keys", "gauge", "Keys held in each stream's keyed state.");
  for (size_t i = 0; i < l.state_streams.size(); ++i)
    w.sample("flowc_state_keys", {{"stream", l.streams[static_cast<size_t>(l.state_streams[i])]}},
             s.state_keys[i]);
  w.family("flowc_checkpoint_duration_seconds", "histogram", "Time to write one checkpoint.");
  w.histogram("flowc_checkpoint_duration_seconds", s.checkpoint_duration);
  if (!s.kafka_lags.empty()) {
    w.family("flowc_kafka_lag", "gauge",
             "Messages of a partition not yet read: its last offset fetched minus the consumer's "
             "position.");
    for (const KafkaLag& k : s.kafka_lags) {
      std::string partition = std::to_string(k.partition);
      w.sample("flowc_kafka_lag", {{"topic", k.topic}, {"partition", partition}}, k.lag);
    }
  }
  return w.take();
}

bool valid_metrics_address(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return false;
  std::string_view host = address.substr(0, colon), port = address.substr(colon + 1);
  if (host.find(':') != std::string_view::npos && !(host.front() == '[' && host.back() == ']')) {
    return false;  // an IPv6 address needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && ec == std::errc() && end == port.data() + port.size() && value <= 65535;
}

std::unique_ptr<Metrics> Metrics::start(const FlowPipeline* pipeline, std::string_view address,
                                        std::string* error) {
  std::unique_ptr<Metrics> m(new Metrics());
  m->pipeline_ = pipeline;
  m->labels_ = make_labels(pipeline);
  m->late_.assign(m->labels_->streams.size(), 0);
  // Zeros until the first batch ends: a scrape never finds nothing.
  auto first = std::make_shared<MetricsSnapshot>();
  first->labels = m->labels_;
  first->records_in.assign(m->labels_->sources.size(), 0);
  first->bad.assign(m->labels_->sources.size(), 0);
  first->rows_out.assign(m->labels_->sink_targets.size(), 0);
  first->late = m->late_;
  first->state_keys.assign(m->labels_->state_streams.size(), 0);
  first->watermark_ms.assign(m->labels_->watermark_sources.size(),
                             std::numeric_limits<int64_t>::min());
  m->current_ = std::move(first);
  Metrics* self = m.get();
  m->server_ = MetricsServer::start(
      address, [self] { return render_metrics(*self->snapshot()); }, &m->bound_, error);
  if (!m->server_) return nullptr;
  return m;
}

Metrics::~Metrics() { server_.reset(); }  // the thread stops before the rest goes

std::shared_ptr<const MetricsSnapshot> Metrics::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void Metrics::publish(std::shared_ptr<MetricsSnapshot> s) {
  std::shared_ptr<const MetricsSnapshot> previous = std::move(s);
  {
    std::lock_guard<std::mutex> lock(mu_);
    current_.swap(previous);
  }
  // `previous` goes here, or with the last scrape that holds it.
}

void Metrics::batch_begin() {
  batch_started_ = std::chrono::steady_clock::now();
  in_batch_ = true;
}

void Metrics::batch_end(FlowContext* ctx) {
  if (in_batch_) {
    batch_duration_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_started_).count());
    in_batch_ = false;
  }
  const MetricsLabels& l = *labels_;
  // A new snapshot per batch (a few small vectors): one a scrape may hold
  // is never written again, which needs no ordering beyond the mutex.
  auto s = std::make_shared<MetricsSnapshot>();
  s->labels = labels_;
  for (size_t i = 0; i < l.sources.size(); ++i) {
    s->records_in.push_back(i < ctx->sources.size() ? ctx->sources[i]->records_in : 0);
    s->bad.push_back(ctx->bad.count(static_cast<int32_t>(i)));
  }
  s->rows_out.assign(l.sink_targets.size(), 0);
  for (size_t i = 0; i < ctx->sinks.size() && i < l.sink_target_of.size(); ++i)
    s->rows_out[l.sink_target_of[i]] += ctx->sinks[i]->rows_out();
  s->late = late_;
  s->state_keys.assign(l.state_streams.size(), 0);
  for (int32_t i = 0; i < pipeline_->state_table_count; ++i) {
    const FlowStateTable& t = pipeline_->state_tables[i];
    auto it = std::find(l.state_streams.begin(), l.state_streams.end(), t.stream);
    for (int32_t k = 0; k < std::max<int32_t>(t.parts, 1); ++k) {
      auto* ht = static_cast<const FlowHashTable*>(worker_ptr(t.table, k));
      if (ht != nullptr)
        s->state_keys[static_cast<size_t>(it - l.state_streams.begin())] += flow_ht_count(ht);
    }
  }
  for (int32_t source : l.watermark_sources)
    s->watermark_ms.push_back(*pipeline_->sources[source].watermark);
  collect_kafka_lags(ctx, &s->kafka_lags);
  s->batches = ctx->counters.batches;
  s->batch_duration = batch_duration_;
  s->checkpoint_duration = checkpoint_duration_;
  publish(std::move(s));
}

void metrics_batch_begin(FlowContext* ctx) {
  if (ctx->metrics != nullptr) ctx->metrics->batch_begin();
}

void metrics_batch_end(FlowContext* ctx) {
  if (ctx->metrics != nullptr) ctx->metrics->batch_end(ctx);
}

void metrics_checkpoint_took(FlowContext* ctx, double seconds) {
  if (ctx->metrics != nullptr) ctx->metrics->checkpoint_took(seconds);
}

}  // namespace flowrt
