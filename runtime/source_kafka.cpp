// runtime/source_kafka.cpp — the kafka(...) source: a consumer-group
// consumer (librdkafka C API) subscribed to its topics: one, a list
// (`topic: "a,b"`), or the topics a regex matches (`topic_pattern: "^x"`,
// which librdkafka re-checks every topic.metadata.refresh.interval.ms).
// Each message value is one record of the source's format, handed to
// `process` with FlowRecord.line = the message offset and FlowRecord.offset
// = its topic-partition (PartKey; bad records are named
// `topic/partition@offset`). Offsets, event times and checkpoint positions
// are kept per topic-partition.
//
// Offsets: auto-commit is off. commit() commits offset+1 of the last record
// of every partition at each commit point (each batch end without a
// checkpoint, each checkpoint with one), after the rows were flushed — or,
// with an `exactly_once: true` sink, join_transaction() has sent them into
// its transaction (transaction.h) just before. With a checkpoint the
// offsets are also part of the checkpoint (save_position), which a
// restarted run seeks to.
//
// Rebalances: a revocation is not acted on inside librdkafka's callback.
// The source stops polling, asks the batch loop to end the batch
// (cut_requested), and once that batch's rows are flushed and its
// offsets committed, releases the partitions (rd_kafka_assign(NULL), or
// incremental_unassign under a cooperative assignor). A partition *lost*
// (session timed out) cannot be committed: its uncommitted records will be
// read again by its new owner (at-least-once).
//
// Keyed state per partition (kafka_changelog.h): with such state
// downstream, the changelog is written at each commit point (before the
// offsets), a revoked partition's state is released after its final
// commit, and an assigned partition gets its state before it is read.
//
// stop_at_end: when partitions are assigned, their high watermarks are
// queried once (the first time a partition is seen); the source ends when
// every assigned partition has reached its end (a record at end-1 was read,
// or librdkafka reported partition EOF at or past it). Records at or past
// the end are not read; the partition is paused.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>

#include "checkpoint_file.h"
#include "io_util.h"
#include "kafka_changelog.h"
#include "kafka_connector.h"
#include "source_regex.h"
#include "sources.h"
#include "transaction.h"

namespace flowrt {
namespace {

constexpr int64_t kQueryTimeoutMs = 30'000;
constexpr int64_t kFinalCommitMs = 60'000;

bool is_blank(const char* p, int64_t n, int32_t format) {
  if (n == 0) return true;
  if (format != FLOW_FORMAT_JSON) return false;
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') return false;
  }
  return true;
}

struct PartitionState {
  int64_t next = -1;       // offset+1 of the last record handed over; -1: none
  int64_t committed = -1;  // what was last committed (or sent in a txn)
  int64_t end = -1;        // stop_at_end: the high watermark seen first
  int64_t carry = -1;      // `next` of a revoked partition whose commit failed
  // Event time: the largest this process read from the partition. Kept
  // across reassignments in one run, restored from checkpoints.
  int64_t max_time = INT64_MIN;
  bool assigned = false;
  bool done = false;       // stop_at_end: reached `end`
  bool caught_up = false;  // librdkafka reported its end, nothing came since
};

// The topics of `topic: "a, b"`: split at commas, trimmed, empties dropped.
std::vector<std::string> topic_list(const std::string& text) {
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= text.size()) {
    size_t comma = std::min(text.find(',', from), text.size());
    std::string t = text.substr(from, comma - from);
    size_t b = t.find_first_not_of(" \t"), e = t.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(t.substr(b, e - b + 1));
    from = comma + 1;
  }
  return out;
}

class KafkaSource final : public Source, public KafkaClient {
 public:
  KafkaSource(int32_t i, const FlowSourceDesc* d)
      : Source(i, d), KafkaClient("kafka source '" + std::string(d->name ? d->name : "?") + "'", 2),
        opts_(parse_kafka_options(d->options, d->option_count)) {
    // Kafka messages are single rows with no header message: CSV columns
    // are always matched by position.
    column_map.assign(static_cast<size_t>(std::max(d->field_count, 0)), -1);
    for (size_t f = 0; f < column_map.size(); ++f) column_map[f] = static_cast<int32_t>(f);
  }

  ~KafkaSource() override {
    for (rd_kafka_message_t* m : held_) rd_kafka_message_destroy(m);
    held_.clear();
    if (rk_ != nullptr) {
      if (!closing_) {
        closing_ = true;
        rd_kafka_consumer_close(rk_);  // leaves the group: others take over fast
      }
      if (queue_ != nullptr) rd_kafka_queue_destroy(queue_);
      rd_kafka_destroy(rk_);
    }
    if (cgmeta_ != nullptr) rd_kafka_consumer_group_metadata_destroy(cgmeta_);
    for (int fd : pipe_) {
      if (fd >= 0) ::close(fd);
    }
  }

  bool open(FlowContext* ctx) override {
    ctx_ = ctx;
    set_stderr(ctx->io.stderr_fd);
    subscription_ = opts_.topic_pattern.empty() ? opts_.topic : opts_.topic_pattern;
    position_name = subscription_;
    std::vector<std::string> topics =
        opts_.topic_pattern.empty() ? topic_list(opts_.topic) : std::vector{opts_.topic_pattern};
    if (opts_.brokers.empty() || topics.empty() || opts_.group.empty()) {
      ctx->set_error(label() + ": brokers, topic and group are required");
      return false;
    }
    for (const auto& [name, value] : opts_.properties) {
      if (name == "enable.auto.commit" || name == "enable.auto.offset.store" ||
          name == "enable.partition.eof" || name == "group.id" ||
          name == "auto.offset.reset" || name == "bootstrap.servers") {
        ctx->set_error(label() + ": property \"" + name +
                       "\" is set by flowc (use brokers, group, start)");
        return false;
      }
    }
    if (desc->format == FLOW_FORMAT_REGEX && !compile_source_regex(ctx, this)) return false;
    KafkaOptions o = opts_;
    o.properties.insert(o.properties.begin(),
                        {{"group.id", o.group},
                         {"enable.auto.commit", "false"},
                         {"enable.auto.offset.store", "false"},
                         {"auto.offset.reset", o.start == "earliest" ? "earliest" : "latest"},
                         {"enable.partition.eof", "true"}});  // stop_at_end, watermarks
    std::string error;
    rd_kafka_conf_t* conf = make_conf(o, &error);
    if (conf == nullptr) {
      ctx->set_error(error);
      return false;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    char errstr[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk_ == nullptr) {
      rd_kafka_conf_destroy(conf);
      ctx->set_error(label() + ": " + errstr);
      return false;
    }
    rd_kafka_poll_set_consumer(rk_);
    // The consumer queue writes a byte to the pipe when it becomes
    // non-empty: the batch loop polls the pipe with the other inputs.
    if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) == 0) {
      queue_ = rd_kafka_queue_get_consumer(rk_);
      rd_kafka_queue_io_event_enable(queue_, pipe_[1], "k", 1);
    }
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
    for (const std::string& t : topics) {
      rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ctx->set_error(label() + ": cannot subscribe to \"" + subscription_ +
                     "\": " + rd_kafka_err2str(err));
      return false;
    }
    if (desc->partitioned_state && ctx->pipeline->snapshot_partition != nullptr) {
      if (opts_.changelog.empty()) {
        ctx->set_error(label() + ": the 'changelog' topic is empty");
        return false;
      }
      changelog_ = std::make_unique<KafkaChangelog>(*this, index, topics_, opts_);
    }
    return true;
  }

  Pump pump(FlowContext* ctx, int64_t budget) override {
    if (ended) return Pump::kEnded;
    ctx_ = ctx;
    drain_pipe();
    if (!check_errors(ctx)) return Pump::kEnded;
    if (revoke_pending_) return Pump::kIdle;  // the batch loop ends the batch
    int64_t limit = std::min(budget, kChunkRecords);
    bool progressed = false;
    records_.clear();
    while (static_cast<int64_t>(records_.size()) < limit && !revoke_pending_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 0);
      if (m == nullptr) break;
      progressed = true;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        on_message_error(ctx, m);
        rd_kafka_message_destroy(m);
        continue;
      }
      const PartKey part = key_of(m);
      PartitionState& ps = parts_[part];
      if (opts_.stop_at_end && ps.end >= 0 && m->offset >= ps.end) {
        mark_done(part, m->offset);  // past the end seen at start: not ours to read
        rd_kafka_message_destroy(m);
        continue;
      }
      if (debugging() && ps.next < 0) {
        log("partition " + part_text(part) + ": first offset " + std::to_string(m->offset));
      }
      if (debugging() && ps.next >= 0 && m->offset != ps.next) {
        log("partition " + part_text(part) + ": offset " + std::to_string(m->offset) + " after " +
            std::to_string(ps.next - 1));
      }
      ps.next = m->offset + 1;
      ps.caught_up = false;
      if (opts_.stop_at_end && ps.end >= 0 && ps.next >= ps.end) mark_done(part, ps.next);
      const char* p = static_cast<const char*>(m->payload);
      int64_t n = p ? static_cast<int64_t>(m->len) : 0;
      // A message written by a line-oriented tool may end in a newline.
      if (n > 0 && p[n - 1] == '\n') {
        --n;
        if (n > 0 && p[n - 1] == '\r') --n;
      }
      if (desc->format != FLOW_FORMAT_LINES && is_blank(p, n, desc->format)) {
        rd_kafka_message_destroy(m);
        continue;
      }
      records_.push_back(FlowRecord{p ? p : "", n, m->offset, part});
      held_.push_back(m);
    }
    deliver_by_partition(ctx);
    for (rd_kafka_message_t* m : held_) rd_kafka_message_destroy(m);
    held_.clear();
    check_end();
    if (!check_errors(ctx)) return Pump::kEnded;
    if (progressed) return Pump::kProgress;
    return ended ? Pump::kEnded : Pump::kIdle;
  }

  // Checkpoints: the next offset of every partition this process reads
  // (read in this run, or restored and not yet assigned). At the first
  // assignment after a restore, those partitions start at these offsets
  // rather than at the group's committed ones.
  bool resumable() const override { return true; }

  // The subscription as written; the topics by number (keyed state holds
  // the numbers: a restart numbers them alike); then per topic-partition
  // (by topic number, partitions ascending): topic number, partition, next
  // offset, largest event time.
  void save_position(std::string* out) const override {
    std::map<PartKey, Restored> offsets = restored_;
    for (const auto& [part, ps] : parts_) {
      if (ps.assigned && ps.next >= 0) offsets[part] = Restored{ps.next, ps.max_time};
    }
    CkptOut w(out);
    w.str(subscription_);
    w.u64(topics_.size());
    for (size_t t = 0; t < topics_.size(); ++t) w.str(topics_.name(t));
    w.u64(offsets.size());
    for (const auto& [part, at] : offsets) {
      w.u64(static_cast<uint64_t>(part >> 32));
      w.i64(KafkaTopics::partition(part));
      w.i64(at.next);
      w.i64(at.max_time);
    }
  }

  // Before the first poll (checkpoint.h): no topic is numbered yet.
  bool restore_position(FlowContext*, std::string_view position, std::string* error) override {
    CkptIn r(position);
    std::string subscription(r.str());
    bool ok = topics_.size() == 0;
    const uint64_t topic_count = r.u64();
    ok = ok && topic_count <= kMaxTopicsPerSource;
    for (uint64_t t = 0; ok && t < topic_count && !r.failed(); ++t) {
      std::string name(r.str());
      // A name twice would get the first one's number.
      ok = !name.empty() && static_cast<uint64_t>(topics_.key(name, 0) >> 32) == t;
    }
    std::map<PartKey, Restored> offsets;
    for (uint64_t n = std::min<uint64_t>(r.u64(), r.left()); ok && n > 0 && !r.failed(); --n) {
      uint64_t topic = r.u64();
      int64_t part = r.i64();
      Restored at;
      at.next = r.i64();
      at.max_time = r.i64();
      ok = !r.failed() && topic < topic_count && part >= 0 && part <= INT32_MAX && at.next >= 0 &&
           offsets.emplace(static_cast<PartKey>(topic << 32) | part, at).second;
    }
    if (!ok || r.failed() || !r.at_end()) {
      *error = "its Kafka offsets do not read back";
      return false;
    }
    if (subscription != subscription_) {
      *error = "it now reads topic \"" + subscription_ +
               "\", but the checkpoint's offsets are in \"" + subscription +
               "\" (did a --param change?)";
      return false;
    }
    restored_ = std::move(offsets);
    if (changelog_) {
      for (const auto& [part, at] : restored_) changelog_->restored(part, at.next, at.max_time);
    }
    return true;
  }

  // The watermark rule (LANGUAGE.md 6.1 per partition; README "Kafka"):
  // end_batch sees as the source's largest event time the smallest over
  // the partitions this process owns that are not caught up — a partition
  // with unread records holds the watermark back, even before its first
  // record — and, when every owned partition is caught up (idle), the
  // largest over them. No partition owned: nothing moves.
  void before_end_batch() override {
    if (desc->max_event_time == nullptr) return;
    int64_t active = INT64_MAX, idle = INT64_MIN;
    bool any_active = false;
    for (const auto& [part, ps] : parts_) {
      if (!ps.assigned) continue;
      if (ps.caught_up) {
        idle = std::max(idle, ps.max_time);
      } else {
        active = std::min(active, ps.max_time);
        any_active = true;
      }
    }
    *desc->max_event_time = any_active ? active : idle;
  }

  // LANGUAGE.md 12: `topic/partition@offset` (FlowRecord.offset holds the
  // topic-partition, .line the message offset).
  std::string record_position(const FlowRecord* rec) const override {
    if (rec == nullptr) return position_name;
    return part_text(rec->offset) + "@" + std::to_string(rec->line);
  }

  // The warning about a key from two partitions (abi.h): a partition id's
  // low bits are a PartKey.
  std::string partition_text(int64_t partition) const override { return topics_.text(partition); }

  int wait_fd() const override { return pipe_[0]; }
  int64_t wait_ms(int64_t) const override { return pipe_[0] >= 0 ? kNoWait : 10; }

  bool probe_end(FlowContext*) override {
    check_end();
    return ended;
  }

  bool cut_requested() const override { return revoke_pending_; }

  // The offsets go into the sink's transaction and count as committed.
  bool join_transaction(FlowContext* ctx, Transaction& txn) override {
    if (changelog_ && !changelog_->write(ctx, rk_, &txn, owned())) return false;
    rd_kafka_topic_partition_list_t* list = pending_offsets();
    bool ok = txn.add_kafka_offsets(ctx, list, group_metadata());
    if (ok) mark_committed(list);
    rd_kafka_topic_partition_list_destroy(list);
    return ok;
  }

  bool commit(FlowContext* ctx, const CommitPoint& at) override {
    // The changelog first: the group's offsets never run ahead of it.
    bool ok = at.transaction != nullptr ||
              ((!changelog_ || changelog_->write(ctx, rk_, nullptr, owned())) &&
               commit_offsets(ctx, at.final_batch));
    release_revoked();
    if (ok) close_if_ended();
    return ok;
  }

 private:
  // The partitions this process reads, for the changelog.
  std::vector<OwnedPartition> owned() const {
    std::vector<OwnedPartition> out;
    for (const auto& [part, ps] : parts_) {
      if (ps.assigned) out.push_back({part, ps.next, ps.max_time});
    }
    return out;
  }

  // The offsets to commit: every partition read past its last commit.
  rd_kafka_topic_partition_list_t* pending_offsets() const {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
    for (const auto& [part, ps] : parts_) {
      if (ps.next >= 0 && ps.next != ps.committed) {
        rd_kafka_topic_partition_list_add(list, topics_.topic(part).c_str(),
                                          KafkaTopics::partition(part))
            ->offset = ps.next;
      }
    }
    return list;
  }

  const rd_kafka_consumer_group_metadata_t* group_metadata() {
    if (cgmeta_ != nullptr) rd_kafka_consumer_group_metadata_destroy(cgmeta_);
    cgmeta_ = rd_kafka_consumer_group_metadata(rk_);
    return cgmeta_;
  }

  void mark_committed(const rd_kafka_topic_partition_list_t* list) {
    for (int i = 0; i < list->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = list->elems[i];
      if (tp.err == RD_KAFKA_RESP_ERR_NO_ERROR)
        parts_[key_of(tp.topic, tp.partition)].committed = tp.offset;
    }
  }

  // Commits the batch's offsets (synchronously). Failures are retried at
  // the next batch (offsets are cumulative); the final batch waits up to
  // kFinalCommitMs and then fails the run.
  bool commit_offsets(FlowContext* ctx, bool final_batch) {
    rd_kafka_topic_partition_list_t* list = pending_offsets();
    bool ok = true;
    if (list->cnt > 0) {
      int64_t give_up = now_ms() + (final_batch || revoke_pending_ ? kFinalCommitMs : 0);
      for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, 0);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          mark_committed(list);
          bool all = true;
          for (int i = 0; i < list->cnt; ++i) all = all && list->elems[i].err == 0;
          if (all) break;
          err = list->elems[0].err;
          for (int i = 0; i < list->cnt; ++i) {
            if (list->elems[i].err != 0) err = list->elems[i].err;
          }
        }
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) break;
        if (err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
            err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
            err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS ||
            err == RD_KAFKA_RESP_ERR__STATE) {
          // The group moved on without us: these records will be read
          // again by the partitions' new owners.
          if (final_batch && commit_after_rebalance()) {
            rd_kafka_topic_partition_list_destroy(list);
            return true;
          }
          if (!warned_rebalance_commit_) {
            warned_rebalance_commit_ = true;
            log(std::string("warning: offsets not committed (") + rd_kafka_err2name(err) +
                "): the group is rebalancing; partitions that stay with this process are "
                "committed after it, the records of others may be read again by their new owner");
          }
          break;
        }
        if (now_ms() >= give_up) {
          if (final_batch) {
            ctx->set_error(label() + ": cannot commit offsets: " + rd_kafka_err2str(err));
            ok = false;
          } else {
            log(std::string("warning: cannot commit offsets yet (") + rd_kafka_err2str(err) +
                "); retrying at the next batch");
          }
          break;
        }
        ::usleep(200'000);
      }
    }
    rd_kafka_topic_partition_list_destroy(list);
    return ok;
  }

  // The last batch's commit was refused because the group is rebalancing
  // (the mock coordinator refuses commits while members rejoin). Leaving
  // now would make the partitions' next owner read the batch again, so
  // take part in the rebalance — release at once, read nothing more — and
  // commit in the new generation (resume_uncommitted). True when done.
  bool commit_after_rebalance() {
    finalizing_ = true;
    if (revoke_pending_) release_revoked();
    const int64_t give_up = now_ms() + kFinalCommitMs;
    int64_t seen = assign_count_;
    while (now_ms() < give_up) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100)) rd_kafka_message_destroy(m);
      if (assign_count_ == seen) continue;
      seen = assign_count_;
      rd_kafka_topic_partition_list_t* list = pending_offsets();
      rd_kafka_resp_err_t err =
          list->cnt == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_commit(rk_, list, 0);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) mark_committed(list);
      rd_kafka_topic_partition_list_destroy(list);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    }
    return false;
  }

  // An ended source (stop_at_end) is never polled again: after its last
  // commit it leaves the group at once, or its silence would hold up the
  // group's next rebalance for every other member.
  void close_if_ended() {
    if (!ended || rk_ == nullptr || closing_) return;
    closing_ = true;
    rd_kafka_consumer_close(rk_);
  }

  // After the batch committed: give up revoked partitions.
  void release_revoked() {
    if (!revoke_pending_) return;
    revoke_pending_ = false;
    finish_revoke(revoked_);
    rd_kafka_topic_partition_list_destroy(revoked_);
    revoked_ = nullptr;
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<KafkaSource*>(static_cast<KafkaClient*>(opaque));
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->on_assign(parts);
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) {
          self->log(std::string("warning: incremental_assign: ") + rd_kafka_error_string(e));
          rd_kafka_error_destroy(e);
        }
      } else {
        rd_kafka_assign(rk, parts);
      }
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      if (self->closing_ || self->finalizing_ || rd_kafka_assignment_lost(rk)) {
        if (!self->closing_ && !self->finalizing_) {
          self->log("warning: partitions lost; their uncommitted records will be read again");
        }
        self->finish_revoke(parts);
        return;
      }
      // Finish the batch first (cut_requested), then release.
      if (self->revoke_pending_) {
        // Two revocations before a batch end: merge (cooperative only).
        for (int i = 0; i < parts->cnt; ++i) {
          rd_kafka_topic_partition_list_add(self->revoked_, parts->elems[i].topic,
                                            parts->elems[i].partition);
        }
      } else {
        self->revoked_ = rd_kafka_topic_partition_list_copy(parts);
        self->revoke_pending_ = true;
      }
      return;
    }
    self->log(std::string("warning: rebalance error: ") + rd_kafka_err2str(err));
    self->finish_revoke(nullptr);
  }

  void on_assign(rd_kafka_topic_partition_list_t* parts) {
    for (int i = 0; i < parts->cnt; ++i) {
      PartitionState& ps = parts_[key_of(parts->elems[i])];
      ps.next = ps.committed = -1;
    }
    resume_uncommitted(parts);
    // The first assignment after a restore: the checkpoint's offsets win
    // over the group's (its state matches them); they are committed to the
    // group at the next commit point. Restored partitions that went to
    // another member are its business now.
    for (int i = 0; i < parts->cnt; ++i) {
      auto it = restored_.find(key_of(parts->elems[i]));
      if (it == restored_.end()) continue;
      parts->elems[i].offset = it->second.next;
      PartitionState& ps = parts_[it->first];
      ps.next = it->second.next;
      ps.max_time = it->second.max_time;
      ps.committed = -1;
      if (debugging()) {
        log("partition " + part_text(it->first) + ": resumes at offset " +
            std::to_string(it->second.next) + " (checkpoint)");
      }
    }
    restored_.clear();
    restore_state(parts);
    for (int i = 0; i < parts->cnt; ++i) {
      PartitionState& ps = parts_[key_of(parts->elems[i])];
      ps.assigned = true;
      ps.done = false;
      if (opts_.stop_at_end && ps.end < 0) {
        // Retried until kQueryTimeoutMs: a leader moving or a broker
        // restarting answers with retriable errors for a while.
        int64_t low = 0, high = 0;
        const int64_t give_up = now_ms() + kQueryTimeoutMs;
        rd_kafka_resp_err_t e;
        for (;;) {
          e = rd_kafka_query_watermark_offsets(rk_, parts->elems[i].topic,
                                               parts->elems[i].partition, &low, &high, 5'000);
          if (e == RD_KAFKA_RESP_ERR_NO_ERROR || now_ms() >= give_up) break;
          ::usleep(200'000);
        }
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
          if (ctx_ != nullptr) {
            ctx_->set_error(label() + ": cannot read the end offset of " +
                            std::string(parts->elems[i].topic) + "/" +
                            std::to_string(parts->elems[i].partition) + ": " + rd_kafka_err2str(e));
          }
          continue;
        }
        ps.end = high;
      }
    }
    assigned_once_ = true;
    awaiting_assign_ = false;
    ++assign_count_;
  }

  // Keyed state per partition: each newly assigned partition gets its
  // state (kafka_changelog.h) and is read from the offset it stands at.
  void restore_state(rd_kafka_topic_partition_list_t* parts) {
    if (!changelog_ || finalizing_ || closing_ || ctx_ == nullptr) return;
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk_)) == "COOPERATIVE";
    std::vector<PartKey> list;
    for (int i = 0; i < parts->cnt; ++i) list.push_back(key_of(parts->elems[i]));
    std::map<PartKey, PartitionStart> starts;
    changelog_->assign(ctx_, rk_, list, !cooperative || !assigned_once_, &starts);
    for (int i = 0; i < parts->cnt; ++i) {
      auto it = starts.find(key_of(parts->elems[i]));
      if (it == starts.end()) continue;
      parts->elems[i].offset = it->second.next;
      PartitionState& ps = parts_[it->first];
      ps.next = it->second.next;
      ps.max_time = it->second.max_time;
      ps.committed = -1;
      ps.carry = -1;
    }
  }

  void finish_revoke(rd_kafka_topic_partition_list_t* parts) {
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk_)) == "COOPERATIVE";
    if (cooperative && parts != nullptr) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, parts)) rd_kafka_error_destroy(e);
      for (int i = 0; i < parts->cnt; ++i) drop_partition(key_of(parts->elems[i]));
    } else {
      rd_kafka_assign(rk_, nullptr);
      // Keep `end` (the end seen at start) across reassignments.
      for (auto& [part, ps] : parts_) drop_partition(part);
      awaiting_assign_ = true;  // eager: a new assignment follows
    }
  }

  void drop_partition(PartKey part) {
    PartitionState& ps = parts_[part];
    // Its state leaves with it (its last commit wrote the changelog); a
    // process that is leaving keeps it for its final checkpoint.
    if (changelog_ && ps.assigned && !closing_ && !finalizing_ && ctx_ != nullptr) {
      changelog_->release(ctx_, part, ps.next, ps.max_time);
    }
    ps.assigned = false;
    ps.done = false;
    // A commit refused during the rebalance (a coordinator that takes no
    // commits while members rejoin): remember how far this process got.
    ps.carry = ps.next > ps.committed ? ps.next : -1;
    ps.next = ps.committed = -1;
  }

  // A commit refused during the rebalance (librdkafka's mock coordinator
  // takes no commits while members rejoin; real brokers do) leaves the
  // last batch's offsets with this process (`carry`). At the very next
  // assignment nobody else can have read those partitions since:
  //   - a partition assigned back starts at its carry, which is committed
  //     at the next batch end;
  //   - for a partition that went to another member the carry is committed
  //     at once, in this generation, before the new owner is likely to have
  //     fetched its start offset (best effort: if it already did, it reads
  //     that batch again — at-least-once).
  void resume_uncommitted(rd_kafka_topic_partition_list_t* parts) {
    rd_kafka_topic_partition_list_t* elsewhere = rd_kafka_topic_partition_list_new(4);
    for (auto& [part, ps] : parts_) {
      if (ps.carry < 0) continue;
      bool ours = false;
      for (int j = 0; j < parts->cnt; ++j) {
        if (key_of(parts->elems[j]) == part) {
          parts->elems[j].offset = ps.carry;
          ours = true;
        }
      }
      if (ours) {
        ps.next = ps.carry;
        ps.committed = -1;  // dirty: committed at the next batch end
      } else {
        rd_kafka_topic_partition_list_add(elsewhere, topics_.topic(part).c_str(),
                                          KafkaTopics::partition(part))
            ->offset = ps.carry;
      }
      ps.carry = -1;
    }
    if (elsewhere->cnt > 0) {
      rd_kafka_resp_err_t err = rd_kafka_commit(rk_, elsewhere, 0);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log(std::string("warning: offsets of partitions moved to another member not committed (") +
            rd_kafka_err2name(err) + "): their last batch may be read again");
      }
    }
    rd_kafka_topic_partition_list_destroy(elsewhere);
  }

  // Hands records_ over in runs of one partition, each with that
  // partition's largest event time in desc->max_event_time, which the
  // generated code raises as it reads.
  void deliver_by_partition(FlowContext* ctx) {
    int64_t* max_time = desc->max_event_time;
    if (max_time == nullptr) {
      if (!records_.empty()) ctx->deliver(this, records_.data(), static_cast<int64_t>(records_.size()));
      return;
    }
    for (size_t i = 0; i < records_.size();) {
      size_t j = i + 1;
      while (j < records_.size() && records_[j].offset == records_[i].offset) ++j;
      PartitionState& ps = parts_[records_[i].offset];
      *max_time = ps.max_time;
      ctx->deliver(this, records_.data() + i, static_cast<int64_t>(j - i));
      ps.max_time = *max_time;
      i = j;
    }
  }

  void mark_done(PartKey part, int64_t at) {
    PartitionState& ps = parts_[part];
    if (ps.done) return;
    ps.done = true;
    ps.caught_up = true;  // reads no more: does not hold the watermark
    if (debugging()) {
      log("stop_at_end: partition " + part_text(part) + " done at offset " + std::to_string(at) +
          " (end " + std::to_string(ps.end) + ")");
    }
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topics_.topic(part).c_str(), KafkaTopics::partition(part));
    rd_kafka_pause_partitions(rk_, l);
    rd_kafka_topic_partition_list_destroy(l);
  }

  void on_message_error(FlowContext* ctx, const rd_kafka_message_t* m) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      const PartKey part = key_of(m);
      PartitionState& ps = parts_[part];
      ps.caught_up = true;
      if (opts_.stop_at_end && ps.end >= 0 && m->offset >= ps.end) mark_done(part, m->offset);
      return;
    }
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) return;  // check_errors reports it
    std::string text = rd_kafka_message_errstr(m);
    if (m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        m->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      if (opts_.stop_at_end) {
        const char* topic = m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : subscription_.c_str();
        ctx->set_error(label() + ": topic \"" + std::string(topic) + "\": " + text);
        return;
      }
    }
    if (std::find(seen_message_errors_.begin(), seen_message_errors_.end(), m->err) ==
        seen_message_errors_.end()) {
      seen_message_errors_.push_back(m->err);
      log("warning: " + text + " (retrying)");
    }
  }

  bool check_errors(FlowContext* ctx) {
    std::string fatal = fatal_error();
    if (!fatal.empty()) {
      ctx->set_error(fatal);
      ended = true;
    }
    return ctx->error.empty();
  }

  void check_end() {
    if (ended || !opts_.stop_at_end || !assigned_once_ || awaiting_assign_ || revoke_pending_) {
      return;
    }
    for (const auto& [part, ps] : parts_) {
      if (ps.assigned && !ps.done) return;
    }
    ended = true;
  }

  void drain_pipe() {
    if (pipe_[0] < 0) return;
    char buf[256];
    while (::read(pipe_[0], buf, sizeof buf) > 0) {
    }
  }

  // The PartKey of a topic-partition, numbering a topic not seen before.
  PartKey key_of(std::string_view topic, int32_t partition) {
    PartKey k = topics_.key(topic, partition);
    if (topics_.size() > kMaxTopicsPerSource && !too_many_topics_ && ctx_ != nullptr) {
      too_many_topics_ = true;
      ctx_->set_error(label() + ": \"" + subscription_ + "\" reaches more than " +
                      std::to_string(kMaxTopicsPerSource) + " topics (one source reads at most " +
                      "that many: split the pattern between sources)");
    }
    return k;
  }
  PartKey key_of(const rd_kafka_topic_partition_t& tp) { return key_of(tp.topic, tp.partition); }
  // A message's: its topic handle is looked up once per run of messages.
  PartKey key_of(const rd_kafka_message_t* m) {
    if (m->rkt != last_rkt_ || last_rkt_ == nullptr) {
      last_rkt_ = m->rkt;
      last_topic_ = key_of(m->rkt != nullptr ? rd_kafka_topic_name(m->rkt) : "", 0);
    }
    return KafkaTopics::with_partition(last_topic_, m->partition);
  }
  // `topic/partition`
  std::string part_text(PartKey k) const { return topics_.text(k); }

  KafkaOptions opts_;
  std::string subscription_;  // `topic` or `topic_pattern` as written
  KafkaTopics topics_;        // PartKeys; outlives changelog_, which reads it
  bool too_many_topics_ = false;
  const rd_kafka_topic_t* last_rkt_ = nullptr;
  PartKey last_topic_ = 0;
  FlowContext* ctx_ = nullptr;
  rd_kafka_queue_t* queue_ = nullptr;
  int pipe_[2] = {-1, -1};
  std::map<PartKey, PartitionState> parts_;
  struct Restored {
    int64_t next = 0;
    int64_t max_time = INT64_MIN;
  };
  std::map<PartKey, Restored> restored_;  // from a checkpoint, until the first assignment
  std::unique_ptr<KafkaChangelog> changelog_;  // keyed state per partition downstream
  std::vector<FlowRecord> records_;
  std::vector<rd_kafka_message_t*> held_;
  std::vector<rd_kafka_resp_err_t> seen_message_errors_;
  rd_kafka_consumer_group_metadata_t* cgmeta_ = nullptr;
  rd_kafka_topic_partition_list_t* revoked_ = nullptr;
  bool revoke_pending_ = false;
  bool closing_ = false;
  bool assigned_once_ = false;
  bool awaiting_assign_ = false;
  bool warned_rebalance_commit_ = false;
  bool finalizing_ = false;   // commit_after_rebalance: revocations are immediate
  int64_t assign_count_ = 0;  // assignments seen (on_assign)
};

}  // namespace

std::unique_ptr<Source> make_kafka_source(int32_t index, const FlowSourceDesc* desc) {
  return std::make_unique<KafkaSource>(index, desc);
}

}  // namespace flowrt
