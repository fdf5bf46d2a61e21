// runtime/kafka_changelog.cpp — keyed state that moves with its Kafka
// partitions; see kafka_changelog.h.
#include "kafka_changelog.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>

#include "changelog_format.h"
#include "checkpoint_stream.h"
#include "io_util.h"
#include "transaction.h"

namespace flowrt {
namespace {

// How long a restore may take to read a changelog partition to its end,
// and a write to be acknowledged, before the run fails (librdkafka retries
// inside this).
constexpr int64_t kReadTimeoutMs = 60'000;
constexpr int64_t kFlushTimeoutMs = 60'000;
// How long metadata and topic creation may take.
constexpr int kAdminTimeoutMs = 10'000;

// The user's librdkafka properties a changelog client takes too: those of
// the connection (a consumer's group settings would only draw warnings
// from a producer).
bool connection_property(const std::string& name) {
  static const char* const kPrefixes[] = {"security.", "sasl.", "ssl.",      "socket.",   "broker.",
                                          "client.",   "api.",  "metadata.", "reconnect."};
  for (const char* p : kPrefixes) {
    if (name.rfind(p, 0) == 0) return true;
  }
  return false;
}

}  // namespace

// A producer (writes) or an assign()-only consumer (reads) of the changelog,
// logging as the source does.
class KafkaChangelog::Client final : public KafkaClient {
 public:
  Client(std::string label, int stderr_fd) : KafkaClient(std::move(label), stderr_fd) {}
  ~Client() override {
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }

  bool create(FlowContext* ctx, rd_kafka_type_t type, const KafkaOptions& source) {
    KafkaOptions o;
    o.brokers = source.brokers;
    for (const auto& [name, value] : source.properties) {
      if (connection_property(name)) o.properties.emplace_back(name, value);
    }
    if (type == RD_KAFKA_PRODUCER) {
      o.properties.insert(o.properties.begin(), {{"enable.idempotence", "true"}});
    } else {
      // assign() needs a group id (librdkafka); this one never joins or commits.
      o.properties.insert(o.properties.begin(), {{"group.id", "flowc-changelog-reader"},
                                                 {"enable.auto.commit", "false"},
                                                 {"enable.auto.offset.store", "false"},
                                                 {"enable.partition.eof", "true"},
                                                 {"auto.offset.reset", "earliest"},
                                                 {"isolation.level", "read_committed"}});
    }
    std::string error;
    rd_kafka_conf_t* conf = make_conf(o, &error);
    if (conf == nullptr) {
      ctx->set_error(error);
      return false;
    }
    if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char errstr[512];
    rk_ = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      ctx->set_error(label() + ": " + errstr);
      return false;
    }
    if (type == RD_KAFKA_CONSUMER) rd_kafka_poll_set_consumer(rk_);
    return true;
  }

  // Delivery failures since the last call, with the first one's reason.
  int64_t failures(std::string* why) {
    int64_t n = failed_.exchange(0);
    if (n > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      *why = first_failure_;
    }
    return n;
  }

 private:
  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<Client*>(static_cast<KafkaClient*>(opaque));
    if (self->failed_.fetch_add(1) == 0) {
      std::lock_guard<std::mutex> lock(self->mu_);
      self->first_failure_ = rd_kafka_err2str(msg->err);
    }
  }

  std::atomic<int64_t> failed_{0};
  std::mutex mu_;
  std::string first_failure_;
};

KafkaChangelog::KafkaChangelog(const KafkaClient& owner, int32_t source, const KafkaTopics& topics,
                               const KafkaOptions& opts)
    : owner_(owner), source_(source), topics_(topics), topic_(opts.changelog), opts_(opts) {
  std::random_device rd;
  next_id_ = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid());
}

KafkaChangelog::~KafkaChangelog() = default;

// The partition id of keyed state (abi.h): the source's index above the
// PartKey (topic number and partition).
int64_t KafkaChangelog::id_of(PartKey partition) const {
  return static_cast<int64_t>(source_) << FLOW_PARTITION_SOURCE_SHIFT | partition;
}

void KafkaChangelog::restored(PartKey partition, int64_t next, int64_t max_time) {
  Held& h = held_[partition];
  h.next = next;
  h.max_time = max_time;
  h.live = true;
  h.bytes.clear();
}

void KafkaChangelog::release(FlowContext* ctx, PartKey partition, int64_t next, int64_t max_time) {
  const FlowPipeline* p = ctx->pipeline;
  FlowCkptWriter w;
  if (next >= 0) p->snapshot_partition(ctx, id_of(partition), &w);
  p->drop_partition(ctx, id_of(partition));
  if (next < 0) {  // it holds no state
    held_.erase(partition);
    return;
  }
  Held& h = held_[partition];
  h.next = next;
  h.max_time = max_time;
  h.live = false;
  h.bytes = std::move(w.bytes);
}

// Looks the topic up through the source's consumer, which (unlike a
// producer) never makes a broker auto-create it; creates it compacted when
// it is missing. librdkafka's mock cluster creates any topic a metadata
// request names (4 partitions) and does not implement CreateTopics.
int32_t KafkaChangelog::ensure_topic(FlowContext* ctx, rd_kafka_t* consumer,
                                     const std::vector<PartKey>& partitions) {
  if (partitions_ > 0) return partitions_;
  auto partition_count = [&](const std::string& name, rd_kafka_resp_err_t* err) -> int32_t {
    rd_kafka_topic_t* t = rd_kafka_topic_new(consumer, name.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    *err = rd_kafka_metadata(consumer, 0, t, &md, kAdminTimeoutMs);
    int32_t n = 0;
    if (*err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1) {
      *err = md->topics[0].err;
      if (*err == RD_KAFKA_RESP_ERR_NO_ERROR) n = md->topics[0].partition_cnt;
    }
    if (md != nullptr) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return n;
  };
  rd_kafka_resp_err_t err;
  const int64_t give_up = now_ms() + kReadTimeoutMs;
  for (bool created = false;;) {
    partitions_ = partition_count(topic_, &err);
    if (partitions_ > 0) return partitions_;
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && !created) {
      created = true;
      std::set<std::string> sources;
      for (PartKey p : partitions) sources.insert(topics_.topic(p));
      int32_t n = 1;
      for (const std::string& t : sources) {
        rd_kafka_resp_err_t serr;
        n = std::max(n, partition_count(t, &serr));
      }
      if (!producer_) {
        producer_ = std::make_unique<Client>(owner_.label() + " changelog", 2);
        if (!producer_->create(ctx, RD_KAFKA_PRODUCER, opts_)) return 0;
      }
      char errstr[512];
      rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic_.c_str(), n, -1, errstr, sizeof errstr);
      rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
      rd_kafka_queue_t* q = rd_kafka_queue_new(producer_->handle());
      rd_kafka_AdminOptions_t* ao =
          rd_kafka_AdminOptions_new(producer_->handle(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
      rd_kafka_AdminOptions_set_request_timeout(ao, kAdminTimeoutMs, errstr, sizeof errstr);
      rd_kafka_CreateTopics(producer_->handle(), &nt, 1, ao, q);
      rd_kafka_event_t* ev = rd_kafka_queue_poll(q, kAdminTimeoutMs + 1000);
      std::string why = ev == nullptr ? "no answer" : "";
      if (ev != nullptr) {
        if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          why = rd_kafka_event_error_string(ev);
        } else if (const rd_kafka_CreateTopics_result_t* r =
                       rd_kafka_event_CreateTopics_result(ev)) {
          size_t cnt = 0;
          const rd_kafka_topic_result_t** res = rd_kafka_CreateTopics_result_topics(r, &cnt);
          for (size_t i = 0; i < cnt; ++i) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(res[i]);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
              why = rd_kafka_topic_result_error_string(res[i])
                        ? rd_kafka_topic_result_error_string(res[i])
                        : rd_kafka_err2str(e);
            }
          }
        }
        rd_kafka_event_destroy(ev);
      }
      rd_kafka_AdminOptions_destroy(ao);
      rd_kafka_queue_destroy(q);
      rd_kafka_NewTopic_destroy(nt);
      if (!why.empty()) {
        ctx->set_error(owner_.label() + ": cannot create the changelog topic \"" + topic_ + "\": " +
                       why + " (create it with cleanup.policy=compact, or name another with " +
                       "changelog: \"...\")");
        return 0;
      }
      continue;  // look it up again: creation takes a moment to show
    }
    if (now_ms() >= give_up) {
      ctx->set_error(owner_.label() + ": cannot look up the changelog topic \"" + topic_ +
                     "\": " + rd_kafka_err2str(err));
      return 0;
    }
    ::usleep(200'000);
  }
}

std::map<PartKey, int64_t> KafkaChangelog::committed(rd_kafka_t* consumer,
                                                     const std::vector<PartKey>& partitions) {
  std::map<PartKey, int64_t> out;
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
  for (PartKey p : partitions) {
    rd_kafka_topic_partition_list_add(list, topics_.topic(p).c_str(), KafkaTopics::partition(p));
    out[p] = -1;
  }
  if (rd_kafka_committed(consumer, list, kAdminTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = list->elems[i];
      if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) continue;
      for (PartKey p : partitions) {
        if (KafkaTopics::partition(p) == tp.partition && topics_.topic(p) == tp.topic) {
          out[p] = tp.offset;
        }
      }
    }
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

bool KafkaChangelog::restore_bytes(FlowContext* ctx, PartKey partition, const std::string& bytes,
                                   const char* from) {
  FlowCkptReader r;
  r.bytes = bytes;
  if (ctx->pipeline->restore_partition(ctx, id_of(partition), &r) == 0 || r.failed ||
      r.at != r.bytes.size()) {
    ctx->internal_error(owner_.label() + ": the state of partition " + text(partition) + " from " +
                        from + " does not read back");
    return false;
  }
  return true;
}

bool KafkaChangelog::assign(FlowContext* ctx, rd_kafka_t* consumer,
                            const std::vector<PartKey>& partitions, bool complete,
                            std::map<PartKey, PartitionStart>* starts) {
  // The fast path: held state whose offset the group still has.
  std::vector<PartKey> held, to_read;
  for (PartKey p : partitions) {
    if (held_.count(p)) held.push_back(p);
  }
  std::map<PartKey, int64_t> group =
      held.empty() ? std::map<PartKey, int64_t>{} : committed(consumer, held);
  for (PartKey p : partitions) {
    auto h = held_.find(p);
    if (h == held_.end() || group[p] != h->second.next) to_read.push_back(p);
  }
  bool ok = to_read.empty() || read(ctx, consumer, to_read, starts, held_);
  for (PartKey p : partitions) {
    auto h = held_.find(p);
    if (h == held_.end()) continue;
    if (ok && !starts->count(p)) {  // what it holds is the newest
      if (!h->second.live) ok = restore_bytes(ctx, p, h->second.bytes, "this process");
      (*starts)[p] = PartitionStart{h->second.next, h->second.max_time};
      if (owner_.debugging()) {
        owner_.log("partition " + text(p) + ": state kept at offset " +
                   std::to_string(h->second.next));
      }
    }
    held_.erase(h);
  }
  if (complete) {
    for (auto& [p, h] : held_) {
      if (h.live) ctx->pipeline->drop_partition(ctx, id_of(p));
    }
    held_.clear();
  }
  return ok;
}

// Reads the changelog partitions that hold `partitions` to their end and
// restores each one whose head stands further on than what this process
// holds (dropping that); fills *starts for those.
bool KafkaChangelog::read(FlowContext* ctx, rd_kafka_t* consumer,
                          const std::vector<PartKey>& partitions,
                          std::map<PartKey, PartitionStart>* starts,
                          const std::map<PartKey, Held>& held) {
  const int32_t n = ensure_topic(ctx, consumer, partitions);
  if (n <= 0) return false;
  if (!reader_) {
    reader_ = std::make_unique<Client>(owner_.label() + " changelog", 2);
    if (!reader_->create(ctx, RD_KAFKA_CONSUMER, opts_)) return false;
  }
  rd_kafka_t* rk = reader_->handle();
  std::set<int32_t> cps;
  std::vector<TopicPartition> named;
  for (PartKey p : partitions) {
    cps.insert(KafkaTopics::partition(p) % n);
    named.push_back({topics_.topic(p), KafkaTopics::partition(p)});
  }
  std::map<int32_t, int64_t> high;  // per changelog partition: its end when the read began
  rd_kafka_topic_partition_list_t* list =
      rd_kafka_topic_partition_list_new(static_cast<int>(cps.size()));
  for (int32_t cp : cps) {
    int64_t lo = 0, hi = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, topic_.c_str(), cp, &lo, &hi, kAdminTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_topic_partition_list_destroy(list);
      ctx->set_error(owner_.label() + ": cannot read the changelog \"" + topic_ +
                     "\": " + rd_kafka_err2str(err));
      return false;
    }
    if (hi > lo) {
      high[cp] = hi;
      rd_kafka_topic_partition_list_add(list, topic_.c_str(), cp)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  ChangelogReader messages(named);
  bool ok = true;
  if (list->cnt > 0) {
    rd_kafka_assign(rk, list);
    const int64_t give_up = now_ms() + kReadTimeoutMs;
    while (!high.empty() && ok) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (m == nullptr) {
        if (now_ms() >= give_up) {
          ctx->set_error(owner_.label() + ": reading the changelog \"" + topic_ +
                         "\" took longer than " + std::to_string(kReadTimeoutMs / 1000) + " s");
          ok = false;
        }
        continue;
      }
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        high.erase(m->partition);
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err == RD_KAFKA_RESP_ERR__FATAL || now_ms() >= give_up) {
          ctx->set_error(owner_.label() + ": cannot read the changelog \"" + topic_ +
                         "\": " + rd_kafka_message_errstr(m));
          ok = false;
        }
      } else {
        messages.add(std::string_view(static_cast<const char*>(m->key), m->key_len),
                     static_cast<const char*>(m->payload), m->len);
        auto h = high.find(m->partition);
        if (h != high.end() && m->offset + 1 >= h->second) high.erase(h);
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(rk, nullptr);
  }
  rd_kafka_topic_partition_list_destroy(list);
  if (!ok) return false;

  for (size_t i = 0; i < partitions.size(); ++i) {
    const PartKey p = partitions[i];
    ChangelogHead head;
    std::string state, why;
    ChangelogReader::Found found = messages.state(named[i], &head, &state, &why);
    Written& w = written_[p];
    // Deleted at the next write: chunks no head names, and the head's own
    // when what this process holds replaces it.
    w.chunks = messages.chunks(named[i], /*with_current=*/true);
    if (found == ChangelogReader::Found::kNone) continue;
    const std::string where = "the changelog \"" + topic_ + "\" of partition " + text(p);
    if (found == ChangelogReader::Found::kBroken) {
      ctx->set_error(owner_.label() + ": " + where + " cannot be used: " + why);
      return false;
    }
    if (head.fingerprint != ctx->pipeline->fingerprint) {
      ctx->set_error(
          owner_.label() + ": " + where +
          " holds state written by a different pipeline (its sources, schemas, stages or "
          "sinks changed); delete the topic, or name another with changelog: \"...\"");
      return false;
    }
    auto h = held.find(p);
    if (h != held.end() && h->second.next >= head.next) continue;  // what it holds is as new
    if (h != held.end() && h->second.live) ctx->pipeline->drop_partition(ctx, id_of(p));
    if (!restore_bytes(ctx, p, state, "its changelog")) return false;
    w.chunks = messages.chunks(named[i], /*with_current=*/false);
    (*starts)[p] = PartitionStart{head.next, head.max_time};
    w.next = head.next;
    w.slots = head.slots;
    if (owner_.debugging()) {
      owner_.log("partition " + text(p) + ": state restored from the changelog at offset " +
                 std::to_string(head.next) + " (" + std::to_string(head.slots) + " keys)");
    }
  }
  return true;
}

bool KafkaChangelog::write(FlowContext* ctx, rd_kafka_t* consumer, Transaction* txn,
                           const std::vector<OwnedPartition>& owned) {
  const FlowPipeline* p = ctx->pipeline;
  bool produced = false;
  for (const OwnedPartition& o : owned) {
    if (o.next < 0) continue;  // no state: nothing read, nothing restored
    auto w = written_.find(o.partition);
    const bool moved = w == written_.end() || w->second.next != o.next;
    const bool timers = p->partition_timers != 0 && w != written_.end() && w->second.slots > 0;
    if (!moved && !timers) continue;
    const int32_t n = ensure_topic(ctx, consumer, {o.partition});
    if (n <= 0) return false;
    FlowCkptWriter state;
    ChangelogHead head;
    head.fingerprint = p->fingerprint;
    head.next = o.next;
    head.max_time = o.max_time;
    head.slots = p->snapshot_partition(ctx, id_of(o.partition), &state);
    head.id = next_id_++;
    Written& record = written_[o.partition];
    const std::string& topic = topics_.topic(o.partition);
    const int32_t partition = KafkaTopics::partition(o.partition);
    std::vector<ChangelogMessage> messages =
        changelog_write(topic, partition, head, state.bytes, record.chunks);
    if (!produce(ctx, txn, partition % n, messages)) return false;
    produced = true;
    record.next = o.next;
    record.slots = head.slots;
    record.chunks = changelog_chunk_keys(messages, topic, partition);
  }
  return !produced || txn != nullptr || flush(ctx);
}

bool KafkaChangelog::produce(FlowContext* ctx, Transaction* txn, int32_t partition,
                             const std::vector<ChangelogMessage>& messages) {
  if (txn != nullptr) {
    for (const ChangelogMessage& m : messages) {
      if (!txn->add_kafka_message(ctx, topic_, partition, m.key, m.value ? &*m.value : nullptr))
        return false;
    }
    return true;
  }
  if (!producer_) {
    producer_ = std::make_unique<Client>(owner_.label() + " changelog", 2);
    if (!producer_->create(ctx, RD_KAFKA_PRODUCER, opts_)) return false;
  }
  rd_kafka_t* rk = producer_->handle();
  for (const ChangelogMessage& m : messages) {
    for (;;) {
      void* value = m.value ? const_cast<char*>(m.value->data()) : nullptr;
      size_t len = m.value ? m.value->size() : 0;
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(value, len), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk, 50);
        continue;
      }
      ctx->set_error(owner_.label() + ": cannot write the changelog \"" + topic_ +
                     "\": " + rd_kafka_err2str(err));
      return false;
    }
  }
  return true;
}

// Every changelog message delivered (acknowledged by the broker) before
// the group's offsets are committed.
bool KafkaChangelog::flush(FlowContext* ctx) {
  rd_kafka_t* rk = producer_->handle();
  const int64_t give_up = now_ms() + kFlushTimeoutMs;
  while (rd_kafka_outq_len(rk) > 0 && now_ms() < give_up) rd_kafka_flush(rk, 1000);
  std::string why;
  if (rd_kafka_outq_len(rk) > 0)
    why = "not acknowledged within " + std::to_string(kFlushTimeoutMs / 1000) + " s";
  std::string fatal = producer_->fatal_error();
  if (!fatal.empty()) why = fatal;
  if (int64_t n = producer_->failures(&why); n > 0)
    why = std::to_string(n) + " message(s) failed: " + why;
  if (why.empty()) return true;
  ctx->set_error(owner_.label() + ": cannot write the changelog \"" + topic_ + "\": " + why);
  return false;
}

}  // namespace flowrt

// ---- flow_key_in_two_partitions (abi.h) ----

namespace {

std::string partition_text(const FlowContext* ctx, int64_t id) {
  if (id == FLOW_NO_PARTITION) return "a source that is not kafka";
  const size_t source = static_cast<size_t>(id >> FLOW_PARTITION_SOURCE_SHIFT);
  const int64_t part = id & ((int64_t{1} << FLOW_PARTITION_SOURCE_SHIFT) - 1);
  return source < ctx->sources.size() ? ctx->sources[source]->partition_text(part)
                                      : "?/" + std::to_string(part);
}

}  // namespace

extern "C" void flow_key_in_two_partitions(FlowContext* ctx, int32_t stream, const char* key,
                                           int64_t key_len, int64_t first, int64_t second) {
  if (!ctx->warned_split_keys.insert(stream).second) return;
  const FlowPipeline* p = ctx->pipeline;
  std::string name = stream >= 0 && stream < p->stream_count ? p->streams[stream] : "?";
  ctx->log_line(
      "flowc: warning: stream '" + name + "': key \"" +
      std::string(key, static_cast<size_t>(std::max<int64_t>(key_len, 0))) +
      "\" arrived from partitions " + partition_text(ctx, first) + " and " +
      partition_text(ctx, second) +
      ": its state is kept per partition (a row for each) and moves with each partition "
      "to whichever copy reads it; partition the topic by the group by keys (further keys "
      "of this stream are not reported)");
}
