// runtime/kafka_connector.h — the kafka(...) connector (LANGUAGE.md 4.1, 10,
// 12 "Kafka.") through librdkafka's C API: a consumer-group source
// (source_kafka.cpp) and a producer sink (sink_kafka.cpp). The micro-batch
// loop knows neither: both plug into the batch hooks every source and sink
// has (context.h, sink.h), which batch_loop.cpp calls in this order:
//
//   batch start   Sink::begin_batch     exactly_once sinks begin a transaction
//   during batch  Source::cut_requested a source lost partitions (rebalance):
//                                       end the batch now
//   batch end     Sink::write_batch     every row delivered, or exit 3
//   commit point  Source::join_transaction
//                                       exactly_once: the consumed offsets go
//                                       into the first such sink's transaction
//                                       (transaction.h) ...
//                 Sink::commit          ... which commits
//                 (the checkpoint is written, with a checkpoint directory)
//                 Source::commit        without a transaction, consumers commit
//                                       offsets +1; then revoked partitions are
//                                       released, an ended consumer closes
//   failure       Sink::abort_batch     transactions abort, queued rows drop
//
// The commit point is every batch end without a checkpoint, and each
// checkpoint with one (every batch, or `every D`; a rebalance forces one).
// Between commit points an exactly_once sink's transaction stays open, so
// a transaction holds every batch since the last checkpoint. A restarted
// run seeks the partitions it owned to the checkpoint's offsets, not the
// group's. One window is left: a crash after the transaction commits and
// before the checkpoint file is renamed (milliseconds) re-sends those
// batches after the restart. Closing it needs the transaction to be
// committed by the restarted run (Flink's two-phase commit), which
// librdkafka cannot do for a transaction another producer instance began.
#ifndef FLOWC_RUNTIME_KAFKA_CONNECTOR_H
#define FLOWC_RUNTIME_KAFKA_CONNECTOR_H

#include <librdkafka/rdkafka.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "context.h"

namespace flowrt {

// The connector's arguments (FlowSourceDesc/FlowSinkDesc::options).
struct KafkaOptions {
  std::string brokers, topic, group;
  // A source's topics: `topic` may list several ("a,b"); `topic_pattern`
  // is a regex librdkafka re-checks as topics appear (LANGUAGE.md 13).
  std::string topic_pattern;
  std::string start = "latest";  // Kafka's own default for auto.offset.reset
  bool stop_at_end = false;
  bool exactly_once = false;
  std::string changelog;  // sources: the topic keyed state is kept in (kafka_changelog.h)
  std::vector<std::pair<std::string, std::string>> properties;  // dotted names
};

KafkaOptions parse_kafka_options(const char* const* options, int32_t pairs);

// A topic-partition of a kafka source as one number, a PartKey: the
// topic's number in bits 32-47, the partition in the low 32. It is a kafka
// record's FlowRecord.offset, and so the low bits of the partition id
// keyed state is kept by (abi.h): two topics' partition 0 are two keys.
using PartKey = int64_t;

// A source reads at most this many topics (a topic_pattern matching
// more is a runtime error): the topic number has 16 bits below the
// source's in a partition id.
inline constexpr size_t kMaxTopicsPerSource = size_t{1} << (FLOW_PARTITION_SOURCE_SHIFT - 32);

// The topics of a kafka source, numbered as first seen. A checkpoint keeps
// the numbering (source_kafka.cpp), as its keyed state holds the numbers;
// the changelog names topics, as copies number them differently.
class KafkaTopics {
 public:
  // The key of `topic`/`partition`, numbering a topic not seen before.
  PartKey key(std::string_view topic, int32_t partition);
  static int32_t partition(PartKey k) { return static_cast<int32_t>(static_cast<uint32_t>(k)); }
  static PartKey with_partition(PartKey k, int32_t partition) {
    return (k & ~int64_t{0xffffffff}) | static_cast<uint32_t>(partition);
  }
  const std::string& topic(PartKey k) const { return names_[static_cast<size_t>(k >> 32)]; }
  std::string text(PartKey k) const {
    const size_t number = static_cast<size_t>(k >> 32);
    return (number < names_.size() ? names_[number] : "?") + "/" + std::to_string(partition(k));
  }
  // Every topic, by number.
  size_t size() const { return names_.size(); }
  const std::string& name(size_t number) const { return names_[number]; }

 private:
  std::deque<std::string> names_;  // by number (stable addresses for index_)
  std::map<std::string_view, int64_t, std::less<>> index_;
};

// Shared by consumers and producers: librdkafka's log lines and errors go
// to the runtime's stderr as `flowc: kafka ...: ...` (warnings and worse;
// the same error code is printed once per handle), fatal errors are kept
// for the batch loop to turn into exit 3.
class KafkaClient {
 public:
  explicit KafkaClient(std::string label, int stderr_fd)
      : label_(std::move(label)), stderr_fd_(stderr_fd) {}
  virtual ~KafkaClient() = default;

  // A configuration with bootstrap.servers, the callbacks and `props`;
  // nullptr after *error.
  rd_kafka_conf_t* make_conf(const KafkaOptions& opts, std::string* error);
  void log(std::string_view text) const;
  // A fatal error reported by librdkafka (empty: none).
  std::string fatal_error() const;
  const std::string& label() const { return label_; }
  void set_stderr(int fd) { stderr_fd_ = fd; }
  bool debugging() const { return debug_; }
  // The librdkafka handle (metrics read a consumer's lag through it).
  rd_kafka_t* handle() const { return rk_; }

 protected:
  rd_kafka_t* rk_ = nullptr;

 private:
  static void on_log(const rd_kafka_t* rk, int level, const char* fac, const char* buf);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  std::string label_;
  int stderr_fd_;
  mutable std::mutex mu_;
  std::vector<int> seen_errors_;
  std::vector<std::string> seen_log_;
  std::string fatal_;
  bool debug_ = false;  // FLOWC_KAFKA_DEBUG: every log line
};

// The constructors (connectors.cpp): source_kafka.cpp, sink_kafka.cpp.
std::unique_ptr<Source> make_kafka_source(int32_t index, const FlowSourceDesc* desc);
std::unique_ptr<Sink> make_kafka_sink(int32_t index, const FlowSinkDesc* desc);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_KAFKA_CONNECTOR_H
