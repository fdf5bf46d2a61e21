// runtime/kafka_connector.h — the kafka(...) connector (LANGUAGE.md 4.1, 10,
// 12 "Kafka.") through librdkafka's C API: a consumer-group source, a
// producer behind kafka sinks, and the batch hooks that tie both to the
// micro-batch loop:
//
//   batch start   kafka_begin_batch    exactly_once sinks begin a transaction
//   during batch  kafka_batch_cut      a source lost partitions (rebalance):
//                                      end the batch now
//   batch end     (sinks flush: every row delivered, or exit 3)
//   commit point  kafka_commit_transactions
//                                      exactly_once: consumed offsets go into
//                                      the transaction, which commits
//                 (the checkpoint is written, with a checkpoint directory)
//                 kafka_commit_offsets other consumers commit offsets +1;
//                                      then revoked partitions are released
//   failure       kafka_abort_batch    transactions abort, queued rows drop
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

#include <atomic>
#include <cstdint>
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
  std::string start = "latest";  // Kafka's own default for auto.offset.reset
  bool stop_at_end = false;
  bool exactly_once = false;
  std::vector<std::pair<std::string, std::string>> properties;  // dotted names
};

KafkaOptions parse_kafka_options(const char* const* options, int32_t pairs);

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

// ---- source ----

std::unique_ptr<Source> make_kafka_source(int32_t index, const FlowSourceDesc* desc);

// ---- sink: Sink (sink.cpp) owns one for a FLOW_SINK_KAFKA sink ----

class KafkaProducer final : public KafkaClient {
 public:
  KafkaProducer(const FlowSinkDesc* desc, int stderr_fd);
  ~KafkaProducer() override;

  bool open(FlowContext* ctx);
  // One formatted row (no trailing newline) and its key; buffered, produced
  // at the batch end or once the buffer holds kSinkFlushBytes.
  void add_row(FlowContext* ctx, std::string_view value, std::string_view key);
  // Produces what is buffered and waits until librdkafka reported every
  // delivery; false after ctx->set_error (a failed delivery is exit 3).
  bool flush(FlowContext* ctx);
  // A failed batch: buffered and still queued rows are dropped; a
  // transaction is aborted.
  void abort(FlowContext* ctx);

  bool exactly_once() const { return opts_.exactly_once; }
  bool begin_transaction(FlowContext* ctx);
  // Adds a consumer's offsets to the open transaction.
  bool send_offsets(FlowContext* ctx, const rd_kafka_topic_partition_list_t* offsets,
                    const rd_kafka_consumer_group_metadata_t* group);
  bool commit_transaction(FlowContext* ctx);

 private:
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  bool produce_buffered(FlowContext* ctx);
  bool txn_call(FlowContext* ctx, const char* what, rd_kafka_error_t* err);

  const FlowSinkDesc* desc_;
  KafkaOptions opts_;
  rd_kafka_topic_t* rkt_ = nullptr;
  bool in_transaction_ = false;
  // Rows of the batch not yet handed to librdkafka.
  std::string values_, keys_;
  std::vector<std::pair<uint32_t, uint32_t>> rows_;  // value, key lengths
  std::atomic<int64_t> failed_{0};
  std::mutex fail_mu_;
  std::string first_failure_;
};

// ---- the batch hooks (batch_loop.cpp) ----

void kafka_begin_batch(FlowContext* ctx);
bool kafka_batch_cut(FlowContext* ctx);
bool kafka_commit_transactions(FlowContext* ctx);
bool kafka_commit_offsets(FlowContext* ctx, bool final_batch);
void kafka_abort_batch(FlowContext* ctx);

}  // namespace flowrt

#endif  // FLOWC_RUNTIME_KAFKA_CONNECTOR_H
