// runtime/sink_kafka.cpp — the kafka(...) sink: a producer (idempotent by
// default). Rows are formatted by RowFormat as messages (JSON or CSV, no
// newline, the key of `key EXPR`), kept until the batch ends (or
// kSinkFlushBytes), then produced and flushed; every delivery report is
// checked. `exactly_once: true` makes it a transactional producer that
// offers its transaction to the sources (transaction.h): one transaction
// per commit point (each batch, or each checkpoint), holding the consumed
// offsets of kafka sources (send_offsets_to_transaction).
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "io_util.h"
#include "kafka_connector.h"
#include "sink.h"
#include "transaction.h"

namespace flowrt {
namespace {

// How long transactional calls may block before the batch fails (the
// broker retries inside this); deliveries are bounded by librdkafka's own
// message.timeout.ms (default 300 s).
constexpr int kTxnTimeoutMs = 60'000;

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
  return buf;
}

class KafkaSink final : public Sink, public KafkaClient, public Transaction {
 public:
  KafkaSink(int32_t i, const FlowSinkDesc* d)
      : Sink(i, d, RowFormat::Framing::kMessages),
        KafkaClient("kafka sink", 2),
        opts_(parse_kafka_options(d->options, d->option_count)) {}

  ~KafkaSink() override {
    if (rk_ == nullptr) return;
    if (in_transaction_) {
      if (rd_kafka_error_t* e = rd_kafka_abort_transaction(rk_, 10'000)) rd_kafka_error_destroy(e);
    }
    // After a failure, rows still queued are not waited for.
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE);
    rd_kafka_flush(rk_, 5'000);
    if (rkt_ != nullptr) rd_kafka_topic_destroy(rkt_);
    rd_kafka_destroy(rk_);
  }

  bool open(FlowContext* ctx, int64_t) override;

  bool begin_batch(FlowContext* ctx) override {
    if (!opts_.exactly_once || in_transaction_) return true;
    if (!txn_call(ctx, "begin_transaction", rd_kafka_begin_transaction(rk_))) return false;
    in_transaction_ = true;
    return true;
  }

  // Every message is delivered or has failed after librdkafka's retries
  // (message.timeout.ms) before the batch's offsets may be committed.
  bool write_batch(FlowContext* ctx) override;

  Transaction* transaction() override { return opts_.exactly_once ? this : nullptr; }

  bool add_kafka_offsets(FlowContext* ctx, const rd_kafka_topic_partition_list_t* offsets,
                         const rd_kafka_consumer_group_metadata_t* group) override {
    if (!in_transaction_ || offsets == nullptr || offsets->cnt == 0) return true;
    return txn_call(ctx, "send_offsets_to_transaction",
                    rd_kafka_send_offsets_to_transaction(rk_, offsets, group, kTxnTimeoutMs));
  }

  // A changelog's message (kafka_changelog.h), in the transaction.
  bool add_kafka_message(FlowContext* ctx, const std::string& topic, int32_t partition,
                         std::string_view key, const std::string* value) override;

  bool commit(FlowContext* ctx) override;

  // Buffered and still queued rows are dropped; a transaction is aborted.
  void abort_batch(FlowContext* ctx) override {
    Sink::abort_batch(ctx);
    if (rk_ == nullptr) return;
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE);
    if (in_transaction_) {
      in_transaction_ = false;
      if (rd_kafka_error_t* e = rd_kafka_abort_transaction(rk_, kTxnTimeoutMs)) {
        log(std::string("warning: abort_transaction: ") + rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
    }
  }

 protected:
  // Hands the pending messages to librdkafka.
  bool drain(FlowContext* ctx) override;

 private:
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  bool txn_call(FlowContext* ctx, const char* what, rd_kafka_error_t* err);

  KafkaOptions opts_;
  rd_kafka_topic_t* rkt_ = nullptr;
  bool in_transaction_ = false;
  std::atomic<int64_t> failed_{0};
  std::mutex fail_mu_;
  std::string first_failure_;
};

bool KafkaSink::open(FlowContext* ctx, int64_t) {
  set_stderr(ctx->io.stderr_fd);
  if (!choose_format(ctx, FLOW_FORMAT_DEFAULT)) return false;  // the compiler chose it
  if (format_.format() == FLOW_FORMAT_TABLE) {
    ctx->internal_error("kafka sink of '" + name() + "' was given the table format");
    return false;
  }
  if (opts_.topic.empty()) {
    ctx->set_error("kafka sink: no topic");
    return false;
  }
  KafkaOptions o = opts_;
  // Defaults first, the user's dotted properties may override them.
  std::vector<std::pair<std::string, std::string>> props = {
      {"enable.idempotence", "true"},  // retries never duplicate or reorder
  };
  if (o.exactly_once) {
    // One id per running process by default: several copies of a program
    // in one group must not fence each other.
    props.push_back(
        {"transactional.id",
         "flowc-" + std::string(ctx->pipeline->name ? ctx->pipeline->name : "pipeline") + "-" +
             name() + "-" + o.topic + "-" + host_name() + "-" + std::to_string(::getpid())});
  }
  props.insert(props.end(), o.properties.begin(), o.properties.end());
  o.properties = std::move(props);
  std::string error;
  rd_kafka_conf_t* conf = make_conf(o, &error);
  if (conf == nullptr) {
    ctx->set_error(error);
    return false;
  }
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  char errstr[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    ctx->set_error("kafka sink of '" + name() + "': " + errstr);
    return false;
  }
  rkt_ = rd_kafka_topic_new(rk_, o.topic.c_str(), nullptr);
  if (rkt_ == nullptr) {
    ctx->set_error("kafka sink of '" + name() + "': topic \"" + o.topic +
                   "\": " + rd_kafka_err2str(rd_kafka_last_error()));
    return false;
  }
  if (o.exactly_once &&
      !txn_call(ctx, "init_transactions", rd_kafka_init_transactions(rk_, kTxnTimeoutMs))) {
    return false;
  }
  return true;
}

// The configuration's opaque is the KafkaClient (kafka_common.cpp).
void KafkaSink::on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
  auto* self = static_cast<KafkaSink*>(static_cast<KafkaClient*>(opaque));
  // A purged message (a failed batch being dropped) is no failed delivery.
  if (msg->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || msg->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
    return;
  }
  if (self->failed_.fetch_add(1) == 0) {
    std::lock_guard<std::mutex> lock(self->fail_mu_);
    self->first_failure_ = std::string(rd_kafka_err2str(msg->err)) + " (" +
                           rd_kafka_err2name(msg->err) + ")";
  }
}

bool KafkaSink::drain(FlowContext* ctx) {
  SinkRows& rows = format_.pending();
  size_t vpos = 0, kpos = 0;
  for (const auto& [vlen, klen] : rows.messages) {
    const char* v = rows.text.data() + vpos;
    const char* k = rows.keys.data() + kpos;
    vpos += vlen;
    kpos += klen;
    for (;;) {
      rd_kafka_resp_err_t err;
      if (desc->has_key) {
        err = rd_kafka_producev(rk_, RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_VALUE(const_cast<char*>(v), vlen),
                                RD_KAFKA_V_KEY(k, klen), RD_KAFKA_V_OPAQUE(nullptr),
                                RD_KAFKA_V_END);
      } else {
        err = rd_kafka_producev(rk_, RD_KAFKA_V_RKT(rkt_), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                RD_KAFKA_V_VALUE(const_cast<char*>(v), vlen),
                                RD_KAFKA_V_OPAQUE(nullptr), RD_KAFKA_V_END);
      }
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_, 50);  // serve delivery reports, make room
        continue;
      }
      rows.clear();
      ctx->set_error("kafka sink of '" + name() + "': cannot produce to topic \"" + opts_.topic +
                     "\": " + rd_kafka_err2str(err));
      return false;
    }
  }
  rows.clear();
  rd_kafka_poll(rk_, 0);
  return true;
}

bool KafkaSink::add_kafka_message(FlowContext* ctx, const std::string& topic, int32_t partition,
                                  std::string_view key, const std::string* value) {
  if (!in_transaction_) {
    ctx->internal_error("kafka sink of '" + name() +
                        "': a changelog message outside a transaction");
    return false;
  }
  for (;;) {
    void* v = value ? const_cast<char*>(value->data()) : nullptr;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(v, value ? value->size() : 0), RD_KAFKA_V_OPAQUE(nullptr), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk_, 50);
      continue;
    }
    ctx->set_error("kafka sink of '" + name() + "': cannot produce the changelog \"" + topic +
                   "\" in its transaction: " + rd_kafka_err2str(err));
    return false;
  }
}

bool KafkaSink::write_batch(FlowContext* ctx) {
  if (!drain(ctx)) return false;
  while (rd_kafka_outq_len(rk_) > 0) {
    rd_kafka_flush(rk_, 1000);
    std::string fatal = fatal_error();
    if (!fatal.empty()) {
      ctx->set_error(fatal);
      return false;
    }
  }
  if (int64_t n = failed_.exchange(0); n > 0) {
    std::string why;
    {
      std::lock_guard<std::mutex> lock(fail_mu_);
      why = first_failure_;
    }
    ctx->set_error("kafka sink of '" + name() + "': " + std::to_string(n) +
                   " message(s) to topic \"" + opts_.topic + "\" could not be delivered: " + why);
    return false;
  }
  return true;
}

bool KafkaSink::txn_call(FlowContext* ctx, const char* what, rd_kafka_error_t* err) {
  if (err == nullptr) return true;
  std::string text = "kafka sink of '" + name() + "': " + what + ": " + rd_kafka_error_string(err);
  rd_kafka_error_destroy(err);
  ctx->set_error(text);
  return false;
}

bool KafkaSink::commit(FlowContext* ctx) {
  if (!in_transaction_) return true;
  for (int attempt = 0;; ++attempt) {
    rd_kafka_error_t* e = rd_kafka_commit_transaction(rk_, kTxnTimeoutMs);
    if (e == nullptr) break;
    if (rd_kafka_error_is_retriable(e) && attempt < 5) {
      rd_kafka_error_destroy(e);
      continue;
    }
    if (rd_kafka_error_txn_requires_abort(e)) {
      // The batch's rows never become visible to read_committed readers;
      // the run stops without committing the batch's offsets.
      abort_batch(ctx);
    }
    in_transaction_ = false;
    return txn_call(ctx, "commit_transaction", e);
  }
  in_transaction_ = false;
  return true;
}

}  // namespace

std::unique_ptr<Sink> make_kafka_sink(int32_t index, const FlowSinkDesc* desc) {
  return std::make_unique<KafkaSink>(index, desc);
}

}  // namespace flowrt
