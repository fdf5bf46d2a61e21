// runtime/metrics.h — `--metrics HOST:PORT` (LANGUAGE.md 13 "Run options"):
// Prometheus text metrics on `GET /metrics`.
//
// The batch loop owns every counter. At the end of each batch it copies
// them into a new snapshot and publishes it (a pointer swap under a mutex
// held for nothing else); the HTTP thread (metrics_http.h) renders the
// published snapshot and never touches the running pipeline, so a slow or
// hostile client cannot slow the batch loop down. The counters are those
// --progress prints: the per-source, per-sink and per-stream series add up
// to its records in, rows out, bad and late figures.
//
// Families (text exposition format 0.0.4):
//   flowc_records_in_total{source}        counter  every record read, bad ones included
//   flowc_rows_out_total{sink}            counter  rows written; the label is the sink's
//                                                  target as written: stdout, out/x.csv,
//                                                  kafka:topic (sinks with one target add up)
//   flowc_bad_records_total{source}       counter
//   flowc_late_records_total{stream}      counter  streams with a window
//   flowc_batches_total                   counter
//   flowc_batch_duration_seconds          histogram  start of a batch to its commit
//   flowc_watermark_seconds{source}       gauge    event-time sources; -Inf before the
//                                                  first record, +Inf at the end
//   flowc_state_keys{stream}              gauge    keys in the stream's keyed state
//   flowc_checkpoint_duration_seconds     histogram  writing one checkpoint
//   flowc_kafka_lag{topic,partition}      gauge    last offset fetched - the consumer's position
#ifndef FLOWC_RUNTIME_METRICS_H
#define FLOWC_RUNTIME_METRICS_H

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "abi.h"

namespace flowrt {

class MetricsServer;  // metrics_http.h

// Upper bounds (seconds) of the duration histograms' buckets: from a
// 100 µs batch of a small file to a 30 s checkpoint of a large state.
inline constexpr std::array<double, 17> kDurationBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,    0.5,    1,     2.5,    5,     10,   30};

struct Histogram {
  std::array<uint64_t, kDurationBuckets.size() + 1> counts{};  // per bucket, then +Inf
  double sum = 0;
  uint64_t count = 0;
  void observe(double seconds);
};

struct KafkaLag {
  std::string topic;
  int32_t partition = 0;
  int64_t lag = 0;
};

// The names behind the labels, fixed for the run.
struct MetricsLabels {
  std::vector<std::string> sources;        // every source and table, by index
  std::vector<std::string> sink_targets;   // distinct sink targets
  std::vector<size_t> sink_target_of;      // sink index -> sink_targets index
  std::vector<std::string> streams;        // by index (FlowPipeline.streams)
  std::vector<int32_t> late_streams;       // streams that can count late records
  std::vector<int32_t> state_streams;      // streams with keyed state
  std::vector<int32_t> watermark_sources;  // sources with event time
};

// One batch end's figures, immutable once published.
struct MetricsSnapshot {
  std::shared_ptr<const MetricsLabels> labels;
  std::vector<int64_t> records_in, bad;  // per source
  std::vector<int64_t> rows_out;         // per sink target
  std::vector<int64_t> late;             // per stream
  std::vector<int64_t> state_keys;       // per entry of labels->state_streams
  std::vector<int64_t> watermark_ms;     // per entry of labels->watermark_sources
  std::vector<KafkaLag> kafka_lags;
  int64_t batches = 0;
  Histogram batch_duration, checkpoint_duration;
};

// The exposition text of a snapshot.
std::string render_metrics(const MetricsSnapshot& s);

// Whether `address` is HOST:PORT (HOST may be empty — every interface —,
// a name, an IPv4 address or a bracketed IPv6 one; PORT 0..65535, 0 picks
// a free one). For option parsing.
bool valid_metrics_address(std::string_view address);

class Metrics {
 public:
  // Binds `address` and starts serving; null with *error (the address is
  // taken, the host is unknown, ...).
  static std::unique_ptr<Metrics> start(const FlowPipeline* pipeline, std::string_view address,
                                        std::string* error);
  ~Metrics();  // stops the HTTP thread
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // The address actually bound (the port filled in when 0 was asked for).
  const std::string& bound_address() const { return bound_; }

  // The batch loop's hooks.
  void batch_begin();
  void batch_end(FlowContext* ctx);
  void checkpoint_took(double seconds) { checkpoint_duration_.observe(seconds); }
  void count_late(int32_t stream, int64_t n = 1) {
    if (stream >= 0 && static_cast<size_t>(stream) < late_.size())
      late_[static_cast<size_t>(stream)] += n;
  }

  // The current snapshot (the HTTP thread; any thread).
  std::shared_ptr<const MetricsSnapshot> snapshot() const;

 private:
  Metrics() = default;
  void publish(std::shared_ptr<MetricsSnapshot> s);

  const FlowPipeline* pipeline_ = nullptr;
  std::shared_ptr<const MetricsLabels> labels_;
  std::vector<int64_t> late_;
  Histogram batch_duration_, checkpoint_duration_;
  std::chrono::steady_clock::time_point batch_started_{};
  bool in_batch_ = false;

  mutable std::mutex mu_;  // guards current_ only; held for a pointer copy
  std::shared_ptr<const MetricsSnapshot> current_;

  std::string bound_;
  std::unique_ptr<MetricsServer> server_;
};

// Hooks for the batch loop and the checkpointer: nothing without --metrics.
void metrics_batch_begin(FlowContext* ctx);
void metrics_batch_end(FlowContext* ctx);
void metrics_checkpoint_took(FlowContext* ctx, double seconds);

// Kafka consumer lag per assigned partition of every kafka source
// (kafka_lag.cpp).
void collect_kafka_lags(FlowContext* ctx, std::vector<KafkaLag>* out);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_METRICS_H
